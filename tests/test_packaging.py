"""An installed package (a wheel, not an editable checkout) carries its model and data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: What a wheel needs from the checkout to build.
SOURCES = ("pyproject.toml", "README.md", "boilerml", "models")


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the sources (the checkout stays clean) and unpack it.

    Without build isolation, so that the test needs no registry: the test extra installs
    setuptools.
    """
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(REPO / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(root / "dist"),
            str(source),
        ],
        check=True,
    )
    (wheel,) = (root / "dist").glob("boilerml-*.whl")
    site = root / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_wheel_holds_the_model_and_the_cue_data(unpacked_wheel: Path) -> None:
    for name in ("models/boilerml.npz", "models/MODEL_CARD.json", "data/text_cues.json", "py.typed"):
        assert (unpacked_wheel / "boilerml" / name).is_file(), name
    shipped = (REPO / "models" / "boilerml.npz").read_bytes()
    assert (unpacked_wheel / "boilerml" / "models" / "boilerml.npz").read_bytes() == shipped


def test_installed_package_cleans_with_its_own_model(unpacked_wheel: Path, tmp_path: Path) -> None:
    """The unpacked wheel comes first on the path, as in a site-packages install."""
    script = (
        "import boilerml, boilerml.model as m; "
        "print(boilerml.__file__); print(m.DEFAULT_MODEL_PATH); "
        "print(boilerml.clean(open(r'%s', 'rb').read()))" % (REPO / "examples" / "news.html")
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked_wheel), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    package_file, model_path, text = result.stdout.split("\n", 2)
    assert Path(package_file).is_relative_to(unpacked_wheel)
    assert Path(model_path) == unpacked_wheel / "boilerml" / "models" / "boilerml.npz"
    assert "Harbour town rebuilds its sea wall" in text
