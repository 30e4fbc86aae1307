"""Pictures for the page: reduced previews, painted hints as an RGBA image, data URLs.

The page works on a preview (at most :data:`PREVIEW_SIDE` pixels a side) so that each
hint gives a new result within a second or two whatever the photo's size; the download
colorizes the full-size photo with the same hints, which is why hints travel as
strokes in coordinates relative to the image (fractions of its width and height) and
are drawn here at whatever size is colorized.
"""
import base64
import math
import re
from numbers import Real

import numpy as np

from ..color import gray_from_lightness, lightness, luv2rgb
from ..io import png_bytes

#: Longest side (pixels) of the preview the page colorizes while hints are painted.
PREVIEW_SIDE = 512

#: The most strokes, and points in one stroke, a request may carry.
MAX_STROKES = 1000
MAX_POINTS = 5000

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def reduce_image(image, side):
    """An image shrunk so that its longer side is at most ``side``, as float32 in [0, 1].

    Block means by an integer factor first (cheap on a huge scan, and they average away
    detail that would alias), then an anti-aliased resize to the exact size.

    Parameters
    ----------
    image : ndarray
        ``H x W`` gray, ``H x W x 3`` RGB or ``H x W x 4`` RGBA (alpha is dropped);
        uint8, uint16 or float in [0, 1].
    side : int

    Returns
    -------
    ndarray of float32, shape (h, w) or (h, w, 3)
    """
    from skimage.transform import resize
    from skimage.util import img_as_float32

    a = np.asarray(image)
    if a.ndim == 3:
        a = a[..., :3]
    scale = 1.0 if not np.issubdtype(a.dtype, np.integer) else float(np.iinfo(a.dtype).max)
    h, w = a.shape[:2]
    target = preview_shape((h, w), side)
    factor = max(1, min(h // target[0], w // target[1]))
    if factor > 1:
        a = a[:h - h % factor, :w - w % factor]
        blocks = a.reshape(a.shape[0] // factor, factor, a.shape[1] // factor, factor,
                           *a.shape[2:])
        a = (blocks.mean(axis=(1, 3)) / scale).astype(np.float32)
    else:
        a = img_as_float32(a)
    if a.shape[:2] != target:
        a = resize(a, target, anti_aliasing=True, preserve_range=True).astype(np.float32)
    return np.clip(a, 0, 1)


def preview_shape(shape, side):
    """``(h, w)`` of an image of ``shape`` shrunk to at most ``side`` a side (never grown)."""
    h, w = shape[:2]
    scale = min(1.0, side / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


def gray_version(pixels):
    """The gray image a colorizer sees: the lightness L* of ``pixels`` shown as sRGB gray.

    Parameters
    ----------
    pixels : ndarray of float32 in [0, 1], shape (H, W) or (H, W, 3)

    Returns
    -------
    ndarray of float32 in [0, 1], shape (H, W)
    """
    return np.clip(gray_from_lightness(lightness(np.asarray(pixels, np.float32))), 0, 1)


def check_strokes(strokes):
    """Validate hint strokes sent by the page.

    Parameters
    ----------
    strokes : list of dict
        Each ``{"color": "#rrggbb", "size": r, "points": [[x, y], ...]}``: ``x`` and ``y``
        are fractions of the image's width and height (0 to 1), ``r`` the brush radius as
        a fraction of the width (0 to 0.5].

    Returns
    -------
    list of (rgb, radius, points)
        ``rgb`` uint8 (3,), ``radius`` float, ``points`` float array (n, 2).

    Raises
    ------
    ValueError
        A malformed stroke, with what is wrong.
    """
    if strokes is None:
        return []
    if not isinstance(strokes, list):
        raise ValueError("hints must be a list of strokes")
    if len(strokes) > MAX_STROKES:
        raise ValueError(f"too many hint strokes ({len(strokes)}; at most {MAX_STROKES})")
    out = []
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, dict):
            raise ValueError(f"hint stroke {i} is not an object")
        color, size, points = stroke.get("color"), stroke.get("size"), stroke.get("points")
        if not isinstance(color, str) or not _COLOR.match(color):
            raise ValueError(f"hint stroke {i}: color must be #rrggbb, got {color!r}")
        if isinstance(size, bool) or not isinstance(size, Real) or not 0 < size <= 0.5:
            raise ValueError(f"hint stroke {i}: size must be in (0, 0.5], got {size!r}")
        if not isinstance(points, list) or not 1 <= len(points) <= MAX_POINTS:
            raise ValueError(f"hint stroke {i}: points must be a list of 1 to {MAX_POINTS} "
                             "[x, y] pairs")
        try:
            xy = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError):
            xy = None
        if xy is None or xy.ndim != 2 or xy.shape[1] != 2 or not np.isfinite(xy).all():
            raise ValueError(f"hint stroke {i}: points must be [x, y] pairs of numbers")
        rgb = np.array([int(color[k:k + 2], 16) for k in (1, 3, 5)], dtype=np.uint8)
        out.append((rgb, float(size), np.clip(xy, 0, 1)))
    return out


def hint_image(strokes, shape):
    """Draw validated strokes (:func:`check_strokes`) as the RGBA hint image of a size.

    Each stroke is a chain of round brush stamps along its points, as the page's canvas
    draws it (round caps and joins); later strokes paint over earlier ones.

    Parameters
    ----------
    strokes : list of (rgb, radius, points)
    shape : tuple (H, W)

    Returns
    -------
    ndarray of uint8, shape (H, W, 4), or None without strokes
        Alpha 255 on hinted pixels, 0 elsewhere (what
        :meth:`nncolor.SOMColorizer.predict` takes as ``hints``).
    """
    from skimage.draw import disk

    if not strokes:
        return None
    h, w = shape[:2]
    out = np.zeros((h, w, 4), dtype=np.uint8)
    for rgb, size, points in strokes:
        radius = max(0.5, size * w)
        pixels = points * [w, h]
        # stamps every half radius along each segment (at least one per pixel of length)
        centres = [pixels[:1]]
        for a, b in zip(pixels[:-1], pixels[1:]):
            steps = max(1, math.ceil(np.hypot(*(b - a)) / max(0.5, radius / 2)))
            t = np.arange(1, steps + 1)[:, None] / steps
            centres.append(a + t * (b - a))
        for x, y in np.concatenate(centres):
            rr, cc = disk((y, x), radius, shape=(h, w))
            out[rr, cc, :3] = rgb
            out[rr, cc, 3] = 255
    return out


def palette(colorizer, L=60.0):
    """The colors a fitted colorizer can paint, as ``#rrggbb`` at lightness ``L``.

    A hint takes the codebook color nearest to its own chroma, so these are the colors
    a hint can actually give (a model whose codebook has no red turns a red hint into
    its nearest color). A mixture of models gives every expert the hint, and each takes
    the nearest color of its own codebook: its palette is all its experts' colors.

    Returns
    -------
    list of str, one per codebook color (for a mixture, one per distinct color)
    """
    if hasattr(colorizer, "codebook_"):
        codebook = np.asarray(colorizer.codebook_, dtype=np.float32)
    else:  # a mixture of models (nncolor.mixture): a color two experts share, once
        codebook = np.unique(np.concatenate([
            np.asarray(colorizer.expert(kind).codebook_, dtype=np.float32)
            for kind in colorizer.classes_]), axis=0)
    luv = np.column_stack([np.full(len(codebook), L, np.float32), codebook])
    rgb = np.round(np.clip(luv2rgb(luv), 0, 1) * 255).astype(int)
    # two experts' nearly equal colors may round to one: shown once
    return list(dict.fromkeys("#{:02x}{:02x}{:02x}".format(*c) for c in rgb))


def uncertainty_picture(uncertainty):
    """An uncertainty map in [0, 1] as an RGB picture (matplotlib's "magma": bright = unsure)."""
    from matplotlib import colormaps

    return colormaps["magma"](np.clip(uncertainty, 0, 1))[..., :3].astype(np.float32)


def data_url(image):
    """A picture as a ``data:image/png;base64,...`` URL (8-bit, fast compression)."""
    encoded = base64.b64encode(png_bytes(image, bit_depth=8, compress_level=1)).decode("ascii")
    return "data:image/png;base64," + encoded
