"""The command package itself (nncolor.cli): one module per command, the parser, and the
one mapping from an exception to a line and an exit status. (Each command end to end:
test_cli.py; start-up imports and suggestions: test_first_minutes.py.)"""
import sys

import pytest

from nncolor import cli
from nncolor.cli import app
from nncolor.cli.errors import CommandError, describe, run_reporting


def test_every_command_has_its_module_and_the_parser_lists_them_in_order():
    names = list(app.COMMANDS)
    assert names == ["colorize", "train", "evaluate", "grid", "info", "video", "serve"]
    for name in names:
        module = app.command_module(name)
        assert module.__name__ == f"nncolor.cli.{name}" and module.NAME == name
        assert callable(module.add_arguments) and callable(module.run)
        assert module.EXAMPLE.startswith(f"nncolor {name}")
    choices = cli.build_parser()._subparsers._group_actions[0].choices
    assert list(choices) == names


def test_only_the_named_command_module_is_imported():
    import json
    import subprocess

    code = ("import sys, json\n"
            "from nncolor.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('nncolor.cli.'))))")
    loaded = {}
    for argv in (["--help"], ["colorize", "--help"], ["colorise"]):
        done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                              text=True, timeout=120, check=True)
        loaded[argv[0]] = json.loads(done.stdout.strip().splitlines()[-1])
    shared = ["nncolor.cli.app", "nncolor.cli.errors", "nncolor.cli.options"]
    assert loaded["--help"] == loaded["colorise"] == shared
    assert "nncolor.cli.colorize" in loaded["colorize"]
    assert not {"nncolor.cli.train", "nncolor.cli.serve"} & set(loaded["colorize"])


def test_the_namespace_holds_parsed_options_only():
    args = cli.build_parser().parse_args(["colorize", "x.png", "-o", "out"])
    assert not {"run", "command_parser", "argv", "batch"} & set(vars(args))


@pytest.mark.parametrize("raised, status, line", [
    (CommandError("a  problem\nto fix"), 1, "nncolor x: error: a problem to fix"),
    (ValueError("bad value"), 1, "nncolor x: error: bad value"),
    (FileNotFoundError(2, "No such file or directory", "m.skops"), 1,
     "nncolor x: error: m.skops: No such file or directory"),
    (RuntimeError("boom"), 1,
     "nncolor x: error: RuntimeError: boom (run with --debug for the traceback)"),
    (KeyboardInterrupt(), 130, "nncolor x: interrupted"),
])
def test_each_exception_is_one_line_and_a_status(raised, status, line, capsys):
    def run():
        raise raised

    assert run_reporting("nncolor x", run) == status
    assert capsys.readouterr().err == line + "\n"


def test_debug_lets_the_traceback_through_and_success_is_zero(capsys):
    def run():
        raise ValueError("shown with its traceback")

    with pytest.raises(ValueError):
        run_reporting("nncolor x", run, debug=True)
    assert run_reporting("nncolor x", lambda: None) == 0
    assert run_reporting("nncolor x", lambda: 1) == 1


def test_warnings_are_one_line_each(capsys):
    import warnings

    def run():
        warnings.warn("careful:\n  two lines", UserWarning)

    assert run_reporting("nncolor x", run) == 0
    assert capsys.readouterr().err == "nncolor x: warning: careful: two lines\n"


def test_library_errors_read_as_they_are():
    from nncolor.batch import FolderError

    assert describe(FolderError("cannot write into out: it is a file, not a folder")) == \
        "cannot write into out: it is a file, not a folder"


def test_the_entry_points_are_the_same_main():
    import nncolor.__main__ as entry

    assert entry.main is cli.main is app.main
    assert "nncolor.cli:main" in (
        __import__("pathlib").Path(__file__).parents[1] / "setup.cfg").read_text()
    assert sys.modules["nncolor.cli"].main is cli.main
