"""Exact nearest-codeword search for 2-D codebooks, accelerated by a Voronoi grid.

Labelling every pixel of a film against a codebook is the hot loop of the colorizer, and a
brute-force search (n x K distances, then argmin) runs at about 3 Mpix/s on two cores for
K = 100. A (u, v) codebook is two-dimensional, so we precompute the answer on a fine grid:

* the grid's corner points are labelled by brute force once, at construction;
* a grid cell whose four corners share a label lies entirely inside that codeword's
  Voronoi cell, because Voronoi cells are convex and the square is the convex hull of its
  corners — so every point in it gets that label exactly, by one table look-up;
* points in the few "mixed" cells that a Voronoi boundary crosses, or outside the grid,
  fall back to the brute-force search.

The result equals brute force up to exact ties between two codewords.
"""
import numpy as np

_CHUNK = 1 << 14  # brute-force rows per block: the n x K block stays in cache


def brute_force_argmin(X, centers, chunk=_CHUNK):
    """Index of the nearest row of ``centers`` for each row of ``X`` (squared L2)."""
    X = np.asarray(X, dtype=np.float32)
    centers = np.asarray(centers, dtype=np.float32)
    # argmin_k |x - c_k|^2 = argmin_k (|c_k|^2 - 2 x.c_k): |x|^2 does not change the winner
    minus_2ct = -2 * centers.T
    c2 = (centers**2).sum(axis=1)
    out = np.empty(len(X), dtype=np.intp)
    for start in range(0, len(X), chunk):
        d = X[start : start + chunk] @ minus_2ct
        d += c2
        out[start : start + chunk] = d.argmin(axis=1)
    return out


class VoronoiGrid:
    """Nearest-codeword index over a 2-D codebook.

    Parameters
    ----------
    centers : ndarray of shape (K, 2)
        The codebook.
    bounds : tuple of 4 floats, optional
        ``(x_min, x_max, y_min, y_max)`` of the region covered by the grid. Points
        outside are still labelled exactly, by brute force. Defaults to the codebook's
        bounding box with a margin of half its size.
    resolution : int
        Cells along each axis.
    """

    def __init__(self, centers, bounds=None, resolution=1024):
        self.centers = np.asarray(centers, dtype=np.float32)
        if self.centers.ndim != 2 or self.centers.shape[1] != 2:
            raise ValueError(f"centers must have shape (K, 2); got {self.centers.shape}")
        if bounds is None:
            lo, hi = self.centers.min(axis=0), self.centers.max(axis=0)
            pad = np.maximum(hi - lo, 1.0) / 2
            bounds = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
        x0, x1, y0, y1 = (float(b) for b in bounds)
        self.origin = np.array([x0, y0], dtype=np.float32)
        self.n = int(resolution)
        self.inv_step = np.float32(self.n) / np.array([x1 - x0, y1 - y0], dtype=np.float32)
        xs = np.linspace(x0, x1, self.n + 1, dtype=np.float32)
        ys = np.linspace(y0, y1, self.n + 1, dtype=np.float32)
        corners = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)
        lab = brute_force_argmin(corners, self.centers).reshape(self.n + 1, self.n + 1)
        pure = (lab[:-1, :-1] == lab[1:, :-1]) & (lab[:-1, :-1] == lab[:-1, 1:])
        pure &= lab[:-1, :-1] == lab[1:, 1:]
        self.table = np.where(pure, lab[:-1, :-1], -1).astype(np.int32).ravel()

    def query(self, X):
        """Nearest-codeword index of each row of ``X`` (shape (n, 2)), as intp."""
        X = np.asarray(X, dtype=np.float32)
        # column-wise float32 arithmetic: reductions over a length-2 axis are slow in numpy
        gx = (X[:, 0] - self.origin[0]) * self.inv_step[0]
        gy = (X[:, 1] - self.origin[1]) * self.inv_step[1]
        inside = (gx >= 0) & (gx < self.n) & (gy >= 0) & (gy < self.n)
        cell = np.clip(gx, 0, self.n - 1).astype(np.int32) * np.int32(self.n)
        cell += np.clip(gy, 0, self.n - 1).astype(np.int32)
        labels = np.where(inside, self.table[cell], -1).astype(np.intp)
        miss = np.flatnonzero(labels < 0)
        if miss.size:
            labels[miss] = brute_force_argmin(X[miss], self.centers)
        return labels
