"""The architecture contract (setup.cfg's [importlinter] sections): imports go down the
layers, no module imports another that imports it back, and only ``python -m nncolor``
imports the command package. import-linter reads the imports without running the code.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="import-linter is not installed (nncolor[test])")

ROOT = Path(__file__).resolve().parents[1]
# the lint-imports command, run by this Python (its script may not be on the PATH)
LINT_IMPORTS = ("import sys; from importlinter.cli import lint_imports_command; "
                "sys.exit(lint_imports_command())")


def lint_imports(root):
    """Run lint-imports on the tree at ``root``; (exit status, its report)."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # this tree's nncolor, not an installed one
    # --no-cache: the cache would be written into the tree
    command = [sys.executable, "-c", LINT_IMPORTS, str(root / "setup.cfg"), "--no-cache"]
    run = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    return run.returncode, run.stdout + run.stderr


def copy_tree(tmp_path):
    """The package, the pipelines and the contract, sources only."""
    sources = shutil.ignore_patterns("*.skops", "*.joblib", "static", "__pycache__")
    for package in ("nncolor", "pipelines"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=sources)
    shutil.copy(ROOT / "setup.cfg", tmp_path)
    return tmp_path


def broken(report):
    """The names of the broken contracts in a lint-imports report."""
    found = (re.match(r"^(.+) BROKEN( \(\d+ ignored imports?\))?$", line)
             for line in report.splitlines())
    return {match.group(1) for match in found if match}


def test_the_contracts_are_kept():
    status, report = lint_imports(ROOT)
    assert status == 0, report


def test_a_reintroduced_cycle_breaks_the_contract(tmp_path):
    tree = copy_tree(tmp_path)
    # container is the ffmpeg plumbing video.py calls: an import back makes a cycle
    with open(tree / "nncolor" / "container.py", "a") as f:
        f.write("\n\nfrom .video import flicker  # noqa: E402\n")
    status, report = lint_imports(tree)
    assert status != 0
    assert "No import cycles among nncolor's modules" in broken(report), report
    cycles = report.split("No import cycles among nncolor's modules\n")[-1]
    assert ".container -> .video" in cycles or ".video -> .container" in cycles, report


def test_the_library_importing_the_command_breaks_the_contract(tmp_path):
    tree = copy_tree(tmp_path)
    with open(tree / "nncolor" / "io.py", "a") as f:  # even hidden in a function
        f.write("\n\ndef _later():\n    from .cli import main\n\n    return main\n")
    status, report = lint_imports(tree)
    assert status != 0
    assert {"The library and the pipelines never import the command package",
            "Layers: command > workflows > files > estimators > algorithms > utilities"} \
        <= broken(report), report
    assert "nncolor.io -> nncolor.cli" in report
