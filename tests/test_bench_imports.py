"""Benchmarks measure the checkout they live in: run from a second checkout to compare two
versions of the rules, they must not import the analyzer installed in the environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_benchmark_puts_its_checkout_first() -> None:
    late = []
    for script in sorted(BENCH.glob("*.py")):
        text = script.read_text("utf-8")
        at = text.find("\nfrom analyzer")
        if at < 0:
            continue
        head = text[:at]
        if "import checkout" not in head and "sys.path.insert(0, str(ROOT))" not in head:
            late.append(script.name)
    assert not late, f"import bench/checkout.py before analyzer in: {late}"


def test_checkout_module_prefers_the_scripts_own_analyzer(tmp_path: Path) -> None:
    other = tmp_path / "other-checkout"
    (other / "bench").mkdir(parents=True)
    (other / "analyzer").mkdir()
    (other / "analyzer" / "__init__.py").write_text("WHERE = 'other checkout'\n")
    shutil.copy(BENCH / "checkout.py", other / "bench" / "checkout.py")
    (other / "bench" / "probe.py").write_text(
        "import checkout  # noqa: F401\nimport analyzer\nprint(analyzer.WHERE)\n")
    done = subprocess.run([sys.executable, str(other / "bench" / "probe.py")],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "other checkout"


def test_the_held_out_statements_never_show_their_disagreements() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "policy_statements.py"), "--held-out",
                           "--errors", "AUTH-SCOPE"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "held-out set must not show" in done.stderr
    assert "expected" not in done.stdout
