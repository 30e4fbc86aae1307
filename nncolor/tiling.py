"""Tiled colorization: images of any size in bounded memory, seamless.

:meth:`SOMColorizer.predict` holds a few float32 arrays of the whole image (its RGB
output alone is 12 bytes a pixel; with ``decoder="mrf"`` the MRF keeps K + 4 floats a
pixel more), which for a 10 000 x 10 000 scan is several gigabytes. :func:`colorize_tiled`
colorizes square tiles one at a time, each cut out with a margin (the *halo*) of context
around it, keeps only each tile's core, and writes it into one integer output array
(3 bytes a pixel for uint8 RGB); the input is never converted to float as a whole.

**Seamless by construction.** A pixel's color depends only on pixels near it, so a tile
whose halo holds all of them gives exactly the untiled color:

* the classifier sees the ``patch_size`` window around the pixel: a halo of
  ``patch_size // 2`` gives every core pixel its true patch (at the image border the
  tile's border *is* the image's, and the same reflection padding applies);
* the MRF decoder's mean field moves information one pixel per half-sweep (red pixels
  from black ones, then black from red), so after ``n_iter`` sweeps a pixel depends on
  pixels up to ``2 * n_iter`` steps away (and their lightness edges): the halo adds
  ``2 * n_iter + 2``, rounded up to an even number, and tiles start on even rows and
  columns, so the checkerboard of every tile is the image's own;
* the MRF's early stop is global (it stops when *no* pixel changed by ``tol`` in a
  sweep): a tile would stop on its own pixels' changes. Tiles therefore run the full
  ``n_iter`` sweeps (``tol=0``), so a tiled image equals the untiled one predicted with
  ``mrf__tol=0``; against the default early-stopped one it differs only by what the
  sweeps after the stop still change (each changes no probability by more than ``tol``).

Options of :meth:`~nncolor.SOMColorizer.predict`: ``reference`` is a global histogram,
computed once and applied to every tile (exact). ``hints`` are cropped with each tile:
a hint spreads along similar lightness with a reach of tens of pixels
(:func:`nncolor.guidance.hint_prior`), and in a tile it cannot spread beyond the tile's
halo, so near a tile border within that reach of a hint colors can differ from the
untiled result.
A CNN classifier sees the whole image (its global branch, its strided layers), so it
is not tiled.

**Working resolution.** A colorizer that classifies an image at a reduced size
(``working_size``, :meth:`~nncolor.SOMColorizer.reduction_factor` > 1) needs no tiles:
the shrunk image is small. Its large images go in row bands instead
(:func:`colorize_in_bands`): a first pass averages each band's lightness into the small
image (and carries the hints to it), the colorizer classifies that, and a second pass
turns each band's full-resolution lightness and the upsampled chroma into output rows
(:mod:`nncolor.upsample`). Equal to ``predict`` (the same block means and the same
per-pixel upsampling), in bounded memory. A mixture of models (:mod:`nncolor.mixture`)
goes in bands too (:func:`colorize_mixture_in_bands`): each of its experts makes its own
shrunk image, and each band's chroma is theirs, upsampled and weighted by the gate.
"""
import copy
from numbers import Integral

import numpy as np

from . import upsample
from ._images import IMAGE_SHAPES, check_image, to_bit_depth
from .faces import search_factor
from .guidance import descriptor_step
from .inference import check_fitted, takes_images
from .luv import lightness

#: Side of the square tiles (pixels): ~1.1 M pixels, ~40 MB of probabilities at K = 9.
DEFAULT_TILE_SIZE = 1024
#: :func:`colorize_image` tiles images with more pixels than this (4096 x 4096).
AUTO_TILE_PIXELS = 4096 * 4096
#: Pixels per row band of :func:`colorize_in_bands` (about 40 MB of work arrays).
BAND_PIXELS = 1 << 20


def tile_halo(colorizer):
    """Margin (pixels on each side) a tile needs so its core equals the untiled result.

    Parameters
    ----------
    colorizer : fitted SOMColorizer

    Returns
    -------
    int
        ``patch_size // 2``, plus ``2 * n_iter + 2`` for the MRF decoder (then even).
    """
    check_fitted(colorizer)
    halo = colorizer.features_.patch_size // 2
    if colorizer.decoder == "mrf":
        halo += 2 * colorizer.potts_mrf().n_iter + 2
        halo += halo % 2  # even: tiles start on even rows/columns (the MRF checkerboard)
    return halo


