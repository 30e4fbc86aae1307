"""A Potts-model Markov random field that smooths per-pixel codebook distributions.

The model of Melas-Kyriazi & Han (2017, section 3.2), with the codebook of a SOM:

* unary potential of pixel i and color k: ``unary_weight * f(p_i(k))``, with f the
  identity (the paper's choice), the square root (its smoother variant), or the log
  (with weight 1 and no pairwise term, the output is exactly the classifier's p);
* pairwise potential of 4-neighbours i, j: ``w_ij * s(k, l)``, where
  ``w_ij = exp(-(L_i - L_j)^2 / sigma)`` lets colors change across lightness edges, and
  ``s(k, l) = pairwise_weight * (1 if k == l, near_score if the nodes k and l are
  neighbours on the SOM grid, else 0)``. Neighbouring SOM nodes hold similar colors: this
  is what the paper's ``|y_i - y_j| <= 2`` on ordered color bins meant.

Inference is mean field (coordinate-ascent variational inference): each pixel's
distribution is set to ``softmax(unary_i + sum_j w_ij S q_j)``, the exact maximizer of the
evidence lower bound (ELBO) given its neighbours. The pixels are updated red-black: on a
checkerboard the neighbours of a red pixel are all black, so updating all red pixels at
once is still coordinate ascent and the ELBO never decreases.

Layout and kernels (chosen by measurement, ``python -m pipelines.benchmark --only mrf``):
the image is stored as four sub-lattices (even/odd rows x even/odd columns), each a
contiguous ``(K, H/2, W/2)`` float32 array, so a red-black half-sweep updates two whole
arrays from the other two with no masks and no wasted work. The update of a sub-lattice is
one fused numba kernel (message, S x message, softmax; rows in parallel) whose inner loops
run along image rows, so they vectorize. Measured on a 512 x 512 sub-lattice with K = 9:
composed NumPy operations (about 15 passes over K x H x W floats per sweep) were slowest; a
per-pixel kernel on ``(H/2, W/2, K)`` arrays, whose short K loops do not vectorize, took
1.7x as long as this one. Two details matter as much as the layout (one thread, 1024 x
1024, 10 sweeps: 1.44 s before both, 0.82 s after): shifted neighbours are read through
row slices, since a possibly negative index makes numba check it on every access and
stops vectorization; and ``exp`` is a polynomial with the exponent built from its bits,
as ``math.exp`` is a scalar call here. Splitting into sub-lattices, the unary potentials,
the edge weights and the merge back are numba kernels too (0.14 s -> 0.08 s).
"""
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

_LATTICES = ((0, 0), (0, 1), (1, 0), (1, 1))
_RED, _BLACK = ((0, 0), (1, 1)), ((0, 1), (1, 0))
# A hint's unary bonus: large enough that softmax gives it all the mass, finite so the
# ELBO stays finite.
_CLAMP = np.float32(1e3)


def similarity_matrix(grid, pairwise_weight=1.0, near_score=0.3):
    """Pairwise score ``S[k, l]`` of two codebook colors from their SOM grid positions."""
    grid = np.asarray(grid)
    dist = np.abs(grid[:, None, :] - grid[None, :, :]).max(axis=-1)  # Chebyshev on the map
    s = np.where(dist == 0, 1.0, np.where(dist == 1, near_score, 0.0))
    return (pairwise_weight * s).astype(np.float32)


