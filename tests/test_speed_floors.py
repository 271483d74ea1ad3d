"""The rules of the speed floors (benchmarks/speed.py --check / --pin), on made-up ratios.

Nothing here times anything. The script pins its process to one core when imported, so it is
exercised in a child interpreter, never imported into the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

SCRIPT = REPO / "benchmarks" / "speed.py"

_DRIVER = """
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("speed_benchmark", {script!r})
speed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(speed)
speed.FLOORS_PATH = Path({floors!r})
floors_file = json.loads(speed.FLOORS_PATH.read_text()) if speed.FLOORS_PATH.exists() else {{}}
html, text, model_mb, action, reason = {html!r}, {text!r}, {model_mb!r}, {action!r}, {reason!r}
ratios = {{"boilerml, HTML mode": html, "boilerml, text mode": text}}
if action == "pin":
    sys.exit(speed.pin(floors_file, ratios, model_mb, 100, reason))
if action == "pin-ceiling":
    sys.exit(speed.pin_ceiling(floors_file, model_mb, reason))
sys.exit(speed.check(floors_file, ratios, model_mb))
"""


def _run(tmp_path, action: str, html: float, text: float, model_mb: float = 4.0, reason=None):
    code = _DRIVER.format(
        script=str(SCRIPT),
        floors=str(tmp_path / "speed_floors.json"),
        html=html,
        text=text,
        model_mb=model_mb,
        action=action,
        reason=reason,
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)


def test_pin_then_check_passes_within_the_tolerance_and_fails_beyond_it(tmp_path):
    assert _run(tmp_path, "pin", 0.10, 0.20).returncode == 0
    pinned = json.loads((tmp_path / "speed_floors.json").read_text())
    assert pinned["floors"] == {"boilerml, HTML mode": 0.1, "boilerml, text mode": 0.2}
    tolerance = pinned["tolerance"]
    assert 0 < tolerance < 1
    just_within = 0.10 * (1 - tolerance) + 1e-6
    assert _run(tmp_path, "check", just_within, 0.20).returncode == 0
    below = _run(tmp_path, "check", 0.10 * (1 - tolerance) - 1e-3, 0.20)
    assert below.returncode == 1
    assert "BELOW FLOOR" in below.stdout


def test_a_grown_model_file_fails_the_check(tmp_path):
    assert _run(tmp_path, "pin", 0.10, 0.20, model_mb=4.0).returncode == 0
    ceiling = json.loads((tmp_path / "speed_floors.json").read_text())["model_mb_max"]
    assert ceiling <= 20.0
    result = _run(tmp_path, "check", 0.10, 0.20, model_mb=ceiling + 0.5)
    assert result.returncode == 1
    assert "TOO LARGE" in result.stdout


def test_the_ceiling_alone_is_re_pinned_for_a_model_grown_on_purpose(tmp_path):
    assert _run(tmp_path, "pin-ceiling", 0, 0, model_mb=6.0, reason="no floors yet").returncode == 1
    assert _run(tmp_path, "pin", 0.10, 0.20, model_mb=4.0).returncode == 0
    assert _run(tmp_path, "check", 0.10, 0.20, model_mb=9.0).returncode == 1  # grown: too large
    assert _run(tmp_path, "pin-ceiling", 0, 0, model_mb=9.0, reason="small-input passes").returncode == 0
    floors = json.loads((tmp_path / "speed_floors.json").read_text())
    assert floors["floors"] == {"boilerml, HTML mode": 0.1, "boilerml, text mode": 0.2}  # unchanged
    assert floors["model_mb_max"] == 13.5 and floors["history"][-1]["reason"] == "small-input passes"
    assert _run(tmp_path, "check", 0.10, 0.20, model_mb=9.0).returncode == 0


def test_pin_refuses_to_lower_a_floor_without_a_reason_and_records_one(tmp_path):
    assert _run(tmp_path, "pin", 0.10, 0.20).returncode == 0
    refused = _run(tmp_path, "pin", 0.05, 0.20)
    assert refused.returncode == 1
    floors = json.loads((tmp_path / "speed_floors.json").read_text())
    assert floors["floors"]["boilerml, HTML mode"] == 0.1  # unchanged
    assert _run(tmp_path, "pin", 0.05, 0.20, reason="a bigger model, measured").returncode == 0
    floors = json.loads((tmp_path / "speed_floors.json").read_text())
    assert floors["floors"]["boilerml, HTML mode"] == 0.05
    assert floors["history"][-1]["reason"] == "a bigger model, measured"


def test_the_shipped_floors_file_is_complete():
    floors = json.loads((REPO / "benchmarks" / "speed_floors.json").read_text())
    assert set(floors["floors"]) == {"boilerml, HTML mode", "boilerml, text mode"}
    assert all(value > 0 for value in floors["floors"].values())
    assert 0 < floors["model_mb_max"] <= 20.0
    assert floors["history"]