def can_tile(colorizer):
    """True if the colorizer's classifier works on patches (a CNN sees whole images)."""
    check_fitted(colorizer)
    return not takes_images(colorizer.classifier_)


def colorize_image(colorizer, image, *, reference=None, hints=None, tile_size=None):
    """Colorize one image, in tiles when it is large.

    What ``nncolor colorize`` runs for every file: images of at most
    :data:`AUTO_TILE_PIXELS` pixels (or any image when the classifier is a CNN) go
    through :meth:`~nncolor.SOMColorizer.predict`; larger ones through
    :func:`colorize_tiled`, so memory stays bounded whatever the image size.

    Parameters
    ----------
    colorizer : fitted SOMColorizer or MixtureOfExperts
        A mixture (:mod:`nncolor.mixture`) colorizes larger images, or any with
        ``tile_size`` (its value unused), in bands (:func:`colorize_mixture_in_bands`).
    image : array-like
        One gray, RGB or RGBA image.
    reference, hints : optional
        As in :meth:`~nncolor.SOMColorizer.predict` (see the module notes for tiles).
    tile_size : int, optional
        Tile every image (even a small one) with tiles of this side.

    Returns
    -------
    ndarray
        float32 in [0, 1] when not tiled; uint8 (uint16 for a uint16 input) when tiled
        (or colorized in bands at a working resolution, for large images).
        Both are what :func:`nncolor.io.save_image` takes.
    """
    shape = np.shape(image)
    big = len(shape) >= 2 and shape[0] * shape[1] > AUTO_TILE_PIXELS
    if not hasattr(colorizer, "reduction_factor"):  # a mixture of models: no tiles
        if tile_size is None and not big:
            return colorizer.predict(image, reference=reference, hints=hints)
        return colorize_mixture_in_bands(colorizer, image, reference=reference, hints=hints)
    if len(shape) >= 2 and colorizer.reduction_factor(shape[:2]) > 1:
        if tile_size is None and not big:
            return colorizer.predict(image, reference=reference, hints=hints)
        return colorize_in_bands(colorizer, image, reference=reference, hints=hints)
    if tile_size is None and not (big and can_tile(colorizer)):
        return colorizer.predict(image, reference=reference, hints=hints)
    return colorize_tiled(colorizer, image, tile_size=tile_size or DEFAULT_TILE_SIZE,
                          reference=reference, hints=hints)