def _neighbours(r, c):
    """Sub-lattice (r, c)'s neighbours right, left, down, up: their sub-lattice and shift."""
    return [((rr % 2, cc % 2), (rr // 2, cc // 2))
            for rr, cc in ((r, c + 1), (r, c - 1), (r + 1, c), (r - 1, c))]


class PottsMRF(BaseEstimator):
    """Mean-field smoothing of per-pixel codebook distributions (Potts model).

    The defaults of ``unary``, ``pairwise_weight`` and ``sigma`` were chosen by
    measurement: ``python -m pipelines.decoders`` searches 2 x 4 x 3 settings on
    validation photos of both collections in ../shared/data, and this one had the best mean
    PSNR among those keeping at least half the true colorfulness (README, "Decoders"). It
    lies on the edge of that grid (strongest coupling, widest lightness scale).

    Parameters
    ----------
    unary : {"log", "linear", "sqrt"}, default="sqrt"
        The function f of the probabilities in the unary potential ("sqrt": the paper's
        smoother variant, which also measured best here).
    unary_weight : float, default=1.0
    pairwise_weight : float, default=4.0
        Score of equal colors on neighbouring pixels of equal lightness.
    near_score : float, default=0.3
        Score of neighbouring SOM nodes relative to equal colors (the paper's 3 / 10).
    sigma : float, default=100.0
        Lightness scale, in L* units squared: pixels whose L* differ by ``sqrt(sigma)``
        (10 L* units) are coupled ``exp(-1)`` as strongly as pixels of equal L*.
    n_iter : int, default=10
        Most red-black sweeps.
    tol : float, default=1e-3
        Stop when no probability changes by more than this in a sweep.
    decode : {"mode", "expectation"}, default="mode"
        How the colorizer turns the smoothed distributions into colors.

    :meth:`smooth` keeps no state on the object (one smoother can serve several threads);
    it returns the sweeps used and the ELBO trace when asked to.
    """

    _parameter_constraints = {
        "unary": [StrOptions({"log", "linear", "sqrt"})],
        "unary_weight": [Interval(Real, 0, None, closed="left")],
        "pairwise_weight": [Interval(Real, 0, None, closed="left")],
        "near_score": [Interval(Real, 0, 1, closed="both")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "decode": [StrOptions({"mode", "expectation"})],
    }

    def __init__(self, unary="sqrt", unary_weight=1.0, pairwise_weight=4.0, near_score=0.3,
                 sigma=100.0, n_iter=10, tol=1e-3, decode="mode"):
        self.unary = unary
        self.unary_weight = unary_weight
        self.pairwise_weight = pairwise_weight
        self.near_score = near_score
        self.sigma = sigma
        self.n_iter = n_iter
        self.tol = tol
        self.decode = decode

    def unary_potential(self, proba):
        """``unary_weight * f(proba)``, float32, same shape."""
        p = np.asarray(proba, dtype=np.float32)
        if self.unary == "log":
            f = np.log(np.maximum(p, np.float32(1e-30)))
        elif self.unary == "sqrt":
            f = np.sqrt(p)
        else:
            f = p
        return np.float32(self.unary_weight) * f

    def smooth(self, proba, L, grid, clamp=None, return_info=False, track_elbo=False):
        """Run mean field from ``proba`` and return the smoothed distributions.

        Parameters
        ----------
        proba : ndarray, shape (H, W, K)
            Per-pixel distributions over the codebook.
        L : ndarray, shape (H, W)
            Lightness L* in [0, 100].
        grid : ndarray, shape (K, 2)
            Position of each codebook color on the SOM grid.
        clamp : ndarray of int, shape (H, W), optional
            Codebook label that a pixel is held to (a color hint), -1 where free.
        return_info : bool
            Also return ``{"n_iter": sweeps used, "elbo": [ELBO after each sweep]}``.
        track_elbo : bool
            Compute the ELBO after every sweep for ``info["elbo"]`` (a full pass each).

        Returns
        -------
        q : ndarray of float32, shape (H, W, K)
        info : dict, only if ``return_info``
        """
        from . import mrf_kernels  # numba: loaded on the first smoothing, not at import

        self._validate_params()
        proba = np.asarray(proba, dtype=np.float32)
        h, w, k = proba.shape
        if L.shape != (h, w) or len(grid) != k:
            raise ValueError(f"shapes disagree: proba {proba.shape}, L {L.shape}, grid {len(grid)}")
        S = similarity_matrix(grid, self.pairwise_weight, self.near_score)
        # odd sides are padded to even ones; padded pixels are coupled to nothing
        shape = (4, k, (h + 1) // 2, (w + 1) // 2)
        Q, theta = np.empty(shape, np.float32), np.empty(shape, np.float32)
        mrf_kernels.split(proba, mrf_kernels.UNARY[self.unary], np.float32(self.unary_weight), Q, theta)
        if clamp is not None:
            lat, rows, cols = _lattice_index(*np.nonzero(clamp >= 0))
            theta[lat, clamp[clamp >= 0], rows, cols] += _CLAMP
        W4 = np.empty((4, 4) + shape[2:], np.float32)
        mrf_kernels.edge_weights(np.asarray(L, np.float32), np.float32(self.sigma), W4)
        q = dict(zip(_LATTICES, Q))
        theta_s = dict(zip(_LATTICES, theta))
        weights = dict(zip(_LATTICES, W4))
        elbo, sweeps = [], 0
        for _ in range(self.n_iter):
            change = 0.0
            for colour in (_RED, _BLACK):
                for s in colour:
                    (nh, (_, sr)), (_, (_, sl)), (nv, (sd, _)), (_, (su, _)) = _neighbours(*s)
                    change = max(change, float(mrf_kernels.update_lattice(
                        q[s], theta_s[s], S, q[nh], q[nv], weights[s],
                        np.array([sr, sl]), np.array([sd, su]))))
            sweeps += 1
            if track_elbo:
                elbo.append(self._elbo(q, theta_s, weights, S))
            if change < self.tol:
                break
        out = np.empty((h, w, k), dtype=np.float32)
        mrf_kernels.merge(Q, out)
        return (out, {"n_iter": sweeps, "elbo": elbo}) if return_info else out

    def _elbo(self, q, theta_s, weights, S):
        """E_q[unary] + E_q[pairwise] (each edge once) + entropy of q, in float64."""
        total = 0.0
        for s in _LATTICES:
            qs = q[s].astype(np.float64)
            total += float((qs * theta_s[s]).sum())
            total -= float((qs * np.log(np.maximum(qs, 1e-30))).sum())
            if s in _RED:  # every edge joins a red and a black pixel: count it from red
                k, hs, ws = qs.shape
                msg = np.zeros_like(qs)
                for e, (nb, (da, db)) in enumerate(_neighbours(*s)):
                    (ra, sa), (rb, sb) = _slices(da, hs), _slices(db, ws)
                    msg[:, ra, rb] += weights[s][e, ra, rb] * q[nb][:, sa, sb]
                total += float((qs.reshape(k, -1) * (S @ msg.reshape(k, -1))).sum())
        return total


def _lattice_index(y, x):
    """Sub-lattice number (as in ``_LATTICES``) and position of image pixels (y, x)."""
    return 2 * (y % 2) + x % 2, y // 2, x // 2


def _slices(shift, n):
    """(dst, src) slices so that ``out[dst] = a[src]`` means ``out[x] = a[x + shift]``."""
    return slice(max(0, -shift), n - max(0, shift)), slice(max(0, shift), n - max(0, -shift))
