"""Dask: grid search, batch colorization and film frames on a local cluster of 2 processes.

One ``LocalCluster`` (2 worker processes, 1 thread each) is started for the module and
closed after it; the command-line tests connect to it with ``--scheduler``.
"""
import copy
import os
from pathlib import Path
import pickle
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from skimage import data
from skimage.util import img_as_ubyte
from sklearn.model_selection import GridSearchCV

from nncolor import cli, distributed
from nncolor.model_file import save_model
from nncolor.video import colorize_frames

from .conftest import tiny_colorizer
from .test_video import bar_position, needs_ffmpeg, synthetic_film, write_video

dask_distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'nncolor[dask]')")


@pytest.fixture(scope="module")
def client():
    cluster = dask_distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                            dashboard_address=None)
    client = dask_distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def col(photos):
    return tiny_colorizer().fit(photos[:4])


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, col):
    return save_model(col, tmp_path_factory.mktemp("model") / "tiny.skops")


@pytest.fixture
def folder(tmp_path):
    """Four gray images and one file that is not an image."""
    for i in range(4):
        Image.fromarray(data.camera()[i * 100:i * 100 + 60:2, ::8]).save(tmp_path / f"g{i}.png")
    (tmp_path / "broken.png").write_text("not an image")
    return tmp_path


class Counted(np.ndarray):
    """An image that counts how often it is pickled (scattered data is not pickled)."""

    pickles = 0

    def __reduce_ex__(self, protocol):
        Counted.pickles += 1
        return np.array, (self.view(np.ndarray),)