def colorize_tiled(colorizer, image, *, tile_size=DEFAULT_TILE_SIZE, reference=None,
                   hints=None, dtype=None):
    """Colorize an image tile by tile; equal to :meth:`~nncolor.SOMColorizer.predict`.

    A colorizer that classifies the image at a working resolution colorizes it in row
    bands instead (:func:`colorize_in_bands`; ``tile_size`` then does not apply).

    Memory: the input, the output (``dtype``, 3 or 4 channels) and one tile's working
    arrays (about ``(tile_size + 2 * halo) ** 2 * (K + 20) * 4`` bytes); time is linear
    in the pixel count (the halos add ``(1 + 2 * halo / tile_size) ** 2`` - 1 of it).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
        With a patch classifier (not a CNN).
    image : array-like
        ``H x W`` gray, ``H x W x 1``, RGB or RGBA; uint8, uint16 or float in [0, 1].
        Only each tile is converted to float32.
    tile_size : int, default=1024
        Side of the tiles' cores: an even number, at least 16.
    reference : color image or (n, 3) RGB colors, optional
        Global histogram transfer, as in ``predict`` (computed once for all tiles).
    hints : RGBA image, optional
        Color hints, as in ``predict``, cropped with each tile (see the module notes).
    dtype : {None, numpy.uint8, numpy.uint16, numpy.float32}
        Output type; None: uint16 for a uint16 input, else uint8.

    Returns
    -------
    ndarray of shape (H, W, 3), or (H, W, 4) with the input's alpha

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> col = make_colorizer(patch_size=3, n_samples=300, max_iter=20, random_state=0)
    >>> col = col.fit([data.coffee()])
    >>> gray = data.camera()
    >>> tiled = colorize_tiled(col, gray, tile_size=128, dtype=np.float32)
    >>> bool(np.allclose(tiled, col.predict(gray), atol=1e-5))
    True
    """
    check_fitted(colorizer)
    if not can_tile(colorizer):
        raise ValueError("tiled colorization needs a patch classifier; a CNN classifier "
                         "sees the whole image (colorize it with predict)")
    if isinstance(tile_size, bool) or not isinstance(tile_size, Integral) \
            or tile_size < 16 or tile_size % 2:
        raise ValueError(f"tile_size must be an even integer of at least 16, got {tile_size!r}")
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (3, 4))):
        raise ValueError(f"image must be {IMAGE_SHAPES}; got shape {a.shape}")
    if colorizer.reduction_factor(a.shape[:2]) > 1:  # a working resolution: no tiles
        return colorize_in_bands(colorizer, a, reference=reference, hints=hints, dtype=dtype)
    dtype = _output_dtype(a, dtype)
    h, w = a.shape[:2]
    hints = _check_hint_image(hints, (h, w))
    prior, scale = colorizer.guidance(a, reference, hinted=hints is not None)  # whole image
    faces = _whole_image_faces(colorizer, a)
    model = _fixed_sweeps(colorizer)
    halo = tile_halo(colorizer)
    channels = 4 if a.ndim == 3 and a.shape[-1] == 4 else 3
    out = np.empty((h, w, channels), dtype=dtype)
    for y0 in range(0, h, tile_size):
        for x0 in range(0, w, tile_size):
            y1, x1 = min(h, y0 + tile_size), min(w, x0 + tile_size)
            window = (slice(max(0, y0 - halo), min(h, y1 + halo)),
                      slice(max(0, x0 - halo), min(w, x1 + halo)))
            pixels, alpha = check_image(a[window])
            L = model.color_space_.lightness(pixels)
            clamp = None if hints is None else model.hint_labels(hints[window], L.shape)
            # the faces of the whole image, in the window's pixels
            shifted = faces - np.float32([window[0].start, window[1].start, 0, 0])
            rgb = model.to_rgb(L, model.chroma(L, prior=prior, clamp=clamp, scale=scale,
                                               faces=shifted), alpha)
            core = rgb[y0 - window[0].start:y1 - window[0].start,
                       x0 - window[1].start:x1 - window[1].start]
            out[y0:y1, x0:x1] = _convert(core, dtype)
    return out


def colorize_in_bands(colorizer, image, *, reference=None, hints=None, dtype=None,
                      band_pixels=BAND_PIXELS):
    """Colorize an image at the colorizer's working resolution, a band of rows at a time.

    Equal to :meth:`~nncolor.SOMColorizer.predict` (within float rounding) for a colorizer
    whose :meth:`~nncolor.SOMColorizer.reduction_factor` of the image is above 1. Memory:
    the input, the output (``dtype``), the shrunk image's arrays (``(K + 10) * 4`` bytes a
    pixel of the small image) and one band's (about ``band_pixels * 40`` bytes); the input
    is never converted to float as a whole.

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    image : array-like
        ``H x W`` gray, ``H x W x 1``, RGB or RGBA; uint8, uint16 or float in [0, 1].
    reference, hints : optional
        As in :meth:`~nncolor.SOMColorizer.predict`.
    dtype : {None, numpy.uint8, numpy.uint16, numpy.float32}
        Output type; None: uint16 for a uint16 input, else uint8.
    band_pixels : int
        About how many pixels a band holds.

    Returns
    -------
    ndarray of shape (H, W, 3), or (H, W, 4) with the input's alpha
    """
    check_fitted(colorizer)
    a = _check_band_image(image)
    dtype = _output_dtype(a, dtype)
    hints = _check_hint_image(hints, a.shape[:2])
    coef, bounds, factor = _band_guide(colorizer, a, reference, hints, band_pixels)
    out = np.empty(a.shape[:2] + (4 if a.ndim == 3 and a.shape[-1] == 4 else 3,), dtype=dtype)
    for y0, y1 in _bands(a.shape[:2], factor, band_pixels):
        pixels, alpha = check_image(a[y0:y1])
        rgb = upsample.guided_rgb(coef, colorizer.color_space_.lightness(pixels), factor,
                                  row0=y0, bounds=bounds, n_jobs=colorizer.n_jobs)
        out[y0:y1] = _convert(rgb if alpha is None else np.dstack([rgb, alpha]), dtype)
    return out


