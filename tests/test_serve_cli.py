"""``nncolor serve`` where the web extra may be missing: the rest of nncolor never loads the
web stack, and the command says in one line what to install."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nncolor.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_imports_the_web_stack_but_serve():
    code = ("import sys, nncolor, nncolor.cli, nncolor.web; nncolor.cli.build_parser(); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'multipart', 'python_multipart')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_without_the_web_extra_names_the_install(monkeypatch, capsys):
    import nncolor.web

    monkeypatch.setattr(nncolor.web, "WEB_MODULES", ("starlette", "no_such_module_for_nncolor"))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith("nncolor serve: error:")
    assert "pip install 'nncolor[web]'" in err


def test_serve_rejects_a_bad_port(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "70000"])
    assert exit_.value.code == 2
    assert "a port number from 0 to 65535" in capsys.readouterr().err
