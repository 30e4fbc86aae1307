import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from nncolor import SOMQuantizer


@parametrize_with_checks([SOMQuantizer(n_iterations=100), SOMQuantizer((4, 2), n_iterations=50,
                                                                        initialization="random")])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def chroma():
    rng = np.random.default_rng(0)
    centers = np.array([[-40, 20], [60, 10], [0, -50], [10, 40]])
    return (centers[rng.integers(0, 4, 4000)] + rng.normal(size=(4000, 2)) * 8).astype(np.float32)


def test_codebook_grid_and_labels(chroma):
    q = SOMQuantizer((3, 4), n_iterations=2000, random_state=0).fit(chroma)
    assert q.cluster_centers_.shape == (12, 2) and q.cluster_centers_.dtype == np.float32
    assert q.n_colors_ == 12
    assert sorted(map(tuple, q.grid_)) == [(r, c) for r in range(3) for c in range(4)]
    labels = q.predict(chroma)
    assert labels.min() >= 0 and labels.max() < 12
    d = np.linalg.norm(chroma[:, None] - q.cluster_centers_[None], axis=-1)
    assert (labels == d.argmin(1)).mean() > 0.999
    assert q.inverse_transform(labels).shape == (4000, 2)
    assert q.inverse_transform(labels.reshape(40, 100)).shape == (40, 100, 2)


def test_errors_shrink_with_map_size(chroma):
    errs = [SOMQuantizer(s, n_iterations=3000, random_state=0).fit(chroma).quantization_error_
            for s in [(2, 2), (3, 3), (6, 6)]]
    assert errs[0] > errs[1] > errs[2] > 0
    q = SOMQuantizer((3, 3), n_iterations=3000, random_state=0).fit(chroma)
    assert 0 <= q.topographic_error_ <= 1
    assert q.score(chroma) == pytest.approx(-q.quantization_error(chroma))


def test_random_state_and_pickle(chroma):
    a = SOMQuantizer(random_state=3, n_iterations=500).fit(chroma)
    b = clone(a).fit(chroma)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    a.predict(chroma)  # builds the lookup index, which must not be pickled
    c = pickle.loads(pickle.dumps(a))
    assert not hasattr(c, "_grid_index") or c._grid_index is None
    assert a._grid_index is not None  # pickling left the original alone
    np.testing.assert_array_equal(c.predict(chroma), a.predict(chroma))


def test_refit_labels_with_the_new_codebook(chroma):
    q = SOMQuantizer((3, 3), n_iterations=500, random_state=0).fit(chroma)
    q.predict(chroma)
    moved = chroma * 2 + 40
    q.fit(moved)
    d = np.linalg.norm(moved[:, None] - q.cluster_centers_[None], axis=-1)
    assert (q.predict(moved) == d.argmin(1)).mean() > 0.999


def test_bad_parameters(chroma):
    with pytest.raises(ValueError, match="shape"):
        SOMQuantizer((1, 1)).fit(chroma)
    with pytest.raises(ValueError, match="labels must lie"):
        SOMQuantizer((2, 2), n_iterations=10).fit(chroma).inverse_transform([7])
    with pytest.raises(TypeError, match="integers"):
        SOMQuantizer((2, 2), n_iterations=10).fit(chroma).inverse_transform([0.5])
