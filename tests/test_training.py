"""The training workflow (nncolor.training): split by name, fit, measure, card."""
import warnings

import pytest

from nncolor.evaluation import WeakModelWarning
from nncolor.card import held_out_figures
from nncolor.training import fit_and_evaluate, measure_held_out, train_and_evaluate

from .conftest import tiny_colorizer


def test_train_and_evaluate_returns_the_model_with_its_card(photos):
    names = [f"photo{i}" for i in range(len(photos))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakModelWarning)  # tiny model: weak is fine here
        result = train_and_evaluate(tiny_colorizer(), photos, names, test_size=2, seed=0,
                                    sources={"here": 5}, command="a test",
                                    description="for a test")
    card = result.card
    assert result.model.model_card_ is card
    assert card["training_data"] == {"sources": {"here": 5}, "n_photos": 3,
                                     "n_pixels": result.model.n_training_pixels_}
    assert card["split"]["n_train"] == 3 and card["split"]["n_test"] == 2
    assert card["command"] == "a test" and card["description"] == "for a test"
    assert set(card["held_out"]) == {"colorizer", "gray", "mean color"}
    assert len(result.held_out) == 2 * 3  # two photos, three methods
    assert isinstance(result.better, bool) and result.verdict.endswith(
        ("settings", ")"))


def test_measure_held_out_finds_the_same_held_out_photos_again(photos):
    """A model measured again without refitting: the same photos, the same figures, and
    with a larger limit, more of them."""
    import pandas as pd

    images = photos[:4] + photos[:4]
    names = ["a", "b", "c", "d"] * 2
    folders = ["one"] * 4 + ["two"] * 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakModelWarning)
        result = train_and_evaluate(tiny_colorizer(), images, names, test_size=2,
                                    folders=folders, max_held_out=1)
    again = measure_held_out(result.model, images, names, test_size=2, folders=folders,
                             max_held_out=1)
    pd.testing.assert_frame_equal(again, result.held_out)
    assert held_out_figures(again) == {k: result.card[k]
                                       for k in ("held_out", "held_out_by_folder")}
    every = measure_held_out(result.model, images, names, test_size=2, folders=folders)
    assert len(every) == 2 * len(again)  # two held-out photos per folder, not one
    assert measure_held_out(result.model, images, names, test_size=0) is None
    with pytest.raises(ValueError, match="3 names for 8 images"):
        measure_held_out(result.model, images, names[:3])


def test_per_folder_split_keeps_shared_names_together_and_limits_the_measure(photos):
    images = photos[:4] + photos[:4]
    names = ["a", "b", "c", "d"] * 2  # the same names in two folders
    folders = ["one"] * 4 + ["two"] * 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakModelWarning)
        held_out, info = fit_and_evaluate(tiny_colorizer(), images, names, test_size=2,
                                          folders=folders, max_held_out=1)
    assert info["split"]["n_test"] == 4  # two per folder left out of training
    assert list(held_out["folder"].unique()) == ["one", "two"]
    measured = held_out.groupby("folder")["image"].unique()
    assert [list(v) for v in measured] == [list(measured["one"])] * 2  # same photo, both
    assert all(len(v) == 1 for v in measured)  # max_held_out per folder


def test_card_has_per_folder_figures(photos):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakModelWarning)
        result = train_and_evaluate(tiny_colorizer(), photos[:4] * 2, ["a", "b", "c", "d"] * 2,
                                    test_size=1, folders=["x"] * 4 + ["y"] * 4)
    assert set(result.card["held_out_by_folder"]) == {"x", "y"}
    assert result.card["split"]["by"].endswith("per folder")


def test_no_held_out_photos_measures_nothing(photos):
    result = train_and_evaluate(tiny_colorizer(), photos[:3], ["a", "b", "c"], test_size=0)
    assert result.held_out is None and result.verdict is None
    assert result.card["held_out"] is None and result.card["training_data"]["n_photos"] == 3


def test_mismatched_names_are_refused(photos):
    with pytest.raises(ValueError, match="2 names for 3 images"):
        train_and_evaluate(tiny_colorizer(), photos[:3], ["a", "b"])
