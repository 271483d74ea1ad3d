"""The arithmetic of benchmarks/budget.py's report, on made-up timings.

Nothing here times anything. The script pins its process to one core when imported (through
speed.py), so it runs in a child interpreter, never in the test process.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

_DRIVER = """
import importlib.util, sys
sys.path.insert(0, {benchmarks!r})
spec = importlib.util.spec_from_file_location("budget_benchmark", {script!r})
budget = importlib.util.module_from_spec(spec)
spec.loader.exec_module(budget)
whole = {{budget.speed.BASELINE: 0.2, "trafilatura": 4.0,
         "boilerml, HTML mode": 2.0, "boilerml, text mode": 1.0}}
costs = {{"html": {{"lxml parse": 0.1, "features (lines already segmented)": 0.5}},
          "text": {{"features (lines already segmented)": 0.25}}}}
print(budget.format_report(100, 50_000, 3, whole, costs))
"""


def test_budgets_and_costs_are_per_page_and_per_line():
    code = _DRIVER.format(benchmarks=str(REPO / "benchmarks"), script=str(REPO / "benchmarks" / "budget.py"))
    report = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines() if line.startswith("| ")}
    # 100 pages: the baseline takes 2 ms a page, so half its pages/s leaves 4 ms; trafilatura
    # takes 40 ms, a fifth of which is 8 ms; 200,000 lines/s leaves 5 µs a line.
    assert "| 4.00 |" in rows["budget: half the baseline's pages/s"]
    assert "| 8.00 |" in rows["budget: five times trafilatura's pages/s"]
    assert "| 5.0 |" in rows["budget: 200,000 lines/s"]
    assert "| 1.00 |" in rows["least cost: lxml parse"]
    # Features: 0.5 s over 100 HTML pages is 5 ms a page; 0.25 s over 50,000 text lines is 5 µs a line.
    assert rows["least cost: features (lines already segmented)"].endswith("| 5.00 | 5.0 |")
    assert rows["boilerml `clean()`, whole page"].endswith("| 20.00 | 20.0 |")
