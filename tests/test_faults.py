"""Faults in the middle of a batch: nothing lost, nothing partial, the run says what it did.

* an output folder that becomes unwritable after two images (the OS refusing new files
  there: as root, chmod would not stop a write, so the refusal is injected where the
  file is created);
* a full disk (a real one, simulated with a file-size limit on the process: writes past it
  fail with EFBIG, as ENOSPC would);
* a worker process killed (SIGKILL, as the out-of-memory killer does) while it writes;
* Ctrl-C (SIGINT to the whole process group, as a terminal sends it) in a parallel batch.

Each checks: the exit status and one line per problem; the outputs that exist are
complete images; no temporary files; the inputs unchanged.
"""
import errno
import hashlib
import os
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

import nncolor.io
from nncolor import cli
from nncolor.cli import colorize as colorize_command
from nncolor.cli.errors import describe
from nncolor.colorizer import SOMColorizer
from nncolor.io import atomic_path, read_image
from nncolor.model_file import save_model

from .conftest import tiny_colorizer


@pytest.fixture(scope="module")
def model(tmp_path_factory, photos):
    col = tiny_colorizer().fit(photos[:3])
    return save_model(col, tmp_path_factory.mktemp("model") / "tiny.skops")


def _inputs(folder, n, side=48, noise=False):
    """``n`` gray PNGs (``noise``: random pixels, so the PNG does not compress)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        if noise:
            image = rng.integers(0, 256, (side, side), dtype=np.uint8)
        else:
            ramp = np.add.outer(np.arange(side), np.arange(side)) + 5 * i
            image = (ramp % 256).astype(np.uint8)
        Image.fromarray(image).save(folder / f"in{i:02d}.png")
    return folder


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.png")}


def _check_outputs(out, shape):
    """Every file in ``out`` is a complete output of ``shape``; their names."""
    names = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert not [n for n in names if n.startswith(".")], names  # no temporary files
    for name in names:
        assert name.endswith("_colorized.png")
        assert read_image(out / name).shape == (*shape, 3)  # decodes: not truncated
    return names



# ------------------------------------------------------------ unwritable mid-batch
def test_output_folder_becomes_unwritable_mid_batch(tmp_path, model, monkeypatch, capsys):
    src = _inputs(tmp_path / "in", 5)
    before = _digest(src)
    out = tmp_path / "out"
    real_mkstemp = nncolor.io.tempfile.mkstemp
    created = []

    def mkstemp(*args, dir=None, **kwargs):
        if len(created) >= 2:  # from the third output on, the folder refuses new files
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        created.append(dir)
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(nncolor.io.tempfile, "mkstemp", mkstemp)
    code = cli.main(["colorize", str(src), "-o", str(out), "--model", str(model), "-q"])
    captured = capsys.readouterr()
    assert code == 1
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert len(errors) == 3 and all("Permission denied" in e and str(out) in e for e in errors)
    assert "3 of 5 images failed" in captured.err
    assert "colorized 2 of 5 images" in captured.out
    assert _check_outputs(out, (48, 48)) == ["in00_colorized.png", "in01_colorized.png"]
    assert _digest(src) == before


# ------------------------------------------------------------------ a full disk
def _file_size_limit(n_bytes):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, n_bytes))
    return limit


def test_full_disk_fails_the_large_outputs_only(tmp_path, model):
    src = _inputs(tmp_path / "in", 3, side=48)
    _inputs(tmp_path / "big", 2, side=400, noise=True)
    for p in (tmp_path / "big").iterdir():
        p.rename(src / f"big_{p.name}")
    before = _digest(src)
    out = tmp_path / "out"
    # small outputs (about 10 KB) fit; 400 x 400 noisy ones (about 400 KB) do not
    result = subprocess.run(
        [sys.executable, "-m", "nncolor", "colorize", str(src), "-o", str(out), "--model",
         str(model), "-q"], capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=_file_size_limit(150_000))
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert all("big_in" in e and "file too large" in e and "nothing partial" in e
               for e in errors), errors
    assert "2 of 5 images failed" in result.stderr
    assert _check_outputs(out, (48, 48)) == [f"in{i:02d}_colorized.png" for i in range(3)]
    assert _digest(src) == before


def test_full_disk_while_saving_a_model(tmp_path, fitted):
    """In this process (the limit lowered for the call, then restored): the real EFBIG."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_000, hard))
    try:
        with pytest.raises(OSError) as caught:
            save_model(fitted, tmp_path / "m.skops")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert caught.value.errno == errno.EFBIG and caught.value.filename == str(tmp_path / "m.skops")
    assert describe(caught.value).startswith(f"cannot write {tmp_path / 'm.skops'}: file "
                                                  "too large")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ a killed worker
