"""Model files from strangers: skops loads without running code, pickles only when trusted;
damaged, truncated, wrong-type and other-version files give clear errors.

"Runs code" is observed, not assumed: the hostile files here would create a marker file
when unpickled or built, and the tests check that the marker never appears.
"""
import importlib
import json
import os
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io
from PIL import Image
from sklearn.linear_model import LogisticRegression

from nncolor import __version__
from nncolor.model_file import (
    SAFE_TYPES,
    IncompatibleModelError,
    ModelFileError,
    UntrustedModelError,
    load_model,
    model_format,
    save_model,
)

from .conftest import small, tiny_colorizer
from .test_cli import nncolor

MARKER = "NNCOLOR_TEST_MARKER"


def _plant(path):
    """What a hostile model would do when loaded: leave a file behind."""
    Path(path).write_text("code ran")
    return "planted"


class Payload:
    """Unpickling this calls :func:`_plant` (pickle's __reduce__: any callable)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return _plant, (self.marker,)


class Planting:
    """Building this from its state (as skops would) plants the marker."""

    def __init__(self, marker):
        self.marker = marker

    def __setstate__(self, state):
        _plant(state["marker"])


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fitted):
    folder = tmp_path_factory.mktemp("models")
    return save_model(fitted, folder / "tiny.skops"), save_model(fitted, folder / "tiny.joblib")


def _rewrite_schema(src, dst, edit):
    """Copy a skops file with its schema.json changed by ``edit(text) -> text``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                data = edit(data.decode()).encode()
            zout.writestr(item, data)
    return dst


# ------------------------------------------------------------------ the safe format
def test_skops_round_trip_is_exact_and_records_versions(saved, fitted, photos):
    import sklearn

    path, _ = saved
    assert zipfile.is_zipfile(path) and model_format(path) == "skops"
    loaded = load_model(path)
    gray = photos[4]
    np.testing.assert_array_equal(loaded.predict(gray), fitted.predict(gray))
    card = loaded.model_card_
    assert card["nncolor_version"] == __version__
    assert card["sklearn_version"] == sklearn.__version__


def test_the_allow_list_is_what_a_colorizer_needs(fitted, photos):
    """Every allowed name is a real class; a colorizer (adam or sgd MLP) needs no other."""
    for name in SAFE_TYPES:
        module, _, cls = name.rpartition(".")
        if module == "nncolor.cnn":
            continue  # importing needs nothing, but keep the check independent of torch
        assert isinstance(getattr(importlib.import_module(module), cls), type)
    sgd = tiny_colorizer().set_params(classifier__solver="sgd").fit(photos[:2])
    for col in (fitted, sgd):
        assert set(skops.io.get_untrusted_types(data=skops.io.dumps(col))) <= set(SAFE_TYPES)


def test_train_writes_skops_by_default_name(tmp_path):
    assert model_format("model.skops") == "skops" and model_format("model") == "skops"
    assert model_format("m.joblib") == model_format("m.PKL") == "joblib"


def test_a_skops_file_naming_other_types_is_refused_without_building_them(saved, fitted,
                                                                          tmp_path):
    marker = tmp_path / "marker"
    hostile = tiny_colorizer()
    hostile.__dict__.update(fitted.__dict__)
    hostile.model_card_ = {"note": Planting(str(marker))}
    skops.io.dump(hostile, tmp_path / "hostile.skops")
    with pytest.raises(UntrustedModelError, match="test_model_safety.Planting"):
        load_model(tmp_path / "hostile.skops")
    assert not marker.exists()


def test_a_pickle_is_refused_unless_trusted(tmp_path):
    marker = tmp_path / "marker"
    joblib.dump(Payload(str(marker)), tmp_path / "evil.joblib")
    with pytest.raises(UntrustedModelError, match="pickle.*trust-model"):
        load_model(tmp_path / "evil.joblib")
    assert not marker.exists()
    # a pickle renamed .skops is not unpickled even when trusted
    (tmp_path / "evil.skops").write_bytes((tmp_path / "evil.joblib").read_bytes())
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(tmp_path / "evil.skops", trusted=True)
    assert not marker.exists()
    # trusted: it is unpickled (which is why it must be asked for), and then refused
    with pytest.raises(ModelFileError, match="holds a str"):
        load_model(tmp_path / "evil.joblib", trusted=True)
    assert marker.exists()


def test_joblib_still_loads_for_notebooks(saved, fitted, photos):
    _, path = saved
    gray = photos[4]
    np.testing.assert_array_equal(joblib.load(path).predict(gray), fitted.predict(gray))
    assert load_model(path, trusted=True).model_card_["nncolor_version"] == __version__


# ------------------------------------------------------------------ broken files
def _corrupt(data):
    """Flip every byte of the middle third."""
    out = bytearray(data)
    third = len(out) // 3
    out[third:2 * third] = bytes(b ^ 0xFF for b in out[third:2 * third])
    return bytes(out)