# ---------------------------------------------------------------- grid search
def test_grid_search_on_the_cluster_equals_the_local_one(client, photos):
    images = [im.view(Counted) for im in photos[:4]]
    grid = {"features__patch_size": [1, 3], "quantizer__shape": [(2, 2), (3, 3)]}
    local = GridSearchCV(tiny_colorizer(), grid, cv=2).fit(images)
    Counted.pickles = 0
    with distributed.dask_backend(images, client=client):
        from joblib.parallel import get_active_backend

        backend = get_active_backend()[0]
        remote = GridSearchCV(tiny_colorizer(), grid, cv=2).fit(images)
        scattered = backend.data_futures[id(images)]
        # held by the cluster (a worker that ran no task of it need not have a copy)
        assert len(client.who_has([scattered])[scattered.key]) >= 1
    assert Counted.pickles == 0  # no task carried a pickled image
    pickle.dumps(images[0])
    assert Counted.pickles == 1  # (the counter does count)
    for key in ("split0_test_score", "split1_test_score", "mean_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_


# ---------------------------------------------------------------------- batch
@pytest.mark.parametrize("how", ["file", "colorizer"])
def test_batch_with_a_corrupt_file(client, folder, col, model_file, how):
    out = folder / "out"
    out.mkdir()
    (out / "g3_colorized.png").write_bytes(b"earlier")  # an existing output stays
    model = model_file if how == "file" else col
    report = distributed.colorize_folder(client, folder, out, model)
    assert sorted(p.name for p in report.written) == [
        "g0_colorized.png", "g1_colorized.png", "g2_colorized.png"]
    assert sorted(p.name for p in report.failed) == ["broken.png"]
    assert "not an image" in report.failed[folder / "broken.png"]
    # an existing output: skipped (a batch run again goes on), the way to replace it named
    assert list(report.skipped) == [out, folder / "g3.png"]
    assert "sub-folder" in report.skipped[out]
    assert "exists; pass overwrite=True" in report.skipped[folder / "g3.png"]
    assert (out / "g3_colorized.png").read_bytes() == b"earlier"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    gray = np.asarray(Image.open(folder / "g1.png"))
    written = np.asarray(Image.open(out / "g1_colorized.png")).astype(int)
    assert np.abs(written - img_as_ubyte(np.clip(col.predict(gray), 0, 1))).max() <= 1
    if how == "file":  # each worker loaded the model file at most once
        assert all(n <= 1 for n in client.run(distributed.model_loads).values())


def test_colorize_command_on_the_cluster(client, folder, model_file):
    out = folder / "out"
    result = subprocess.run(
        [sys.executable, "-m", "nncolor", "colorize", str(folder), "-o", str(out), "-m",
         str(model_file), "--scheduler", client.scheduler.address, "-q"],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "broken.png" in result.stderr and "1 of 5 images failed" in result.stderr
    assert len(list(out.glob("g?_colorized.png"))) == 4


def test_a_mixture_of_models_colorizes_a_folder_on_the_cluster(client, folder, col, photos):
    from sklearn.frozen import FrozenEstimator

    from nncolor.mixture import MixtureOfExperts

    mix = MixtureOfExperts([("a", FrozenEstimator(col)), ("b", FrozenEstimator(col))]).fit(
        photos, ["a", "b", "a", "b", "a"])
    out = folder / "out"
    report = distributed.colorize_folder(client, folder, out, mix)
    assert len(report.written) == 4 and list(report.failed) == [folder / "broken.png"]
    gray = np.asarray(Image.open(folder / "g1.png"))
    written = np.asarray(Image.open(out / "g1_colorized.png")).astype(int)
    assert np.abs(written - img_as_ubyte(np.clip(mix.predict(gray), 0, 1))).max() <= 1


# --------------------------------------------------------------------- frames
@pytest.mark.parametrize("working_size", [None, 16])  # full resolution, and factor 3
def test_film_frames_come_back_in_order(client, col, working_size):
    col = copy.deepcopy(col).set_params(working_size=working_size)
    film = synthetic_film(n=8)
    local = list(colorize_frames(col, film, smoothing=0.7))
    remote = list(colorize_frames(col, film, smoothing=0.7, client=client))
    assert len(remote) == len(film)
    for a, b in zip(local, remote):
        np.testing.assert_array_equal(a.rgb, b.rgb)
    assert [bar_position(f.rgb) for f in remote] == [bar_position(f) for f in film]


@needs_ffmpeg
def test_video_command_on_the_cluster(client, model_file, tmp_path):
    import imageio.v2 as iio

    film = synthetic_film(n=8)
    src = write_video(tmp_path / "film.mp4", film)
    dst = tmp_path / "color.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "nncolor", "video", str(src), "-o", str(dst), "--model",
         str(model_file), "--scheduler", client.scheduler.address, "-q", "--no-flicker"],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    frames = iio.mimread(dst)
    assert [bar_position(f) for f in frames] == [bar_position(f) for f in film]


# ------------------------------------------------------------ without dask
def test_without_dask_the_entry_points_say_what_to_install(monkeypatch, folder, model_file,
                                                           capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    for call in (lambda: distributed.require_distributed(),
                 lambda: distributed.cluster_client(n_workers=2).__enter__(),
                 lambda: distributed.dask_backend([]).__enter__(),
                 lambda: next(distributed.colorize_files(None, []))):
        with pytest.raises(ImportError, match=r"pip install 'nncolor\[dask\]'"):
            call()
    status = cli.main(["colorize", str(folder / "g0.png"), "-m", str(model_file), "--dask",
                       "2", "-q"])
    err = capsys.readouterr().err
    assert status == 1 and "pip install 'nncolor[dask]'" in err and "Traceback" not in err
    assert len(err.splitlines()) == 1, err  # refused before any work: no bar, no summary
    assert not (folder / "g0_colorized.png").exists()


def test_a_bad_scheduler_address_is_one_line(folder, model_file):
    # dask's own setting, so that the test does not wait the default 30 s
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    result = subprocess.run(
        [sys.executable, "-m", "nncolor", "colorize", str(folder / "g0.png"), "-m",
         str(model_file), "--scheduler", "tcp://127.0.0.1:1", "-q"],
        capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot connect to the Dask scheduler at tcp://127.0.0.1:1" in result.stderr


# ------------------------------------------------- one plan for both batches
def _batch_inputs(root):
    """A folder with a duplicate-prone mix: an input named twice, an earlier output, a
    JPEG (for --format same), a sub-folder, a text file."""
    src = root / "src"
    (src / "sub").mkdir(parents=True)
    for name in ("a.png", "a_colorized.png", "b.jpg", "sub/c.png"):
        Image.fromarray(data.camera()[::16, ::16]).save(src / name)
    (src / "notes.txt").write_text("not an image")
    return src


def _batch_output(out):
    """An output folder holding an earlier output, and a file where a sub-folder goes."""
    out.mkdir()
    Image.fromarray(data.camera()[::16, ::16]).save(out / "b_colorized.jpg")
    (out / "sub").write_text("a file, so out/sub cannot be written into")
    return out


def test_the_dask_batch_and_the_command_plan_alike(client, model_file, tmp_path, capsys):
    src = _batch_inputs(tmp_path)
    inputs = [src, src / "a.png", str(src / "*.png")]  # a.png named three times
    local, remote = _batch_output(tmp_path / "local"), _batch_output(tmp_path / "remote")
    status = cli.main(["colorize", *map(str, inputs), "-o", str(local), "--format", "same",
                       "--recursive", "-m", str(model_file), "-q"])
    out, err = capsys.readouterr()
    report = distributed.colorize_folder(client, inputs, remote, model_file, format="same",
                                         recursive=True)
    assert status == 1
    # written: a.png once; b.jpg skipped (its output exists), sub/c.png refused (out/sub
    # is a file); a_colorized.png an earlier output, skipped
    assert [p.relative_to(remote) for p in report.written] == [Path("a_colorized.png")]
    assert sorted(p.name for p in local.iterdir()) == sorted(p.name for p in remote.iterdir())
    refused = {str(path): message.replace(str(remote), "{out}")
               .replace("pass overwrite=True", "pass --overwrite")
               for path, message in report.failed.items()}
    assert sorted(refused) == [str(src / "sub" / "c.png")]
    for message in refused.values():
        assert f"nncolor colorize: error: {message.replace('{out}', str(local))}" in err
    assert "cannot write into" in refused[str(src / "sub" / "c.png")]
    assert "exists; pass overwrite=True" in report.skipped[src / "b.jpg"]
    assert f"skipped 1 whose output exists, e.g. {src / 'b.jpg'}" in out
    assert report.skipped[src / "a_colorized.png"].startswith("an earlier output")
    assert "skipped 1 earlier outputs" in err
    assert "notes.txt" in str(list(report.skipped)) and f"skipped {src / 'notes.txt'}" in err


def test_an_unwritable_output_stops_both_batches_before_any_work(client, model_file,
                                                                 tmp_path, capsys):
    from nncolor.batch import FolderError

    src = _batch_inputs(tmp_path)
    (tmp_path / "out").write_text("a file, not a folder")
    status = cli.main(["colorize", str(src), "-o", str(tmp_path / "out"), "-m",
                       str(model_file), "-q"])
    err = capsys.readouterr().err
    with pytest.raises(FolderError) as refused:
        distributed.colorize_folder(client, src, tmp_path / "out", model_file)
    assert status == 1
    assert f"nncolor colorize: error: {refused.value}" in err
    assert "it is a file, not a folder" in str(refused.value)
