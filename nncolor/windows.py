"""The odd square window of lightness around each pixel, without scikit-learn.

What :class:`nncolor.patches.PatchExtractor` and a colorizer's inference form
(:mod:`nncolor.inference`) share: every pixel's patch, borders included (the image padded
by ``patch_size // 2``), as features ``L / 100`` in float32, in row-major patch order.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def patch_windows(L, patch_size, padding="reflect"):
    """Every pixel's patch, as a read-only view (no copy).

    Parameters
    ----------
    L : array-like, shape (H, W)
        Lightness L* in [0, 100].
    patch_size : int
        Odd side of the square patch.
    padding : {"reflect", "symmetric", "edge"}, default="reflect"
        How the border is extended (``numpy.pad`` modes).

    Returns
    -------
    ndarray of float32, shape (H, W, patch_size, patch_size)
        ``L / 100`` around each pixel.
    """
    r = patch_size // 2
    padded = np.pad(np.asarray(L, dtype=np.float32) / np.float32(100), r, mode=padding)
    return sliding_window_view(padded, (patch_size, patch_size))


def dense_patches(L, patch_size, padding="reflect", chunk_pixels=16384):
    """Yield ``(start, stop, features)`` over a lightness image in bounded blocks.

    Parameters
    ----------
    L : ndarray, shape (H, W)
        Lightness L* in [0, 100].
    patch_size : int
        Odd side of the square patch.
    padding : {"reflect", "symmetric", "edge"}, default="reflect"
        How the border is extended.
    chunk_pixels : int, default=16384
        Pixels per block (whole rows of the image, at least one): bounds memory to about
        ``chunk_pixels * patch_size**2 * 4`` bytes whatever the image size.

    Yields
    ------
    start, stop : int
        Flat pixel indices of the block.
    features : ndarray of float32, shape (stop - start, patch_size**2)
        The patches of those pixels.
    """
    h, w = L.shape
    windows = patch_windows(L, patch_size, padding)
    rows = max(1, chunk_pixels // w)
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        yield r0 * w, r1 * w, windows[r0:r1].reshape(-1, patch_size * patch_size)
