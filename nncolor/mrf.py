"""A Potts-model Markov random field that smooths per-pixel codebook distributions.

The model of Melas-Kyriazi & Han (seed 000, section 3.2), with the codebook of a SOM:

* unary potential of pixel i and color k: ``unary_weight * f(p_i(k))``, with f the
  identity (the seed's choice), the square root (its smoother variant), or the log
  (with weight 1 and no pairwise term, the output is exactly the classifier's p);
* pairwise potential of 4-neighbours i, j: ``w_ij * s(k, l)``, where
  ``w_ij = exp(-(L_i - L_j)^2 / sigma)`` lets colors change across lightness edges, and
  ``s(k, l) = pairwise_weight * (1 if k == l, near_score if the nodes k and l are
  neighbours on the SOM grid, else 0)``. Neighbouring SOM nodes hold similar colors: this
  is what the seed's ``|y_i - y_j| <= 2`` on ordered color bins meant.

Inference is mean field (coordinate-ascent variational inference): each pixel's
distribution is set to ``softmax(unary_i + sum_j w_ij S q_j)``, the exact maximizer of the
evidence lower bound (ELBO) given its neighbours. The pixels are updated red-black: on a
checkerboard the neighbours of a red pixel are all black, so updating all red pixels at
once is still coordinate ascent and the ELBO never decreases.

Layout and kernel (chosen by measurement, ``python -m pipelines.benchmark --mrf``): the
image is stored as four sub-lattices (even/odd rows x even/odd columns), each a contiguous
``(K, H/2, W/2)`` float32 array, so a red-black half-sweep updates two whole arrays from
the other two with no masks and no wasted work. The update of a sub-lattice is one fused
numba kernel (message, S x message, softmax; rows in parallel) whose inner loops run along
image rows, so they vectorize. Measured on a 512 x 512 sub-lattice with K = 9: composed
NumPy operations (about 15 passes over K x H x W floats per sweep) were slowest; a
per-pixel kernel on ``(H/2, W/2, K)`` arrays, whose short K loops do not vectorize, took
1.7x as long as this one.
"""
import math
from numbers import Integral, Real

import numpy as np
from numba import njit, prange
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


def _sub(a, r, c):
    """Sub-lattice (r, c) of an (H, W) or (H, W, K) array; K first: (K, H/2, W/2)."""
    part = a[r::2, c::2]
    return np.ascontiguousarray(part if part.ndim == 2 else part.transpose(2, 0, 1))