def colorize_mixture_in_bands(mixture, image, *, reference=None, hints=None, dtype=None,
                              band_pixels=BAND_PIXELS):
    """Colorize a large image with a mixture of models, a band of rows at a time.

    Equal to the mixture's ``predict`` (within float rounding): the gate reads the
    decimated copy of the image that its descriptor looks at anyway
    (:func:`nncolor.guidance.descriptor_step`), each expert it keeps classifies the
    image at its own working resolution (:func:`colorize_in_bands`' first pass), and each
    band's chroma is the experts' upsampled u*v* weighted by the gate, joined with the
    band's own L*. Memory: the input, the output, each expert's shrunk image and one band
    per expert.

    Parameters
    ----------
    mixture : fitted MixtureOfExperts
        Every expert it runs on this image must classify it at a working resolution
        (``working_size``, :meth:`~nncolor.SOMColorizer.reduction_factor` above 1), as
        the shipped models do on any image over 16.8 megapixels.
    image : array-like
        ``H x W`` gray, ``H x W x 1``, RGB or RGBA; uint8, uint16 or float in [0, 1].
    reference, hints : optional
        Given to every expert, as in :meth:`~nncolor.SOMColorizer.predict`.
    dtype : {None, numpy.uint8, numpy.uint16, numpy.float32}
        Output type; None: uint16 for a uint16 input, else uint8.
    band_pixels : int
        About how many pixels a band holds.

    Returns
    -------
    ndarray of shape (H, W, 3), or (H, W, 4) with the input's alpha

    Raises
    ------
    ValueError
        The image or the hints are not of the shapes above, or an expert the gate keeps
        classifies the image at full resolution.
    """
    a = _check_band_image(image)
    dtype = _output_dtype(a, dtype)
    hints = _check_hint_image(hints, a.shape[:2])
    step = descriptor_step(a.shape)
    weights = mixture.expert_weights(a[::step, ::step])  # all the gate's descriptor reads
    experts = {kind: mixture.expert(kind) for kind in weights}
    for kind, expert in experts.items():
        if expert.reduction_factor(a.shape[:2]) <= 1:
            raise ValueError(f"the expert for {kind!r} classifies this image at full "
                             "resolution, and a mixture of models goes in bands, not tiles: "
                             "give that expert a working_size, or colorize the image with "
                             "one model (in tiles)")
    if len(experts) == 1:  # one expert: its colors are the mix
        return colorize_in_bands(*experts.values(), a, reference=reference, hints=hints,
                                 dtype=dtype, band_pixels=band_pixels)
    guides = [(np.float32(weights[kind]), expert.n_jobs,
               _band_guide(expert, a, reference, hints, band_pixels))
              for kind, expert in experts.items()]
    top = experts[max(weights, key=weights.get)]  # converts the mix, as in predict
    out = np.empty(a.shape[:2] + (4 if a.ndim == 3 and a.shape[-1] == 4 else 3,), dtype=dtype)
    for y0, y1 in _bands(a.shape[:2], 1, band_pixels):
        pixels, alpha = check_image(a[y0:y1])
        L = lightness(pixels)
        chroma = sum(w * upsample.guided_chroma(coef, L, factor, row0=y0, bounds=bounds,
                                                n_jobs=n_jobs)
                     for w, n_jobs, (coef, bounds, factor) in guides)
        out[y0:y1] = _convert(top.to_rgb(L, chroma, alpha), dtype)
    return out


