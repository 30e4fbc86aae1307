"""The per-user cache of shipped models (nncolor.model_cache): what load_model reads after
the first skops load, in a temporary folder (tests/conftest.py sets NNCOLOR_CACHE_DIR)."""
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
from skimage import data

from nncolor import model_cache, model_file
from nncolor.model_cache import CACHE_ENV, cache_dir, entry_path
from nncolor.model_file import DEFAULT_MODEL_PATH, load_model, save_model

from .conftest import tiny_colorizer


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture(scope="module")
def gray():
    return data.camera()[::4, ::4]


def _no_skops(monkeypatch):
    """Make reading any skops file fail, so a load that succeeds came from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("the skops file was read")

    monkeypatch.setattr(model_file, "_load_skops", refuse)


def test_the_first_load_fills_the_cache_and_the_next_reads_it(cache, gray, monkeypatch):
    first = load_model("default")
    entry = entry_path(DEFAULT_MODEL_PATH)
    assert entry.parent == cache and entry.is_file()
    assert entry.stat().st_mode & 0o777 == 0o600
    _no_skops(monkeypatch)
    again = load_model("default")
    assert again is not first
    assert again.model_card_ == first.model_card_
    np.testing.assert_array_equal(again.predict(gray), first.predict(gray))


def test_a_fresh_process_loads_from_the_cache_without_skops(cache):
    load_model("default")  # fills the cache
    code = ("import sys\nfrom nncolor.model_file import load_model\n"
            "load_model('default')\nprint('skops' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, CACHE_ENV: str(cache)}, check=True)
    assert done.stdout.strip() == "False"


def test_a_damaged_entry_is_read_from_the_skops_file_and_replaced(cache, gray):
    expected = load_model("default").predict(gray)
    entry = entry_path(DEFAULT_MODEL_PATH)
    entry.write_bytes(entry.read_bytes()[:1000])  # cut short
    np.testing.assert_array_equal(load_model("default").predict(gray), expected)
    assert model_cache.load(DEFAULT_MODEL_PATH) is not None  # written again, whole


def test_an_entry_others_may_write_is_ignored(cache, monkeypatch):
    load_model("default")
    entry = entry_path(DEFAULT_MODEL_PATH)
    entry.chmod(0o666)
    assert model_cache.load(DEFAULT_MODEL_PATH) is None
    entry.chmod(0o600)
    assert model_cache.load(DEFAULT_MODEL_PATH) is not None


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0,
                    reason="root may write into any folder")
def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    monkeypatch.setenv(CACHE_ENV, str(folder / "cache"))
    assert load_model("default").model_card_
    assert not (folder / "cache").exists()


def test_a_cache_path_that_is_a_file_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert load_model("default").model_card_
    assert not model_cache.store(DEFAULT_MODEL_PATH, object())


def test_an_empty_variable_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None and entry_path(DEFAULT_MODEL_PATH) is None
    monkeypatch.chdir(tmp_path)
    assert load_model("default").model_card_
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform not in ("win32", "darwin"):
        assert cache_dir() == tmp_path / "nncolor"


def test_the_key_follows_the_file_and_the_versions(cache, tmp_path, monkeypatch):
    copy = tmp_path / "default.skops"
    shutil.copy(DEFAULT_MODEL_PATH, copy)
    assert entry_path(copy) == entry_path(DEFAULT_MODEL_PATH)  # the bytes, not the place
    with open(copy, "ab") as f:
        f.write(b"\0")
    assert entry_path(copy) != entry_path(DEFAULT_MODEL_PATH)
    before = entry_path(DEFAULT_MODEL_PATH)
    monkeypatch.setattr(model_cache, "_versions", lambda with_sklearn=True: "nncolor=9.9")
    assert entry_path(DEFAULT_MODEL_PATH) != before


def test_a_users_own_skops_file_is_never_cached(cache, photos, tmp_path, monkeypatch):
    path = save_model(tiny_colorizer().fit(photos[:2]), tmp_path / "mine.skops")
    load_model(path)
    load_model(path)
    assert not cache.exists() or list(cache.iterdir()) == []
    assert model_file._cached_shipped_model(path) is None


def test_a_shipped_model_that_warns_is_not_cached(cache, monkeypatch):
    read = model_file._load_skops

    def warning_read(path, check):
        warnings.warn("saved with another scikit-learn", UserWarning)
        return read(path, check)

    monkeypatch.setattr(model_file, "_load_skops", warning_read)
    for _ in range(2):  # it warns on every load, as without a cache
        with pytest.warns(UserWarning, match="another scikit-learn"):
            load_model("default")
    assert not entry_path(DEFAULT_MODEL_PATH).exists()


def test_a_cached_model_still_gets_the_version_check(cache, monkeypatch):
    load_model("default")  # cached
    _no_skops(monkeypatch)
    monkeypatch.setattr(model_file, "__version__", "9.0.0")  # as if made by 0.1, read by 9.0
    with pytest.raises(model_file.IncompatibleModelError):
        load_model("default")
