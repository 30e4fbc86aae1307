"""Faces: where a gray photo shows one, so that a colorizer can give it skin.

A 5x5 patch of lightness cannot tell a cheek from a wall of the same tone, and a photo's
overall palette (:mod:`nncolor.guidance`) says little about the few pixels a face covers:
left to them, a colorizer paints faces the color of whatever they resemble, or leaves
them gray. A face detector sees the whole face. This module finds frontal faces in a
lightness image with scikit-image's boosted cascade of multi-block local binary pattern
features (:class:`skimage.feature.Cascade`, with the frontal-face cascade trained by
OpenCV that scikit-image ships), and turns each found face into an ellipse mask: the
pixels where a colorizer may apply the skin colors it learned from the faces of its
training photos (:class:`nncolor.SOMColorizer`'s ``face_prior``).

:func:`find_faces` looks in a copy shrunk by block means to at most :data:`SEARCH_SIDE`
pixels, which bounds its cost (a few hundredths of a second) whatever the image's size; a
face must then cover at least ``MIN_FACE / SEARCH_SIDE`` of the image's longer side.
Detections are returned in the coordinates of the image, as floats, so that callers which
colorize an image at another scale, or in tiles, can draw the same ellipses at their own
scale and offset (:func:`face_mask`; :func:`face_weights` with a soft edge).

References
----------
Viola, P. & Jones, M. (2001). Rapid object detection using a boosted cascade of simple
features. CVPR.

Liao, S., Zhu, X., Lei, Z., Zhang, L. & Li, S. Z. (2007). Learning multi-scale block local
binary patterns for face recognition. ICB, LNCS 4642.
"""
from functools import lru_cache
from numbers import Real

import numpy as np

from .upsample import block_mean

#: The cascade's window (pixels): smaller faces cannot be found.
MIN_FACE = 24
#: Longest side (pixels) of the copy :func:`find_faces` searches.
SEARCH_SIDE = 256
# The cascade's box runs from the forehead to the chin and a little beyond the cheeks:
# the ellipse inscribed in it, a little narrower, holds mostly skin.
_ELLIPSE_HEIGHT, _ELLIPSE_WIDTH = 1.03, 0.77


@lru_cache(maxsize=1)
def _cascade():
    # loading the cascade's XML takes a few milliseconds: once per process
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    return Cascade(lbp_frontal_face_cascade_filename())


def detect_faces(L, *, scale_factor=1.2, min_neighbors=4):
    """Frontal faces in a lightness image.

    Parameters
    ----------
    L : array_like, shape (H, W)
        CIE L* lightness, in [0, 100].
    scale_factor : float, default=1.2
        Ratio between the window sizes the cascade tries.
    min_neighbors : int, default=4
        Overlapping detections needed to accept a face; more give fewer false faces.

    Returns
    -------
    faces : ndarray of float32, shape (n, 4)
        Each face's box: top row, left column, height and width, in pixels of ``L``.
        Empty (shape (0, 4)) when there is none, or when ``L`` is smaller than
        :data:`MIN_FACE` pixels on a side.

    Raises
    ------
    ValueError
        If ``L`` is not 2-D.

    References
    ----------
    Viola & Jones (2001); Liao et al. (2007): see the module's references.
    """
    L = np.asarray(L)
    if L.ndim != 2:
        raise ValueError(f"detect_faces takes a 2-D lightness image; got shape {L.shape}")
    h, w = L.shape
    if min(h, w) < MIN_FACE:
        return np.zeros((0, 4), dtype=np.float32)
    found = _cascade().detect_multi_scale(
        np.clip(L / 100.0, 0, 1), scale_factor=scale_factor, step_ratio=1,
        min_size=(MIN_FACE, MIN_FACE), max_size=(h, w), min_neighbor_number=min_neighbors)
    return np.array([[f["r"], f["c"], f["height"], f["width"]] for f in found],
                    dtype=np.float32).reshape(-1, 4)