class DyingColorizer(SOMColorizer):
    """Colorizes, except the image of ``victim_shape``: there its worker process starts
    writing the output (the temporary file atomic_path makes) and is killed, as by the
    out-of-memory killer. Never kills the process that made it (the test runner)."""

    def predict(self, X, **kwargs):
        if np.shape(X)[:2] == self.victim_shape and os.getpid() != self.parent_pid:
            with atomic_path(self.victim_output) as tmp:
                tmp.write_bytes(b"\x89PNG\r\n\x1a\n half an image")
                os.kill(os.getpid(), signal.SIGKILL)
        return super().predict(X, **kwargs)


def test_a_killed_worker_stops_the_batch_cleanly(tmp_path, photos, monkeypatch, capsys):
    src = _inputs(tmp_path / "in", 8)
    Image.fromarray(np.full((40, 40), 120, np.uint8)).save(src / "in05.png")  # the victim
    before = _digest(src)
    out = tmp_path / "out"
    dying = DyingColorizer()
    dying.__dict__.update(tiny_colorizer().fit(photos[:2]).__dict__)
    dying.victim_shape, dying.victim_output = (40, 40), out / "in05_colorized.png"
    dying.parent_pid = os.getpid()
    monkeypatch.setattr(colorize_command, "load_model", lambda args, **kwargs: dying)
    removed = []
    remove = colorize_command.Batch.remove_temporaries
    monkeypatch.setattr(colorize_command.Batch, "remove_temporaries",
                        lambda self: removed.append(remove(self)) or removed[-1])
    code = cli.main(["colorize", str(src), "-o", str(out), "-j", "2", "-q"])
    captured = capsys.readouterr()
    assert code == 1
    # the killed worker's temporary file, and any of the other worker's that the pool's
    # shutdown cut short, found and removed
    assert len(removed) == 1 and removed[0] >= 1
    assert "a worker process died" in captured.err and "Traceback" not in captured.err
    names = _check_outputs(out, (48, 48))  # the victim's half-written file is gone
    assert "in05_colorized.png" not in names
    assert f"stopped early: {len(names)} of 8 images were written" in captured.err
    assert _digest(src) == before


# ------------------------------------------------------------------ Ctrl-C
def _as_from_a_terminal():
    """In the child before exec: Ctrl-C as a shell started from a terminal gives it (the
    default action, not blocked), whatever this test process inherited or set."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_in_a_parallel_batch(tmp_path, model):
    # enough images that the batch is still running when a loaded machine gets round to
    # the signal
    n = 120
    src = _inputs(tmp_path / "in", n, side=96)
    before = _digest(src)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "nncolor", "colorize", str(src), "-o",
                             str(out), "--model", str(model), "-j", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_as_from_a_terminal)
    deadline = time.monotonic() + 120
    while not (out.exists() and any(out.glob("*_colorized.png"))):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (f"exit {proc.returncode}, "
                                    f"{len(list(out.glob('*_colorized.png')))} of {n} written; "
                                    f"this process: SIGINT {signal.getsignal(signal.SIGINT)}, "
                                    f"blocked {signal.pthread_sigmask(signal.SIG_BLOCK, [])}; "
                                    f"{stderr}")
    assert "interrupted" in stderr and "Traceback" not in stderr
    names = _check_outputs(out, (96, 96))
    assert 1 <= len(names) < n
    assert f"stopped early: {len(names)} of {n} images were written" in stderr
    assert _digest(src) == before


def test_workers_leave_ctrl_c_to_the_command():
    # a worker interrupted between two tasks printed KeyboardInterrupt's traceback: the
    # workers ignore SIGINT, the command stops them and says what was written. In a fresh
    # process started as from a terminal (a test runner started in the background passes
    # an ignored SIGINT on, to the command and to its workers alike).
    code = ("import signal\n"
            "from joblib import delayed\n"
            "from nncolor.cli.errors import worker_processes\n"
            "workers = worker_processes(2)(delayed(signal.getsignal)(signal.SIGINT)\n"
            "                              for _ in range(4))\n"
            "print([w is signal.SIG_IGN for w in workers],\n"
            "      signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, preexec_fn=_as_from_a_terminal, check=True)
    assert done.stdout.split("\n")[0] == "[True, True, True, True] True", done.stderr
