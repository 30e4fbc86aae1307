"""Model files (nncolor.model_file): save and load, what loading refuses, the shipped
models. (Loading untrusted files: test_model_safety.py; files of older versions:
test_model_compat.py.)"""
import joblib
import pytest

from nncolor.model_file import (
    DEFAULT_MODEL_PATH,
    ModelFileError,
    load_default_model,
    load_model,
    model_format,
    save_model,
    shipped_models,
)

from .conftest import tiny_colorizer


def test_save_then_load_gives_the_same_colors_and_card(tmp_path, fitted, photos):
    import numpy as np

    from nncolor.card import make_card

    card = make_card(fitted, sources={"photos": 4}, n_photos=4)
    before = getattr(fitted, "model_card_", None)
    for name in ("m.skops", "m.joblib"):
        path = save_model(fitted, tmp_path / name, card)
        loaded = load_model(path, trusted=name.endswith(".joblib"))
        assert model_format(path) == name.split(".")[1]
        assert loaded.model_card_ == card
        # the card goes into the file, not onto the caller's colorizer
        assert getattr(fitted, "model_card_", None) is before
        np.testing.assert_array_equal(loaded.predict(photos[4]), fitted.predict(photos[4]))
    with pytest.raises(FileExistsError):
        save_model(fitted, tmp_path / "m.skops", card)


def test_save_refuses_what_is_not_a_fitted_colorizer(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(TypeError, match="saves an nncolor colorizer"):
        save_model({"not": "a model"}, tmp_path / "m.skops")
    with pytest.raises(NotFittedError):
        save_model(tiny_colorizer(), tmp_path / "m.skops")
    assert list(tmp_path.iterdir()) == []


def test_load_model_names_what_is_wrong(tmp_path, fitted):
    joblib.dump({"not": "a model"}, tmp_path / "dict.joblib")
    (tmp_path / "text.joblib").write_text("hello")
    with pytest.raises(ModelFileError, match="holds a dict, not an nncolor colorizer"):
        load_model(tmp_path / "dict.joblib", trusted=True)
    with pytest.raises(ModelFileError, match="not an nncolor model file"):
        load_model(tmp_path / "text.joblib", trusted=True)
    joblib.dump(tiny_colorizer(), tmp_path / "unfitted.joblib")
    with pytest.raises(ModelFileError, match="never fitted"):
        load_model(tmp_path / "unfitted.joblib", trusted=True)


def test_shipped_model_is_small_and_carries_its_card():
    # How fast it loads is measured by pipelines.startup_benchmark, not by a timed test.
    assert DEFAULT_MODEL_PATH.is_file()
    assert DEFAULT_MODEL_PATH.stat().st_size < 1_000_000
    col = load_default_model()
    card = col.model_card_
    assert card["params"]["decoder"] == col.decoder
    assert card["held_out"]["colorizer"]["n_images"] > 0
    assert card["command"].startswith("python -m pipelines.default_model")
    # trained and measured on every kind of photo
    assert len(card["held_out_by_folder"]) == len(card["training_data"]["sources"]) == 7


@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_every_shipped_model_colorizes_and_its_card_shows_it_beats_gray(name):
    import numpy as np

    path = shipped_models()[name]
    assert path.stat().st_size < 1_000_000
    col = load_model(name)
    card = col.model_card_
    if hasattr(col, "experts"):  # a mixture: its experts are shipped models, by name
        assert card["experts"] == dict(col.experts)
        assert set(card["experts"].values()) <= set(shipped_models()) - {name}
        # measured with the expert files shipped now: retrain an expert, remeasure this
        assert card["experts_created"] == {kind: load_model(expert).model_card_["created"]
                                           for kind, expert in col.experts}
    else:
        assert (card["n_colors"], card["params"]["decoder"]) == (col.n_colors_, col.decoder)
    gray = np.tile(np.linspace(0, 1, 48, dtype=np.float32), (32, 1))
    rgb = col.predict(gray)
    assert rgb.shape == (32, 48, 3) and np.isfinite(rgb).all()
    by_folder = card["held_out_by_folder"]
    # one figure per folder it was trained on (a folder read with two patterns, once),
    # each measured on every held-out photo
    assert [f"../shared/data/{folder}" for folder in by_folder] == list(dict.fromkeys(
        source.split(" (")[0] for source in card["training_data"]["sources"]))
    measured = sum(figures["colorizer"]["n_images"] for figures in by_folder.values())
    assert measured == card["split"].get("n_test", measured)  # older cards lack the count
    for folder, figures in by_folder.items():
        assert figures["colorizer"]["psnr"] > figures["gray"]["psnr"], \
            f"{name} is below gray on {folder}"


def test_refitting_drops_the_old_card(fitted, photos):
    from copy import deepcopy

    col = deepcopy(fitted)
    col.model_card_ = {"training_data": {"n_photos": 999}}
    col.fit(photos[:2])
    assert not hasattr(col, "model_card_")
