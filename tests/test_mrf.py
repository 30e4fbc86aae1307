"""nncolor.mrf: the Potts MRF's similarity on the SOM grid and its mean-field smoothing
(the energy property over random inputs is in test_properties.py)."""
import numpy as np
import pytest

from nncolor.mrf import PottsMRF, similarity_matrix

GRID3 = np.indices((3, 3)).reshape(2, -1).T  # a 3 x 3 SOM: codeword i at (i // 3, i % 3)


def test_similarity_uses_the_som_grid():
    S = similarity_matrix(GRID3, pairwise_weight=2.0, near_score=0.3)
    assert S[0, 0] == 2.0 and S[0, 1] == pytest.approx(0.6) and S[0, 4] == pytest.approx(0.6)
    assert S[0, 2] == 0 and S[0, 8] == 0  # two steps apart on the map


def random_proba(h, w, k, seed=0):
    z = np.random.default_rng(seed).normal(size=(h, w, k)).astype(np.float32) * 2
    p = np.exp(z)
    return p / p.sum(-1, keepdims=True)


@pytest.mark.parametrize("unary", ["log", "linear", "sqrt"])
def test_mrf_elbo_never_decreases(unary):
    p = random_proba(23, 30, 9)
    L = np.random.default_rng(1).random((23, 30)).astype(np.float32) * 100
    mrf = PottsMRF(unary=unary, n_iter=15, tol=0)
    _, info = mrf.smooth(p, L, GRID3, return_info=True, track_elbo=True)
    elbo = np.array(info["elbo"])
    assert len(elbo) == 15 and info["n_iter"] == 15
    assert not hasattr(mrf, "n_iter_")  # no state kept on the parameter object
    assert np.all(np.diff(elbo) >= -1e-5 * np.abs(elbo[:-1]))
    assert elbo[-1] > elbo[0]


def test_mrf_without_pairwise_returns_the_unary_distribution():
    p = random_proba(9, 12, 9)
    L = np.zeros((9, 12), np.float32)
    np.testing.assert_allclose(PottsMRF(unary="log", pairwise_weight=0).smooth(p, L, GRID3), p,
                               atol=1e-6)
    q = PottsMRF(pairwise_weight=0, unary="linear", unary_weight=10).smooth(p, L, GRID3)
    ref = np.exp(10 * p)
    np.testing.assert_allclose(q, ref / ref.sum(-1, keepdims=True), atol=1e-6)


def test_mrf_smooths_flat_regions_but_not_across_edges():
    # left half dark, right half bright; the classifier is noisy everywhere
    rng = np.random.default_rng(0)
    truth = np.zeros((20, 20), int)
    truth[:, 10:] = 8
    L = np.where(truth == 0, 20.0, 80.0).astype(np.float32)
    p = np.full((20, 20, 9), 0.05, np.float32)
    p[np.arange(20)[:, None], np.arange(20), truth] = 0.6
    noisy = rng.random((20, 20)) < 0.25
    wrong = rng.integers(0, 9, (20, 20))
    p[noisy] = 0.05
    p[np.flatnonzero(noisy) // 20, np.flatnonzero(noisy) % 20, wrong[noisy]] = 0.6
    before = (p.argmax(-1) == truth).mean()
    weak = PottsMRF(unary="log", pairwise_weight=1.0, sigma=25, n_iter=30, tol=1e-4).smooth(
        p, L, GRID3)
    mrf = PottsMRF(unary="log", pairwise_weight=2.0, sigma=25, n_iter=30, tol=1e-4)
    strong, info = mrf.smooth(p, L, GRID3, return_info=True)
    strong = strong.argmax(-1)
    assert before < 0.85 < (weak.argmax(-1) == truth).mean() < (strong == truth).mean()
    assert (strong == truth).mean() > 0.97
    # no color leaks across the lightness edge between the halves
    assert not (strong[:, :10] == 8).any() and not (strong[:, 10:] == 0).any()
    assert info["n_iter"] < 30  # stopped early at the tolerance


def test_mrf_clamps_hints_and_handles_odd_sizes():
    p = random_proba(7, 5, 9)
    L = np.full((7, 5), 50.0, np.float32)
    clamp = np.full((7, 5), -1)
    clamp[3, 2] = 4
    q = PottsMRF().smooth(p, L, GRID3, clamp=clamp)
    assert q.shape == (7, 5, 9)
    assert q[3, 2].argmax() == 4 and q[3, 2, 4] > 0.99
    np.testing.assert_allclose(q.sum(-1), 1, atol=1e-5)
    with pytest.raises(ValueError, match="shapes disagree"):
        PottsMRF().smooth(p, L[:3], GRID3)
