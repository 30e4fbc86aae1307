import numpy as np
import pytest

from nncolor.nearest import VoronoiGrid, brute_force_argmin


def exact(X, C):
    d = ((X[:, None, :].astype(np.float64) - C[None].astype(np.float64)) ** 2).sum(-1)
    return d.argmin(1)


@pytest.mark.parametrize("k", [2, 9, 100, 400])
def test_grid_equals_exact_search(k):
    rng = np.random.default_rng(k)
    C = (rng.normal(size=(k, 2)) * 30).astype(np.float32)
    # points inside the grid, outside it, and exactly on codewords
    X = np.vstack([rng.normal(size=(20000, 2)) * 30, rng.normal(size=(500, 2)) * 400, C])
    X = X.astype(np.float32)
    ref = exact(X, C)
    got = VoronoiGrid(C, resolution=128).query(X)
    # a disagreement may only be a tie (to float32 rounding) between two codewords
    d = ((X[:, None, :].astype(np.float64) - C[None]) ** 2).sum(-1)
    rows = np.flatnonzero(got != ref)
    np.testing.assert_allclose(d[rows, got[rows]], d[rows, ref[rows]], rtol=1e-4)
    assert len(rows) <= 5
    assert (brute_force_argmin(X, C, chunk=777) == got).mean() > 0.9999


def test_grid_rejects_bad_codebook():
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        VoronoiGrid(np.zeros((3, 3)))
