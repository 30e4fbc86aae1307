"""The numba kernels of the Potts MRF's mean field (:mod:`nncolor.mrf`).

In their own module so that importing the MRF (which every colorizer does, for its
``mrf`` parameter) does not import numba or load compiled kernels: they are imported on
the first :meth:`nncolor.mrf.PottsMRF.smooth`, and a command that never decodes with the
MRF starts without them. The layout and the measurements behind them are in
:mod:`nncolor.mrf`'s notes.
"""
import math

import numpy as np
from numba import njit, prange

# ln 2 split in two (Cody and Waite) so that x - n ln 2 is exact to float32 for |n| < 64
_LN2_HI, _LN2_LO = np.float32(0.693359375), np.float32(-2.12194440e-4)
# fastmath without reassociation, which would fold the split back into one product
_FAST = {"nnan", "ninf", "nsz", "arcp", "contract", "afn"}


@njit(parallel=True, fastmath=_FAST, cache=True)
def update_lattice(q, theta, S, q_h, q_v, w, shift_h, shift_v):  # pragma: no cover (JIT)
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
        bits = np.empty(wd, np.int32)
        scale = bits.view(np.float32)
        # Messages. Shifted neighbours are read through slices: an index like b + s,
        # which could be negative, makes numba check it for wraparound on every access,
        # and that check stops the loop from vectorizing (5x slower, measured).
        for e in range(2):
            s = shift_h[e]
            lo, hi = max(0, -s), min(wd, wd - s)
            weight = w[e, a, lo:hi]
            for m in range(k):
                dst, src = msg[m, lo:hi], q_h[m, a, lo + s:hi + s]
                for b in range(hi - lo):
                    dst[b] += weight[b] * src[b]
        for e in range(2):
            aa = a + shift_v[e]
            if 0 <= aa < h:
                weight = w[2 + e, a]
                for m in range(k):
                    dst, src = msg[m], q_v[m, aa]
                    for b in range(wd):
                        dst[b] += weight[b] * src[b]
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
            # exp(logit - top) in two vectorized passes (math.exp does not vectorize
            # here): a degree-6 polynomial of the remainder r (|r| <= ln(2)/2, within
            # 3e-7 of exp), times 2**n made from its float32 bits. Under exp(-40) the
            # bits are 0, so the probability is exactly 0: smaller ones would enter the
            # messages as float32 subnormals, 10x slower to multiply.
            for b in range(wd):
                x = max(logit[m, b] - top[b], np.float32(-40.5))
                n = np.int32(x * np.float32(1.4426950408889634) + np.float32(64.5)) - np.int32(64)
                r = x - np.float32(n) * _LN2_HI - np.float32(n) * _LN2_LO
                p = np.float32(1 / 720) * r + np.float32(1 / 120)
                p = p * r + np.float32(1 / 24)
                p = p * r + np.float32(1 / 6)
                p = p * r + np.float32(0.5)
                p = p * r + np.float32(1)
                logit[m, b] = p * r + np.float32(1)
                bits[b] = (n + np.int32(127)) << np.int32(23) if x > np.float32(-40) else np.int32(0)
            for b in range(wd):
                e = logit[m, b] * scale[b]
                logit[m, b] = e
                total[b] += e
        for b in range(wd):
            total[b] = np.float32(1) / total[b]
        change = msg[0]  # reused: the messages are spent
        change[:] = 0
        for m in range(k):
            for b in range(wd):  # elementwise max, no reduction: vectorizes
                v = logit[m, b] * total[b]
                change[b] = max(change[b], abs(v - q[m, a, b]))
                q[m, a, b] = v
        row_change[a] = change.max()
    return row_change.max()


#: The unary functions, by their number in the kernels.
UNARY = {"linear": 0, "sqrt": 1, "log": 2}


@njit(parallel=True, fastmath=True, cache=True)
def split(proba, unary, weight, q, theta):  # pragma: no cover (JIT)
    """Scatter ``proba`` (h, w, K) into the sub-lattices ``q`` (4, K, H/2, W/2) and their
    unary potentials ``theta``, in one pass; pixels past an odd side get 1/K."""
    h, w, k = proba.shape
    half = q.shape[3]
    for a in prange(q.shape[2]):
        for lat in range(4):
            r, c = lat // 2, lat % 2
            y = 2 * a + r
            row, n = min(y, h - 1), (w - c + 1) // 2 if y < h else 0
            for m in range(k):
                dst, src = q[lat, m, a], proba[row, c::2, m]
                for b in range(n):  # contiguous writes, strided reads
                    dst[b] = src[b]
                dst[n:] = np.float32(1 / k)
                out = theta[lat, m, a]
                if unary == 1:
                    for b in range(half):
                        out[b] = weight * math.sqrt(dst[b])
                elif unary == 2:
                    for b in range(half):
                        out[b] = weight * math.log(max(dst[b], np.float32(1e-30)))
                else:
                    for b in range(half):
                        out[b] = weight * dst[b]


@njit(parallel=True, cache=True)
def merge(q, out):  # pragma: no cover (JIT)
    """Gather the sub-lattices ``q`` (4, K, H/2, W/2) back into ``out`` (h, w, K)."""
    h, w, k = out.shape
    for a in prange(q.shape[2]):
        for lat in range(4):
            r, c = lat // 2, lat % 2
            y, n = 2 * a + r, (w - c + 1) // 2
            if y >= h:
                continue
            for m in range(k):
                dst, src = out[y, c::2, m], q[lat, m, a]
                for b in range(n):
                    dst[b] = src[b]


@njit(parallel=True, fastmath=True, cache=True)
def edge_weights(L, sigma, out):  # pragma: no cover (JIT)
    """``out[lat, e, a, b]``: exp(-(L_i - L_j)^2 / sigma) between the pixel (a, b) of
    sub-lattice ``lat`` and its neighbour right, left, down, up; 0 past the border and
    below 1e-6 (keeps the kernel's products out of slow subnormals)."""
    h, w = L.shape
    for y in prange(2 * out.shape[2]):
        a, r = y // 2, y % 2
        for x in range(2 * out.shape[3]):
            b, lat = x // 2, 2 * r + x % 2
            for e in range(4):
                yy = y + (e == 2) - (e == 3)
                xx = x + (e == 0) - (e == 1)
                wt = np.float32(0)
                if y < h and x < w and 0 <= yy < h and 0 <= xx < w:
                    d = L[y, x] - L[yy, xx]
                    wt = math.exp(-(d * d) / sigma)
                out[lat, e, a, b] = wt if wt >= np.float32(1e-6) else np.float32(0)