def search_factor(shape, side=SEARCH_SIDE):
    """The integer factor that brings an image of ``shape`` within ``side`` pixels.

    Parameters
    ----------
    shape : tuple of int
        (H, W).
    side : int, default=:data:`SEARCH_SIDE`

    Returns
    -------
    int
        ``ceil(max(H, W) / side)``, at least 1.
    """
    return max(1, -(-max(shape[:2]) // side))


def find_faces(L, side=SEARCH_SIDE):
    """Frontal faces in a lightness image of any size, searched for in a shrunk copy.

    Parameters
    ----------
    L : array_like, shape (H, W)
        CIE L* lightness, in [0, 100].
    side : int, default=:data:`SEARCH_SIDE`
        The copy searched is ``L`` averaged over blocks of :func:`search_factor` pixels,
        at most ``side`` pixels on its longer side.

    Returns
    -------
    faces : ndarray of float32, shape (n, 4)
        As :func:`detect_faces`, in pixels of ``L``.

    Raises
    ------
    ValueError
        If ``L`` is not 2-D.
    """
    L = np.asarray(L, dtype=np.float32)
    if L.ndim != 2:
        raise ValueError(f"find_faces takes a 2-D lightness image; got shape {L.shape}")
    factor = search_factor(L.shape, side)
    return detect_faces(L if factor == 1 else block_mean(L, factor)) * np.float32(factor)


def face_mask(shape, faces, *, scale=1.0, offset=(0, 0), size=1.0):
    """The pixels inside the faces' ellipses, on a grid of the given shape.

    Parameters
    ----------
    shape : tuple of int
        (H, W) of the grid to draw on.
    faces : array_like, shape (n, 4)
        Boxes from :func:`detect_faces` (top, left, height, width).
    scale : float, default=1.0
        Grid pixels per pixel of the image the faces were found in (0.5: a grid half
        that size).
    offset : tuple of float, default=(0, 0)
        Where the grid's top-left pixel lies in the scaled image (a tile's or a band's
        first row and column).
    size : float > 0, default=1.0
        The ellipses' radii as a multiple of those of the ellipse drawn in each box
        (the same centre): 1 holds mostly skin; more reaches the ears, the chin's
        underside and the hairline the box leaves out.

    Returns
    -------
    mask : ndarray of bool, shape (H, W)

    Raises
    ------
    ValueError
        ``size`` is not a positive number.
    """
    mask = np.zeros(shape, dtype=bool)
    for q in _ellipses(shape, faces, scale, offset, size):
        mask |= q <= 1
    return mask


def face_weights(shape, faces, *, feather, scale=1.0, offset=(0, 0), size=1.0):
    """How much of each pixel is face, with a soft edge, on a grid of the given shape.

    1 well inside the faces' ellipses, 0 well outside. A hard edge shows where a face's
    skin colors stop: on the forehead, where the detector's box ends below the hairline,
    or on a cheek the ellipse misses. A soft one fades them out.

    Parameters
    ----------
    shape, faces, scale, offset, size
        As in :func:`face_mask`.
    feather : float in [0, 1]
        Half the width of the edge, as a fraction of the ellipse's radii: the weight
        falls linearly from 1 at ``1 - feather`` times the radius to 0 at ``1 + feather``
        times it. 0: :func:`face_mask` as 0 and 1.

    Returns
    -------
    weights : ndarray of float32, shape (H, W), in [0, 1]
        Where faces overlap, the larger weight.

    Raises
    ------
    ValueError
        ``feather`` is not in [0, 1], or ``size`` is not a positive number.
    """
    if not 0 <= feather <= 1:
        raise ValueError(f"feather must be in [0, 1]; got {feather}")
    if feather == 0:
        return face_mask(shape, faces, scale=scale, offset=offset,
                         size=size).astype(np.float32)
    weights = np.zeros(shape, dtype=np.float32)
    for q in _ellipses(shape, faces, scale, offset, size):
        ramp = (np.float32(1 + feather) - np.sqrt(q)) / np.float32(2 * feather)
        np.maximum(weights, np.clip(ramp, 0, 1), out=weights)
    return weights


def _ellipses(shape, faces, scale, offset, size):
    """Per face, ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 at every pixel centre of the
    grid: at most 1 inside its ellipse (radii ``size`` times the box's ellipse's)."""
    if not (isinstance(size, Real) and size > 0):
        raise ValueError(f"size must be a positive number; got {size!r}")
    size = np.float32(size)  # a float64 would make every distance float64
    h, w = shape
    rows = np.arange(h, dtype=np.float32)[:, None] + np.float32(offset[0] + 0.5)
    cols = np.arange(w, dtype=np.float32)[None, :] + np.float32(offset[1] + 0.5)
    boxes = np.asarray(faces, dtype=np.float32).reshape(-1, 4) * scale
    return (((rows - top - height / 2) / (height / 2 * _ELLIPSE_HEIGHT * size)) ** 2
            + ((cols - left - width / 2) / (width / 2 * _ELLIPSE_WIDTH * size)) ** 2
            for top, left, height, width in boxes)
