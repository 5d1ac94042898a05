"""What a process loads at start-up: `analyze` and `check` need no alignment solver
(SciPy's optimizer takes about half a second to import) and no sparse matrices (the model
scores with NumPy alone), and a small `compare` none of these nor spaCy."""

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
print(sorted(m for m in ("scipy.optimize", "scipy.sparse") if m in sys.modules))
"""


def test_analyze_and_check_import_neither_the_assignment_solver_nor_sparse_matrices() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


COMPARE_PROBE = """
import sys, tempfile
from pathlib import Path
from analyzer.cli import main
out = Path(tempfile.mkdtemp())
(out / "a.md").write_text("# Terms\\n\\nYou are responsible for your agents.\\n")
(out / "b.md").write_text("# Terms\\n\\nYou are solely responsible for your agents.\\n")
sys.argv = ["termshift", "compare", str(out / "a.md"), str(out / "b.md"), "-o",
            str(out / "report.json")]
try:
    main()
except SystemExit as done:
    assert done.code in (0, 1, None), done.code
assert "solely" in (out / "report.json").read_text()
print(sorted(m for m in ("spacy", "scipy.optimize", "scipy.sparse") if m in sys.modules))
"""


def test_a_small_compare_imports_neither_spacy_nor_scipy() -> None:
    # spaCy's import is most of a short command's start-up: the rule components run
    # without it unless a parser step is wanted; two one-clause versions need no solver.
    done = subprocess.run([sys.executable, "-c", COMPARE_PROBE], capture_output=True,
                          text=True, cwd=REPO, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
