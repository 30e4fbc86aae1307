"""Model-aware evaluation (nncolor.evaluation): the metrics table, its summary for a card,
and the names that moved here staying importable where the docs show them. (The verdict
lines: test_first_minutes.py; the scorer: test_table2.py.)"""
import numpy as np
import pytest

from nncolor.evaluation import METRIC_COLUMNS, evaluate, summarize_metrics


def test_evaluate_table(fitted, photos):
    table = evaluate(fitted, photos[4:], names=["ihc"])
    assert list(table["method"]) == ["colorizer", "gray", "mean color"]
    assert list(table.columns) == ["image", "method", *METRIC_COLUMNS]
    assert set(METRIC_COLUMNS) == {"psnr", "rmse_uv", "accuracy", "colorfulness",
                                   "splotchiness"}
    assert 0 <= table["accuracy"].iloc[0] <= 1
    assert table["colorfulness"].iloc[1] < 1  # the gray baseline has no color


def test_evaluate_checks_names_and_color(fitted, photos):
    with pytest.raises(ValueError, match="2 names for 1 images"):
        evaluate(fitted, photos[4:], names=["a", "b"])
    with pytest.raises(ValueError):
        evaluate(fitted, [photos[0].mean(axis=-1).astype(np.uint8)])


def test_summary_means_each_metric_per_method(fitted, photos):
    table = evaluate(fitted, photos[3:], names=["rocket", "ihc"])
    summary = summarize_metrics(table)
    assert list(summary) == ["colorizer", "gray", "mean color"]
    ours = table[table["method"] == "colorizer"]
    assert summary["colorizer"]["psnr"] == pytest.approx(ours["psnr"].mean(), abs=1e-4)
    assert summary["colorizer"]["n_images"] == 2
    assert set(summary["colorizer"]) == {*METRIC_COLUMNS, "n_images"}
    assert "accuracy" not in summary["gray"]  # NaN for a baseline: left out


def test_card_names_stay_importable_from_model_file():
    import nncolor.card as card
    import nncolor.model_file as model_file

    for name in ("make_card", "model_card", "model_params", "CARD_FORMAT"):
        assert getattr(model_file, name) is getattr(card, name)
    assert model_file.summarize_metrics is summarize_metrics
