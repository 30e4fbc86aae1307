"""The CNN backend: estimator contract, shapes, determinism, learning, persistence, no torch."""
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from nncolor.cnn import CNNClassifier

from .conftest import tiny_colorizer


def _split_images(n, shape=(32, 32), seed=0):
    """L images whose top part is dark and noisy, bottom part bright; split row varies.

    The split row moves from image to image, so the network has to read lightness, not
    position. Labels: 3 above the split, 7 below (non-contiguous on purpose).
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    images, maps = [], []
    for _ in range(n):
        split = rng.integers(h // 4, 3 * h // 4)
        L = np.where(np.arange(h)[:, None] < split, 30.0, 70.0) + rng.normal(0, 5, (h, w))
        images.append(np.clip(L, 0, 100).astype(np.float32))
        maps.append(np.where(np.arange(h)[:, None] < split, 3, 7).repeat(w, axis=1))
    return images, maps


def _blue_green(n, side=32, seed=0):
    """RGB photos: blue sky on top (bright), green grass below (dark), split row varies."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        split = rng.integers(side // 4, 3 * side // 4)
        img = np.empty((side, side, 3), np.float32)
        img[:split] = (0.55, 0.7, 1.0)
        img[split:] = (0.05, 0.35, 0.05)
        out.append(np.clip(img + rng.normal(0, 0.02, img.shape), 0, 1).astype(np.float32))
    return out


def test_import_without_torch_then_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # "import torch" now raises ImportError
    import nncolor
    from nncolor import make_colorizer

    assert nncolor.SOMColorizer is not None
    with pytest.raises(ImportError, match=r"pip install 'nncolor\[cnn\]'"):
        make_colorizer(backend="cnn")
    images, maps = _split_images(2)
    with pytest.raises(ImportError, match=r"pip install 'nncolor\[cnn\]'"):
        CNNClassifier().fit(images, maps)


def test_import_nncolor_does_not_import_torch():
    code = "import sys, nncolor, nncolor.cnn; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_contract_without_training():
    clf = CNNClassifier(architecture="fusion", width=4, epochs=2)
    assert clf.get_params()["width"] == 4
    other = clone(clf.set_params(width=6, learning_rate=0.01))
    assert other.get_params()["width"] == 6 and other.learning_rate == 0.01
    with pytest.raises(NotFittedError):
        clf.predict_proba(np.zeros((8, 8)))


torch = pytest.importorskip("torch", reason="the CNN backend needs PyTorch (nncolor[cnn])")


@pytest.mark.parametrize("architecture", ["simple", "fusion"])
def test_odd_sizes_and_determinism(architecture):
    images, maps = _split_images(4)
    params = dict(architecture=architecture, width=4, epochs=2, crop_size=16, random_state=0)
    a = CNNClassifier(**params).fit(images, maps)
    b = CNNClassifier(**params).fit(images, maps)
    L = np.random.default_rng(1).uniform(0, 100, (37, 53)).astype(np.float32)
    pa, pb = a.predict_proba(L), b.predict_proba(L)
    assert pa.shape == (37, 53, 2) and pa.dtype == np.float32
    np.testing.assert_allclose(pa.sum(-1), 1, rtol=1e-5)
    np.testing.assert_array_equal(pa, pb)  # same seed, same weights, bit for bit
    assert a.predict(np.zeros((5, 3))).shape == (5, 3)  # smaller than the stride
    assert set(np.unique(a.predict(L))) <= {3, 7}


def test_learns_lightness_rule_with_early_stopping(capsys):
    images, maps = _split_images(24)
    clf = CNNClassifier(width=8, epochs=30, crop_size=32, batch_size=4, learning_rate=3e-3,
                        early_stopping=True, validation_fraction=0.2, n_iter_no_change=5,
                        class_weight="balanced", verbose=1, random_state=0)
    clf.fit(images, maps)
    test_images, test_maps = _split_images(6, shape=(40, 28), seed=1)
    assert clf.score(test_images, test_maps) > 0.95
    assert "val_accuracy" in capsys.readouterr().out
    assert len(clf.validation_scores_) == clf.n_epochs_ <= 30


def test_warm_start_and_partial_fit():
    images, maps = _split_images(4)
    clf = CNNClassifier(width=4, epochs=2, crop_size=16, warm_start=True, random_state=0)
    clf.fit(images, maps).fit(images, maps)
    assert clf.n_epochs_ == 4 and len(clf.loss_curve_) == 4
    clf.partial_fit(images, maps)
    assert clf.n_epochs_ == 5


@pytest.mark.filterwarnings("ignore:PCA initialization inappropriate")
def test_colorizer_learns_blue_over_green_and_round_trips(tmp_path):
    train = _blue_green(16)
    # two codebook colors: the pixel noise would otherwise split the sky over several
    col = tiny_colorizer(backend="cnn", som_shape=(1, 2), width=8, epochs=20, crop_size=32,
                         batch_size=4, learning_rate=3e-3, decoder="mode")
    col.fit(train)
    test = _blue_green(2, seed=5)
    out = col.predict(test)
    for rgb, truth in zip(out, test):
        blue = truth[..., 2] > truth[..., 1]
        assert np.mean((rgb[..., 2] > rgb[..., 1]) == blue) > 0.9
    proba = col.predict_proba(test[0])
    assert proba.shape == (32, 32, col.n_colors_)
    # decoders and the MRF work on the CNN's probabilities
    for decoder in ("annealed", "expectation", "mrf"):
        assert col.set_params(decoder=decoder).predict(test[0]).shape == (32, 32, 3)
    col.set_params(decoder="mode")
    path = tmp_path / "cnn.joblib"
    joblib.dump(col, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(test[0]), proba)
    assert isinstance(loaded.classifier_.state_["0.weight"], np.ndarray)
    # the grid-search scorer on drawn pixels reads the CNN's labels there (all pixels drawn:
    # it equals the full score)
    from nncolor.evaluation import codebook_accuracy_score

    full = codebook_accuracy_score(col, test)
    assert full > 0.9
    assert codebook_accuracy_score(col, test, n_pixels=32 * 32) == pytest.approx(full)


def test_grid_search_over_cnn_parameters():
    photos = _blue_green(6)
    col = tiny_colorizer(backend="cnn", width=4, epochs=1, crop_size=16)
    search = GridSearchCV(col, {"classifier__architecture": ["simple", "fusion"],
                                "classifier__learning_rate": [1e-3]}, cv=2)
    search.fit(photos)
    assert search.best_params_["classifier__architecture"] in ("simple", "fusion")
    assert np.isfinite(search.best_score_)
