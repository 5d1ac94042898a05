"""What a process loads at start-up: `analyze` and `check` need no alignment solver
(SciPy's optimizer takes about half a second to import)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.cli_support import REPO

PROBE = """
import sys, tempfile
from analyzer.cli import main
out = tempfile.mkdtemp()
for args in (["analyze", "corpora/agent-network-terms-v2.md", "--format", "html"],
             ["check", "corpora/agent-policy-weak.md", "--format", "json"]):
    sys.argv = ["termshift", *args, "-o", out + "/report"]
    try:
        main()
    except SystemExit as done:
        assert not done.code, done.code
print("scipy.optimize" in sys.modules)
"""


def test_analyze_and_check_do_not_import_the_assignment_solver() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr
