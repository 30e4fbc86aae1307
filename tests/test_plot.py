"""nncolor.plot: every figure function returns a titled Figure with the expected axes."""
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nncolor.color import rgb2luv  # noqa: E402
from nncolor.plot import (  # noqa: E402
    plot_codebook, plot_color_reduction, plot_comparison, plot_grid_heatmap, plot_metrics_table,
    plot_prediction_panel, predicted_chroma, reduce_colors)
from nncolor.som import SOMQuantizer  # noqa: E402

from .conftest import tiny_colorizer  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def quantizers(photos):
    uv = np.concatenate([rgb2luv(p / 255.0)[..., 1:].reshape(-1, 2) for p in photos[:4]])
    return [SOMQuantizer(s, n_iterations=500, random_state=0).fit(uv) for s in [(2, 2), (3, 3)]]


@pytest.fixture(scope="module")
def mode_colorizer(photos):
    return tiny_colorizer(decoder="mode").fit(photos[:4])


def _titles(fig):
    return [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]


def test_plot_comparison_still_works(photos):
    rows = [("a", photos[0][..., 0], photos[0], photos[0]),
            ("b", photos[1][..., 0], photos[1], None)]
    fig = plot_comparison(rows)
    assert isinstance(fig, Figure) and len(fig.axes) == 6


def test_codebook(quantizers, mode_colorizer):
    fig = plot_codebook(quantizers[1])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert "9 colors" in fig.get_suptitle()
    grid_ax = fig.axes[0]
    assert grid_ax.get_xlabel() == "SOM column" and grid_ax.get_ylabel() == "SOM row"
    shown = grid_ax.get_images()[0].get_array()
    assert shown.shape == (3, 3, 3) and shown.max() > 0  # not black
    # a colorizer works too, and the plane panel can be dropped
    fig = plot_codebook(mode_colorizer, show_plane=False, title="mine")
    assert len(fig.axes) == 1 and fig.get_suptitle() == "mine"


def test_codebook_refuses_unfitted():
    with pytest.raises(ValueError, match="fit"):
        plot_codebook(SOMQuantizer())


def test_reduce_colors_uses_only_codewords(photos, quantizers):
    painted, rmse = reduce_colors(photos[0], quantizers[0])
    assert painted.shape == photos[0].shape and rmse > 0
    # the painted image keeps L* (up to gamut mapping, which keeps L exactly) ...
    luv_in, luv_out = rgb2luv(photos[0] / 255.0), rgb2luv(painted)
    assert np.abs(luv_in[..., 0] - luv_out[..., 0]).mean() < 0.5
    # ... and more codewords reduce the error
    assert reduce_colors(photos[0], quantizers[1])[1] < rmse


def test_color_reduction(photos, quantizers):
    fig = plot_color_reduction(photos[0], quantizers, titles=["four", "nine"], suptitle="good case")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    titles = _titles(fig)
    assert titles[0] == "original" and titles[1].startswith("four") and "RMSE" in titles[2]
    assert titles[-1] == "good case"
    assert len(fig.reduction_rmse) == 2
    with pytest.raises(ValueError, match="titles"):
        plot_color_reduction(photos[0], quantizers, titles=["one"])


def test_prediction_panel(photos, mode_colorizer):
    fig = plot_prediction_panel(mode_colorizer, photos[3:5], ["rocket", "ihc"])
    assert isinstance(fig, Figure) and len(fig.axes) == 10
    titles = _titles(fig)
    assert titles[:5] == ["original", "original u,v at L*=50", "grayscale input",
                          "predicted u,v at L*=50", "prediction"]
    assert fig.axes[0].get_ylabel() == "rocket"
    for ax in fig.axes:
        assert np.asarray(ax.get_images()[0].get_array()).max() > 0.05  # no black cell


def test_predicted_chroma_matches_codebook_for_mode(photos, mode_colorizer):
    uv = predicted_chroma(mode_colorizer, photos[4])
    assert uv.shape == photos[4].shape[:2] + (2,)
    # every predicted chroma is a codebook color, toned down by the photo's chroma scale
    scale = np.float32(mode_colorizer.chroma_scale(photos[4]))
    codes = {tuple(c) for c in np.round(mode_colorizer.codebook_ * scale, 4)}
    assert {tuple(c) for c in np.round(uv.reshape(-1, 2), 4)} <= codes


@pytest.mark.parametrize("decoder", ["expectation", "annealed", "mrf"])
def test_predicted_chroma_other_decoders(photos, mode_colorizer, decoder):
    from copy import deepcopy

    col = deepcopy(mode_colorizer).set_params(decoder=decoder)  # decoders act at predict time
    uv = predicted_chroma(col, photos[4])
    assert uv.shape == photos[4].shape[:2] + (2,) and np.isfinite(uv).all()