@pytest.mark.parametrize("fmt", ["skops", "joblib"])
@pytest.mark.parametrize("damage", ["truncated", "corrupted", "empty", "header only"])
def test_damaged_model_files_give_clear_errors(saved, tmp_path, fmt, damage):
    src = saved[0] if fmt == "skops" else saved[1]
    data = src.read_bytes()
    broken = {"truncated": data[:len(data) // 2], "corrupted": _corrupt(data), "empty": b"",
              "header only": data[:4]}[damage]
    path = tmp_path / f"broken.{fmt}"
    path.write_bytes(broken)
    with pytest.raises(ModelFileError) as caught:
        load_model(path, trusted=True)
    message = str(caught.value)
    assert str(path) in message
    assert any(w in message for w in ("damaged", "truncated", "empty", "not an nncolor")), message


def test_wrong_types_in_a_skops_file(tmp_path, photos):
    skops.io.dump({"weights": [1, 2]}, tmp_path / "dict.skops")
    with pytest.raises(ModelFileError, match="holds a dict, not an nncolor colorizer"):
        load_model(tmp_path / "dict.skops")
    X = np.random.default_rng(0).normal(size=(20, 3))
    clf = LogisticRegression().fit(X, X[:, 0] > 0)
    skops.io.dump(clf, tmp_path / "logreg.skops")
    with pytest.raises(ModelFileError, match="holds a LogisticRegression"):
        load_model(tmp_path / "logreg.skops")
    skops.io.dump(tiny_colorizer(), tmp_path / "unfitted.skops")
    with pytest.raises(ModelFileError, match="never fitted"):
        load_model(tmp_path / "unfitted.skops")
    (tmp_path / "photo.skops").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(tmp_path / "photo.skops")
    with pytest.raises(IsADirectoryError):
        load_model(tmp_path)


def test_other_versions(saved, tmp_path):
    path, _ = saved
    old = _rewrite_schema(path, tmp_path / "old.skops",
                          lambda t: t.replace(f'\\"{__version__}\\"', '\\"0.0.7\\"'))
    with pytest.raises(IncompatibleModelError, match="nncolor 0.0.7.*retrain"):
        load_model(old)
    assert load_model(old, check=False).model_card_["nncolor_version"] == "0.0.7"
    # a class the file names that this nncolor no longer has: refused by name, not built
    gone = _rewrite_schema(path, tmp_path / "gone.skops",
                           lambda t: t.replace('"SOMQuantizer"', '"OldQuantizer"'))
    with pytest.raises(UntrustedModelError, match="nncolor.som.OldQuantizer"):
        load_model(gone)
    # another scikit-learn: loads, with one warning that names both versions
    import sklearn

    other = _rewrite_schema(path, tmp_path / "sk.skops", lambda t: t.replace(
        f'\\"{sklearn.__version__}\\"', '\\"0.24.0\\"'))
    with pytest.warns(UserWarning, match="scikit-learn 0.24.0; this is"):
        load_model(other)


def test_the_schema_card_is_what_the_file_holds(saved):
    """The version read before building is the one in the card (no drift of layout)."""
    from nncolor.model_file import _stored_version

    path, _ = saved
    with zipfile.ZipFile(path) as archive:
        assert _stored_version(json.loads(archive.read("schema.json"))) == __version__


# ------------------------------------------------------------------ the command

def test_the_command_refuses_an_untrusted_pickle(saved, tmp_path, capsys):
    from nncolor import cli

    _, pickled = saved
    marker = tmp_path / "marker"
    joblib.dump(Payload(str(marker)), tmp_path / "evil.joblib")
    Image.fromarray(np.full((8, 8), 90, np.uint8)).save(tmp_path / "in.png")
    result = nncolor("colorize", tmp_path / "in.png", "--model", tmp_path / "evil.joblib")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--trust-model" in result.stderr and "evil.joblib" in result.stderr
    assert cli.main(["info", str(tmp_path / "evil.joblib")]) == 1
    assert "--trust-model" in capsys.readouterr().err
    assert not marker.exists() and not (tmp_path / "in_colorized.png").exists()
    assert cli.main(["colorize", str(tmp_path / "in.png"), "--model", str(pickled),
                     "--trust-model", "-q"]) == 0
    assert (tmp_path / "in_colorized.png").is_file()


def test_the_command_names_a_damaged_model(saved, tmp_path, capsys):
    from nncolor import cli

    path, _ = saved
    (tmp_path / "cut.skops").write_bytes(path.read_bytes()[:1000])
    Image.fromarray(np.full((8, 8), 90, np.uint8)).save(tmp_path / "in.png")
    assert cli.main(["colorize", str(tmp_path / "in.png"), "--model",
                     str(tmp_path / "cut.skops")]) == 1
    err = capsys.readouterr().err
    assert "cut.skops" in err and "damaged or truncated" in err and "Traceback" not in err


# ------------------------------------------------------------------ the CNN backend
def test_a_cnn_colorizer_round_trips_through_skops(tmp_path):
    pytest.importorskip("torch")
    from skimage import data

    photos = [small(im(), 32) for im in (data.astronaut, data.coffee, data.chelsea)]
    col = tiny_colorizer(backend="cnn", width=4, epochs=1, crop_size=16).fit(photos)
    path = save_model(col, tmp_path / "cnn.skops")
    loaded = load_model(path)
    gray = small(data.camera(), 32)
    np.testing.assert_array_equal(loaded.predict_proba(gray), col.predict_proba(gray))
    assert os.path.getsize(path) > 0