def _neighbours(r, c):
    """Sub-lattice (r, c)'s neighbours right, left, down, up: their sub-lattice and shift."""
    return [((rr % 2, cc % 2), (rr // 2, cc // 2))
            for rr, cc in ((r, c + 1), (r, c - 1), (r + 1, c), (r - 1, c))]


@njit(parallel=True, fastmath=True, cache=True)
def _update_lattice(q, theta, S, q_h, q_v, w, shift_h, shift_v):  # pragma: no cover (JIT)
    """Mean-field update of one sub-lattice in place; returns the largest change.

    q, theta: (K, h, w); q_h, q_v: the horizontal and vertical neighbour sub-lattices;
    w: (4, h, w) edge weights right, left, down, up (zero across the image border);
    shift_h, shift_v: index offsets of the (right, left) and (down, up) neighbours.
    Every inner loop runs along an image row, so the compiler vectorizes it; zero
    entries of S (colors apart on the SOM grid) are skipped.
    """
    k, h, wd = q.shape
    row_change = np.zeros(h, np.float32)
    for a in prange(h):
        msg = np.zeros((k, wd), np.float32)
        logit = np.empty((k, wd), np.float32)
        top = np.full(wd, np.float32(-3e38), np.float32)
        total = np.zeros(wd, np.float32)
        for e in range(2):
            s = shift_h[e]
            lo, hi = max(0, -s), min(wd, wd - s)
            for m in range(k):
                for b in range(lo, hi):
                    msg[m, b] += w[e, a, b] * q_h[m, a, b + s]
        for e in range(2):
            aa = a + shift_v[e]
            if 0 <= aa < h:
                for m in range(k):
                    for b in range(wd):
                        msg[m, b] += w[2 + e, a, b] * q_v[m, aa, b]
        for m in range(k):
            for b in range(wd):
                logit[m, b] = theta[m, a, b]
            for n in range(k):
                snm = S[m, n]
                if snm != 0:
                    for b in range(wd):
                        logit[m, b] += snm * msg[n, b]
            for b in range(wd):
                top[b] = max(top[b], logit[m, b])
        for m in range(k):
            for b in range(wd):
                d = logit[m, b] - top[b]
                # probabilities under 4e-18 are set to 0: their products with the edge
                # weights would be float32 subnormals, 10x slower to multiply
                e = math.exp(d) if d > -40 else np.float32(0)
                logit[m, b] = e
                total[b] += e
        for b in range(wd):
            total[b] = np.float32(1) / total[b]
        largest = np.float32(0)
        for m in range(k):
            for b in range(wd):
                v = logit[m, b] * total[b]
                largest = max(largest, abs(v - q[m, a, b]))
                q[m, a, b] = v
        row_change[a] = largest
    return row_change.max()


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
        The function f of the probabilities in the unary potential ("sqrt": the seed's
        smoother variant, which also measured best here).
    unary_weight : float, default=1.0
    pairwise_weight : float, default=4.0
        Score of equal colors on neighbouring pixels of equal lightness.
    near_score : float, default=0.3
        Score of neighbouring SOM nodes relative to equal colors (the seed's 3 / 10).
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
        self._validate_params()
        proba = np.asarray(proba, dtype=np.float32)
        h, w, k = proba.shape
        if L.shape != (h, w) or len(grid) != k:
            raise ValueError(f"shapes disagree: proba {proba.shape}, L {L.shape}, grid {len(grid)}")
        S = similarity_matrix(grid, self.pairwise_weight, self.near_score)
        # pad to even sides (only when odd: a copy of K x H x W floats); padded pixels
        # are coupled to nothing (weight 0)
        H, W = h + h % 2, w + w % 2
        pad = ((0, H - h), (0, W - w))
        Lp = np.pad(np.asarray(L, np.float32), pad, mode="edge")
        valid = np.pad(np.ones((h, w), np.float32), pad)
        if (H, W) != (h, w):
            proba = np.pad(proba, pad + ((0, 0),), constant_values=1 / k)
            clamp = None if clamp is None else np.pad(clamp, pad, constant_values=-1)
        q = {s: _sub(proba, *s) for s in _LATTICES}
        theta_s = {s: self.unary_potential(q[s]) for s in _LATTICES}
        if clamp is not None:
            for s in _LATTICES:
                c = _sub(clamp, *s)
                rows, cols = np.nonzero(c >= 0)
                theta_s[s][c[rows, cols], rows, cols] += _CLAMP
        weights = self._weights(Lp, valid)
        elbo, sweeps = [], 0
        for _ in range(self.n_iter):
            change = 0.0
            for colour in (_RED, _BLACK):
                for s in colour:
                    (nh, (_, sr)), (_, (_, sl)), (nv, (sd, _)), (_, (su, _)) = _neighbours(*s)
                    change = max(change, float(_update_lattice(
                        q[s], theta_s[s], S, q[nh], q[nv], weights[s],
                        np.array([sr, sl]), np.array([sd, su]))))
            sweeps += 1
            if track_elbo:
                elbo.append(self._elbo(q, theta_s, weights, S))
            if change < self.tol:
                break
        out = np.empty((H, W, k), dtype=np.float32)
        for (r, c), part in q.items():
            out[r::2, c::2] = part.transpose(1, 2, 0)
        return (out[:h, :w], {"n_iter": sweeps, "elbo": elbo}) if return_info else out[:h, :w]

    def _weights(self, Lp, valid):
        """Per sub-lattice, a (4, h, w) array of edge weights right, left, down, up."""
        Ls = {s: _sub(Lp, *s) for s in _LATTICES}
        vs = {s: _sub(valid, *s) for s in _LATTICES}
        out = {}
        for s in _LATTICES:
            hs, ws = Ls[s].shape
            wgt = np.zeros((4, hs, ws), np.float32)
            for e, (nb, (da, db)) in enumerate(_neighbours(*s)):
                (ra, sa), (rb, sb) = _slices(da, hs), _slices(db, ws)
                diff = Ls[s][ra, rb] - Ls[nb][sa, sb]
                wgt[e, ra, rb] = np.exp(-(diff * diff) / np.float32(self.sigma))
                wgt[e, ra, rb] *= vs[s][ra, rb] * vs[nb][sa, sb]
            wgt[wgt < 1e-6] = 0  # keeps the kernel's products out of slow subnormals
            out[s] = wgt
        return out

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


def _slices(shift, n):
    """(dst, src) slices so that ``out[dst] = a[src]`` means ``out[x] = a[x + shift]``."""
    return slice(max(0, -shift), n - max(0, shift)), slice(max(0, shift), n - max(0, -shift))