def _grid_search():
    from sklearn.datasets import load_iris
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(MLPClassifier(max_iter=5, random_state=0),
                          {"hidden_layer_sizes": [(3,), (4, 4), (5, 5)],
                           "alpha": [1e-4, 1e-2]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    return search.cv_results_


def test_grid_heatmap_values_equal_cv_results():
    cv = _grid_search()
    fig = plot_grid_heatmap(cv, "hidden_layer_sizes", "alpha", title="search")
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # the map and its colorbar
    ax = fig.axes[0]
    assert ax.get_title() == "search"
    assert ax.get_ylabel() == "hidden_layer_sizes" and ax.get_xlabel() == "alpha"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "4+4", "5+5"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.0001", "0.01"]
    rows = {(3,): 0, (4, 4): 1, (5, 5): 2}
    cols = {1e-4: 0, 1e-2: 1}
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    for h, a, s in zip(cv["param_hidden_layer_sizes"], cv["param_alpha"], cv["mean_test_score"]):
        i, j = rows[tuple(h)], cols[a]
        assert fig.heatmap_values[i, j] == pytest.approx(s)
        assert texts[(i, j)] == f"{s:.3f}"
    # a DataFrame and the param_ prefix work alike, and so does another score column
    fig2 = plot_grid_heatmap(pd.DataFrame(cv), "param_hidden_layer_sizes", "param_alpha",
                             score="mean_fit_time", fmt=".2g")
    assert fig2.heatmap_values.shape == (3, 2)
    assert "mean_fit_time" in fig2.axes[0].get_title()


def test_grid_heatmap_mean_over_third_param_and_gaps():
    cv = {"param_a": [1, 1, 2, 2, 1], "param_b": ["x", "x", "x", "y", "y"],
          "param_c": [0, 1, 0, 0, 0], "mean_test_score": [0.2, 0.4, 0.5, 0.6, 0.1]}
    fig = plot_grid_heatmap(cv, "a", "b")
    np.testing.assert_allclose(fig.heatmap_values, [[0.3, 0.1], [0.5, 0.6]])
    cv = {"param_a": [1, 2], "param_b": ["x", "y"], "mean_test_score": [0.2, 0.4]}
    fig = plot_grid_heatmap(cv, "a", "b")
    assert np.isnan(fig.heatmap_values[0, 1]) and len(fig.axes[0].texts) == 2


def test_grid_heatmap_names_missing_columns():
    cv = {"param_a": [1], "param_b": [2], "mean_test_score": [0.5]}
    with pytest.raises(KeyError, match="nope"):
        plot_grid_heatmap(cv, "nope", "b")
    with pytest.raises(KeyError, match="score"):
        plot_grid_heatmap(cv, "a", "b", score="mean_train_score")


def test_metrics_table():
    table = pd.DataFrame({"method": ["colorizer", "gray"], "psnr": [23.456789, 21.0],
                          "accuracy": [0.41234, np.nan], "hidden": [(50, 50), (10,)]})
    fig = plot_metrics_table(table, title="held-out metrics")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_title() == "held-out metrics"
    cells = ax.tables[0].get_celld()
    texts = {cell.get_text().get_text() for cell in cells.values()}
    assert {"method", "psnr", "23.457", "0.412", "50+50", "gray"} <= texts
    # an indexed summary shows its index as a column
    fig = plot_metrics_table(table.set_index("method"), digits=1)
    texts = {c.get_text().get_text() for c in fig.axes[0].tables[0].get_celld().values()}
    assert {"method", "23.5"} <= texts


def test_grid_heatmap_orders_layers_like_the_paper():
    layers = [(50, 50), (10,), (100, 100), (100,), (50,)]
    cv = {"param_hidden_layer_sizes": layers * 2, "param_patch_size": [5] * 5 + [3] * 5,
          "mean_test_score": np.linspace(0.3, 0.4, 10)}
    fig = plot_grid_heatmap(cv, "patch_size", "hidden_layer_sizes")
    assert fig.heatmap_cols == ["10", "50", "100", "50+50", "100+100"]
    assert fig.heatmap_rows == ["3", "5"]
    assert fig.heatmap_values[1, 3] == pytest.approx(0.3)  # patch 5, 50+50: the first row
    cv["param_solver"] = ["adam", "sgd", None, "adam", "sgd"] * 2  # not numeric: as they come
    fig = plot_grid_heatmap(cv, "solver", "patch_size")
    assert fig.heatmap_rows == ["adam", "sgd", "None"]