def _check_band_image(image):
    """The image as an array of a shape the band functions take (H x W x 1 as H x W)."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (3, 4))):
        raise ValueError(f"image must be {IMAGE_SHAPES}; got shape {a.shape}")
    return a


def _bands(shape, factor, band_pixels):
    """(first row, end row) of each band: about ``band_pixels`` pixels, starting on
    multiples of ``factor``, so that a band's blocks are the image's blocks."""
    h, w = shape
    rows = max(factor, band_pixels // max(w, 1) // factor * factor)
    return [(y0, min(h, y0 + rows)) for y0 in range(0, h, rows)]


def _band_guide(colorizer, a, reference, hints, band_pixels):
    """:func:`colorize_in_bands`' first pass: the guided-filter coefficients of the
    colorizer's chroma at its working resolution, their chroma bounds and the factor."""
    h, w = a.shape[:2]
    prior, scale = colorizer.guidance(a, reference, hinted=hints is not None)  # whole image
    factor = colorizer.reduction_factor((h, w))
    small = np.empty(upsample.small_shape((h, w), factor), dtype=np.float32)
    clamp = None if hints is None else np.full(small.shape, -1, dtype=np.intp)
    for y0, y1 in _bands((h, w), factor, band_pixels):
        L = colorizer.color_space_.lightness(check_image(a[y0:y1])[0])
        upsample.block_mean(L, factor, out=small, row0=y0)
        if hints is not None:
            marked = upsample.downscale_labels(colorizer.hint_labels(hints[y0:y1], L.shape),
                                               factor)
            target = clamp[y0 // factor:y0 // factor + len(marked)]
            target[marked >= 0] = marked[marked >= 0]
    coef, bounds = upsample.fit_guide(
        small, colorizer.chroma(small, prior=prior, clamp=clamp, scale=scale))
    return coef, bounds, factor


def _whole_image_faces(colorizer, a, band_pixels=BAND_PIXELS):
    """The faces of a whole image as predict finds them (:meth:`~nncolor.SOMColorizer.faces`
    of its lightness), from the copy they are searched in (:func:`nncolor.faces.find_faces`),
    made a band of rows at a time: the image is never converted to float as a whole."""
    if not colorizer.has_face_prior:  # no face search, and no whole-image lightness
        return np.zeros((0, 4), dtype=np.float32)
    h, w = a.shape[:2]
    factor = search_factor((h, w))
    small = np.empty(upsample.small_shape((h, w), factor), dtype=np.float32)
    rows = max(factor, band_pixels // max(w, 1) // factor * factor)
    for y0 in range(0, h, rows):
        upsample.block_mean(colorizer.lightness(a[y0:y0 + rows]), factor, out=small, row0=y0)
    return colorizer.faces(small) * np.float32(factor)


def _fixed_sweeps(colorizer):
    """The colorizer with an MRF that always runs ``n_iter`` sweeps (``tol=0``).

    A shallow copy: the fitted steps are shared, the caller's colorizer is not changed.
    """
    if colorizer.decoder != "mrf":
        return colorizer
    from sklearn.base import clone  # the MRF is scikit-learn's estimator: it is loaded

    model = copy.copy(colorizer)
    model.mrf = clone(colorizer.potts_mrf()).set_params(tol=0.0)
    return model


def _output_dtype(a, dtype):
    if dtype is None:
        return np.dtype(np.uint16 if a.dtype == np.uint16 else np.uint8)
    dtype = np.dtype(dtype)
    if dtype not in (np.uint8, np.uint16, np.float32):
        raise ValueError(f"dtype must be uint8, uint16 or float32, got {dtype}")
    return dtype


def _convert(rgb, dtype):
    """float32 RGB(A) in [0, 1] as ``dtype``, rounded as :func:`nncolor.io.save_image` does."""
    return rgb if dtype == np.float32 else to_bit_depth(rgb, 8 if dtype == np.uint8 else 16)


def _check_hint_image(hints, shape):
    """The hint image as an array of the image's height and width, or None."""
    if hints is None:
        return None
    hints = np.asarray(hints)
    if hints.ndim != 3 or hints.shape[-1] != 4:
        raise ValueError(f"hints must be an RGBA image whose alpha marks the hinted pixels; "
                         f"got shape {hints.shape}")
    if hints.shape[:2] != shape:
        raise ValueError(f"hints have shape {hints.shape[:2]}, the image {shape}")
    return hints
