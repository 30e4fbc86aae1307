"""Table II: the codebook-accuracy scorer and the grid-search pipeline (pipelines/table2.py)."""
import functools

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, cross_validate
from skimage.util import img_as_float32

from nncolor import PatchExtractor
from nncolor.color import luv2rgb, rgb2luv
from nncolor.evaluation import codebook_accuracy_score
from nncolor.metrics import codebook_accuracy
from pipelines import table2

from .conftest import shared_folder, small, tiny_colorizer


@pytest.fixture(scope="module")
def colorizer(photos):
    # the paper's colorizer: its labels are the classifier's alone, with no learned prior
    return tiny_colorizer(global_prior=0).fit(photos[:3])


def hand_accuracy(col, images):
    """Pooled hits / pixels, counted by hand: patches of L through classifier_.predict."""
    hits = total = 0
    for im in images:
        luv = rgb2luv(img_as_float32(im))
        truth = col.quantizer_.predict(luv[..., 1:].reshape(-1, 2))
        patches = PatchExtractor(patch_size=col.features_.patch_size).transform([luv[..., 0]])
        hits += int(np.sum(col.classifier_.predict(patches) == truth))
        total += truth.size
    return hits / total


def test_scorer_equals_hand_computation(colorizer, photos):
    # images of different sizes: the score pools pixels, it is not a mean over images
    images = [photos[3], small(photos[4], side=30)]
    expected = hand_accuracy(colorizer, images)
    per_image = [hand_accuracy(colorizer, [im]) for im in images]
    assert expected != pytest.approx(np.mean(per_image))
    assert codebook_accuracy_score(colorizer, images) == pytest.approx(expected)
    # nearly the same through predict_labels on the gray versions (L kept, u = v = 0;
    # float rounding of the round trip may flip a label or two)
    luv = [rgb2luv(img_as_float32(im)) for im in images]
    gray = [luv2rgb(np.dstack([x[..., :1], np.zeros_like(x[..., 1:])])) for x in luv]
    truth = [colorizer.quantizer_.predict(x[..., 1:].reshape(-1, 2)).reshape(x.shape[:2])
             for x in luv]
    assert codebook_accuracy(truth, colorizer.predict_labels(gray)) == pytest.approx(
        expected, abs=2e-3)
    # drawing at least every pixel scores every pixel
    assert codebook_accuracy_score(colorizer, images, n_pixels=10**6) == pytest.approx(expected)


def test_sampled_scorer_is_seeded_and_close(colorizer, photos):
    full = codebook_accuracy_score(colorizer, photos)
    a = codebook_accuracy_score(colorizer, photos, n_pixels=800, random_state=1)
    assert a == codebook_accuracy_score(colorizer, photos, n_pixels=800, random_state=1)
    assert 0 <= a <= 1 and abs(a - full) < 0.05


def test_scorer_in_cross_validate(photos):
    scorer = functools.partial(codebook_accuracy_score, n_pixels=500)
    res = cross_validate(tiny_colorizer(), photos[:4], cv=KFold(2), scoring=scorer,
                         return_train_score=True)
    assert np.all((res["test_score"] >= 0) & (res["test_score"] <= 1))
    assert np.all(res["train_score"] >= res["test_score"] - 0.2)


def test_center_patch_equals_smaller_patches():
    L = np.random.default_rng(0).random((9, 13)).astype(np.float32) * 100
    big = PatchExtractor(patch_size=11).transform([L])
    for p in (1, 3, 5, 11):
        crop = table2.CenterPatch(patch_size=p, source_size=11).fit(big).transform(big)
        np.testing.assert_array_equal(crop, PatchExtractor(patch_size=p).transform([L]))
    with pytest.raises(ValueError, match="odd"):
        table2.CenterPatch(patch_size=4).fit(big)


def test_paper_table_transcribed():
    paper = table2.paper_table()
    assert len(paper) == 21
    row = paper[(paper["patch_size"] == 3) & (paper["hidden_layers"] == "50+50")].iloc[0]
    assert (row["train"], row["test"]) == (0.419, 0.409)
    assert paper["test"].max() == 0.409 and paper["train"].max() == 0.549


def test_table2_pipeline_small(tmp_path, capsys):
    folder = shared_folder("opencountry-64")
    args = ["--data", str(folder), "--out", str(tmp_path), "--quick", "--images", "30",
            "--pixels", "80", "--max-iter", "5", "--som-iterations", "300", "--n-jobs", "1",
            "--verbose", "0"]
    table2.main(args)
    table = pd.read_csv(tmp_path / "table2.csv")
    assert list(table.columns) == ["protocol", "patch_size", "hidden_layers", "train_mean",
                                   "train_std", "test_mean", "test_std", "fit_time_mean",
                                   "n_splits"]
    assert len(table) == 3 * len(table2.QUICK_PATCH_SIZES) * len(table2.QUICK_HIDDEN_LAYERS)
    assert set(table["protocol"]) == {"by image", "by pixel", "colorizer by image"}
    assert set(table["hidden_layers"]) == {"10", "50+50"}
    assert set(table["patch_size"]) == {3, 5}
    scores = table[["train_mean", "test_mean"]].to_numpy()
    assert np.all((scores > 0) & (scores <= 1)) and set(table["n_splits"]) == {2}
    assert len(pd.read_csv(tmp_path / "table2_paper.csv")) == 21
    for name in ("table2_by_image.png", "table2_by_pixel.png", "table2_colorizer_by_image.png",
                 "table2_paper.png"):
        assert (tmp_path / name).stat().st_size > 5_000
    out = capsys.readouterr().out
    assert "leak" in out and "0.419 / 0.409" in out
    # a second run refuses at once, in one line, before any work
    with pytest.raises(SystemExit, match="exists"):
        table2.main(args)


def test_pixel_pool_groups_by_photo(photos):
    settings = dict(pixels=50, som_iterations=200)
    X, y, groups = table2.pixel_pool(photos[:3], settings, source_size=5)
    assert X.shape == (150, 25) and y.shape == groups.shape == (150,)
    assert np.bincount(groups).tolist() == [50, 50, 50]
    assert set(np.unique(y)) <= set(range(9))


def test_split_by_image_holds_out_whole_photos(photos):
    pool = table2.pixel_pool(photos[:4], dict(pixels=40, som_iterations=200), source_size=3)
    grid = {"features__patch_size": [3], "classifier__hidden_layer_sizes": [(5,)]}
    search = table2.search_pool(pool, grid, dict(folds=2, max_iter=2), 1, 0, by="image")
    groups = pool[2]
    for train, test in search.cv.split(pool[0], pool[1], groups):
        assert not set(groups[train]) & set(groups[test])


def test_table2_names_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit, match="not found"):
        table2.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path)])


def test_fit_progress_counts_fits_done_in_worker_processes(capsys):
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from pipelines._progress import fit_progress

    X, y = load_iris(return_X_y=True)
    est = LogisticRegression(max_iter=200)
    with fit_progress(est, "accuracy", n_fits=6, desc="grid") as scorer:
        search = GridSearchCV(est, {"C": [0.1, 1.0]}, scoring=scorer, cv=3, n_jobs=2,
                              return_train_score=True).fit(X, y)
    assert search.cv_results_["mean_test_score"].min() > 0.8  # the scores are the real ones
    err = capsys.readouterr().err
    assert "grid: 100%" in err and "6/6" in err
