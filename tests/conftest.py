"""Shared fixtures: the repository's example pages and the shared corpora (when present)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DATASETS = Path(os.environ.get("BOILERML_DATASETS", REPO.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared corpora folder; tests that need it skip with the reason when it is absent."""
    if not any(DATASETS.glob("*.tar.gz")):
        pytest.skip(f"the shared corpora are not at {DATASETS} (set BOILERML_DATASETS)")
    return DATASETS


@pytest.fixture(scope="session")
def news_html() -> bytes:
    return (EXAMPLES / "news.html").read_bytes()


@pytest.fixture(scope="session")
def chinese_text() -> str:
    return (EXAMPLES / "chinese-news.txt").read_text("utf-8")
