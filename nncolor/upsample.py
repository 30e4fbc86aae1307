"""Working resolution: classify a large photo at the scale the model learned, then bring
its colors back to full size guided by the full-resolution lightness.

A 5 x 5 patch of a 3000 px scan sees grain, not the objects a model trained on 256 px
photos learned to recognise. Deep colorizers therefore run at a fixed working size and
upsample their chroma: Zhang, Isola & Efros (2016) predict at 256 x 256 (their output is
a quarter of that, upsampled bilinearly and joined with the input's lightness), and
DeOldify (Antic 2019) renders at ``render_factor * 16`` px. Here:

1. **Down**: the lightness is averaged over ``f x f`` blocks (an integer factor ``f``:
   a box filter, so anti-aliased, exact in geometry and cheap; edge blocks are padded
   by replicating the last row/column). :func:`block_mean` works on row bands, so a
   10 000 px scan never needs a full-size float copy.
2. The colorizer classifies and decodes at that size.
3. **Up**: the fast guided filter of He & Sun (2015): the guided filter's linear model
   ``chroma = a * L + b`` (He, Sun & Tang 2010) is fitted on the small images, where
   box filters are cheap (:func:`guided_coefficients`); its coefficients are upsampled
   bilinearly and applied to the full-resolution lightness. Colors thus follow the
   full-resolution edges of the photo, not the blocky ones of the small image.
4. The upsampled chroma is joined with the input's own lightness and converted to RGB
   (:func:`guided_rgb`) with the same arithmetic as :func:`nncolor.luv.luv2rgb`
   (out-of-gamut colors desaturated at constant L*), so the output's L* is the input's:
   in row bands of NumPy for images of at most :data:`NUMPY_MAX_PIXELS` pixels, in one
   fused, parallel numba kernel (:mod:`nncolor.guided_kernel`) for larger ones.

References
----------
He, K., Sun, J., & Tang, X. (2010). Guided image filtering. ECCV 2010.
He, K., & Sun, J. (2015). Fast guided filter. arXiv:1505.00996.
Zhang, R., Isola, P., & Efros, A. A. (2016). Colorful image colorization. ECCV 2016.
Antic, J. (2019). DeOldify. https://github.com/jantic/DeOldify
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import effective_n_jobs
from scipy.ndimage import uniform_filter
from skimage.color import colorconv

#: Shortest side (pixels) a shrunk image keeps.
MIN_SIDE = 8
#: Radius (in working-resolution pixels) of the guided filter's square window.
GUIDE_RADIUS = 2
#: Regularisation of the guided filter, in (L* units)^2: lightness variations much
#: smaller than sqrt(eps) inside a window do not carry the chroma with them.
GUIDE_EPS = 25.0

#: Images of at most this many pixels (4 MP, 2048 x 2048) are converted to RGB with NumPy,
#: larger ones with numba (:func:`guided_rgb`). In a fresh process the numba kernel's
#: first call costs ~0.6 s (compiler context, threading layer, cached code), more than
#: NumPy takes on 4 MP in two threads; a command colorizing one photo pays it once, and
#: on the bands of a 100 MP scan it is small against the kernel's speed.
NUMPY_MAX_PIXELS = 1 << 22

_F = np.float32
# pixels per band of the NumPy path: its dozen float32 temporaries stay in the CPU cache
_BAND_PIXELS = 1 << 15
_RGB_FROM_XYZ = colorconv.rgb_from_xyz.astype(_F)
_WHITE = colorconv.xyz_tristimulus_values(illuminant="D65", observer="2", dtype=np.float64)
_DEN = _WHITE[0] + 15 * _WHITE[1] + 3 * _WHITE[2]
_U0, _V0 = _F(4 * _WHITE[0] / _DEN), _F(9 * _WHITE[1] / _DEN)
_EPS = _F(np.finfo(_F).eps)

# The sRGB transfer curve (IEC 61966-2-1) tabulated on [0, 1] and interpolated linearly:
# two table reads instead of an exp and a log per channel. Its largest error, where the
# curve bends most (just above 0.0031308), is f'' h^2 / 8 = 2e-5, a 200th of a uint8 step.
_SRGB_STEPS = 4096


def _srgb_table(steps=_SRGB_STEPS):
    c = np.linspace(0.0, 1.0, steps + 1)
    curve = np.where(c > 0.0031308, 1.055 * np.power(c, 1 / 2.4) - 0.055, 12.92 * c)
    return np.append(curve, curve[-1]).astype(_F)  # one more entry: index steps + 1 is safe


_SRGB = _srgb_table()
_SRGB_RISE = np.diff(_SRGB)  # table[k + 1] - table[k], as the kernel computes it


def reduction_factor(shape, size):
    """Integer factor by which an image is shrunk to reach a working size.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W)`` of the full-resolution image.
    size : float or None
        Working size: the side ``sqrt(H * W)`` the image should have, or None.

    Returns
    -------
    int
        ``round(sqrt(H * W) / size)``, at least 1 (1: classify at full resolution, which
        is also what images under 1.5 times ``size`` get), and small enough that the
        shrunk image keeps :data:`MIN_SIDE` pixels on its short side (a long strip is
        not shrunk to a line).
    """
    if size is None:
        return 1
    side = float(np.sqrt(float(shape[0]) * float(shape[1])))
    factor = int(round(side / float(size)))
    return max(1, min(factor, min(shape[0], shape[1]) // MIN_SIDE))


def small_shape(shape, factor):
    """``(ceil(H / f), ceil(W / f))``: the shape of the block-averaged image."""
    return (-(-shape[0] // factor), -(-shape[1] // factor))


def block_mean(L, factor, out=None, row0=0):
    """Average ``factor x factor`` blocks of a lightness image (or of a band of its rows).

    Parameters
    ----------
    L : ndarray of float32, shape (n, W)
        Rows ``row0 .. row0 + n`` of the image; ``row0`` must be a multiple of ``factor``,
        and ``n`` too unless the band ends the image.
    factor : int
    out : ndarray of float32, shape (ceil(H / factor), ceil(W / factor)), optional
        Where to write the band's block rows; a new array of the band's rows otherwise.
    row0 : int

    Returns
    -------
    ndarray of float32
        The block means (``out`` when given). Blocks that run past the last row or column
        average the replicated edge, so every block is a mean of real values.
    """
    L = np.asarray(L, dtype=_F)
    n, w = L.shape
    if row0 % factor:
        raise ValueError(f"a band must start on a multiple of the factor {factor}; got {row0}")
    rows, cols = small_shape((n, w), factor)
    pad = ((0, rows * factor - n), (0, cols * factor - w))
    if pad[0][1] or pad[1][1]:
        L = np.pad(L, pad, mode="edge")
    means = L.reshape(rows, factor, cols, factor).mean(axis=(1, 3), dtype=_F)
    if out is None:
        return means
    out[row0 // factor:row0 // factor + rows] = means
    return out


def downscale_labels(clamp, factor):
    """Carry a label map (``-1`` = none) to the block grid: a block takes a label of one
    of its pixels, so no labelled pixel (a thin hint stroke) is lost by the shrink.

    Parameters
    ----------
    clamp : ndarray of int, shape (H, W)
    factor : int

    Returns
    -------
    ndarray of intp, shape (ceil(H / factor), ceil(W / factor))
    """
    out = np.full(small_shape(clamp.shape, factor), -1, dtype=np.intp)
    ys, xs = np.nonzero(clamp >= 0)
    out[ys // factor, xs // factor] = clamp[ys, xs]
    return out


def guided_coefficients(L, chroma, radius=None, eps=None):
    """Coefficients of the guided filter of ``chroma`` by the guide ``L``.

    For every window, the least-squares fit ``chroma = a * L + b`` with ridge ``eps``
    on ``a`` (He, Sun & Tang 2010, eqs. 5-6), averaged over the windows that hold each
    pixel (eq. 8).

    Parameters
    ----------
    L : ndarray, shape (h, w)
        The guide: lightness L* at working resolution.
    chroma : ndarray, shape (h, w, 2)
        (u, v) at working resolution.
    radius : int, optional
        Windows are ``(2 radius + 1)^2`` pixels; default :data:`GUIDE_RADIUS`.
    eps : float, optional
        Ridge, in (L* units)^2; default :data:`GUIDE_EPS`. A huge value leaves ``a = 0``:
        the chroma is then only box-filtered and upsampled bilinearly, unguided.

    Returns
    -------
    coef : ndarray of float32, shape (h, w, 4)
        ``(a_u, b_u, a_v, b_v)`` per pixel; ``a * L + b`` at a pixel is its filtered chroma.
    """
    radius = GUIDE_RADIUS if radius is None else radius
    eps = GUIDE_EPS if eps is None else eps
    L = np.asarray(L, dtype=_F)
    chroma = np.asarray(chroma, dtype=_F)
    if chroma.shape != L.shape + (2,):
        raise ValueError(f"chroma must have shape {L.shape + (2,)}; got {chroma.shape}")
    size = 2 * radius + 1

    def box(x):
        return uniform_filter(x, size=size, mode="reflect")

    mean_L = box(L)
    var_L = box(L * L) - mean_L * mean_L
    coef = np.empty(L.shape + (4,), dtype=_F)
    for c in range(2):
        p = chroma[..., c]
        mean_p = box(p)
        a = (box(L * p) - mean_L * mean_p) / (var_L + _F(eps))
        b = mean_p - a * mean_L
        coef[..., 2 * c] = box(a)
        coef[..., 2 * c + 1] = box(b)
    return coef


def fit_guide(L, chroma):
    """The guided filter of working-resolution chroma, as :func:`guided_rgb` applies it.

    Parameters
    ----------
    L : ndarray, shape (h, w)
        Lightness L* at working resolution (:func:`block_mean`).
    chroma : ndarray, shape (h, w, 2)
        Its (u, v) (:meth:`nncolor.SOMColorizer.chroma`).

    Returns
    -------
    coef : ndarray of float32, shape (h, w, 4)
        :func:`guided_coefficients` of the chroma by ``L``.
    bounds : ndarray of float32, shape (4,)
        The chroma's ``(u_min, u_max, v_min, v_max)``.

    Raises
    ------
    ValueError
        ``chroma`` is not of shape (h, w, 2).
    """
    chroma = np.asarray(chroma, dtype=_F)
    coef = guided_coefficients(L, chroma)
    bounds = np.array([chroma[..., 0].min(), chroma[..., 0].max(),
                       chroma[..., 1].min(), chroma[..., 1].max()], dtype=_F)
    return coef, bounds


def guided_rgb(coef, L, factor, row0=0, bounds=None, out=None, n_jobs=None):
    """Full-resolution RGB from working-resolution guided-filter coefficients.

    The coefficients are interpolated bilinearly at each full-resolution pixel (pixel
    centres aligned: full-size pixel ``y`` sits at ``(y + 0.5) / f - 0.5`` on the small
    grid), applied to its lightness, and (L, u, v) is converted to sRGB.

    An image of at most :data:`NUMPY_MAX_PIXELS` pixels (the small grid times
    ``factor ** 2``, so every band of one image takes the same path) is converted with
    NumPy, in bands of rows spread over the CPUs' threads; a larger one with the parallel
    numba kernel of :mod:`nncolor.guided_kernel`. Both do the same float32 arithmetic
    (they differ by rounding, ~1e-6).

    Parameters
    ----------
    coef : ndarray of float32, shape (h, w, 4)
        From :func:`guided_coefficients`.
    L : ndarray of float32, shape (n, W)
        Full-resolution lightness of rows ``row0 .. row0 + n`` (the whole image, or a band).
    factor : int
        The reduction factor the small image was made with.
    row0 : int
    bounds : array-like of 4 floats, optional
        ``(u_min, u_max, v_min, v_max)``: the chroma is clipped to them (the range of the
        small chroma), so a fine lightness detail the small image never saw cannot push
        the linear model beyond the colors it was fitted on.
    out : ndarray of float32, shape (n, W, 3), optional
    n_jobs : int or None
        Threads of the NumPy path: None, as many as the CPUs this process may run on; a
        number, at most that many (a worker process of a batch given one CPU passes 1).

    Returns
    -------
    rgb : ndarray of float32, shape (n, W, 3), in [0, 1]
    """
    coef, L, rows, cols, bounds = _guided_grid(coef, L, factor, row0, bounds)
    if out is None:
        out = np.empty(L.shape + (3,), dtype=_F)
    if coef.shape[0] * coef.shape[1] * factor * factor <= NUMPY_MAX_PIXELS:
        _guided_rgb_numpy(coef, L, rows, cols, bounds, out, n_jobs)
    else:
        from .guided_kernel import guided_rgb_kernel  # imports numba: large images only

        (y0, y1, wy), (x0, x1, wx) = rows, cols
        guided_rgb_kernel(coef, L, y0, y1, wy, x0, x1, wx, bounds, _RGB_FROM_XYZ,
                          np.array([_U0, _V0, _EPS], dtype=_F), _SRGB, out)
    return out


def _guided_rgb_numpy(coef, L, rows, cols, bounds, out, n_jobs=None):
    """:func:`guided_rgb`'s NumPy path, band by band (:func:`_in_bands`)."""

    def band(start, stop):
        _guided_rgb_band(coef, L[start:stop], [a[start:stop] for a in rows], cols, bounds,
                         out[start:stop])

    _in_bands(L.shape, band, n_jobs)


def _in_bands(shape, band, n_jobs=None):
    """``band(start, stop)`` over bands of rows of about :data:`_BAND_PIXELS` pixels (small
    enough for the CPU cache) of an image of ``shape``, in threads (NumPy's loops release
    the GIL; each band writes its own rows)."""
    n, w = shape
    step = max(1, _BAND_PIXELS // max(w, 1))
    starts = range(0, n, step)
    # None: every CPU (the default colorizer's n_jobs); -1 and the like as joblib reads them
    workers = min(len(starts), _cpu_count() if n_jobs is None else effective_n_jobs(n_jobs))
    if workers <= 1:
        for start in starts:
            band(start, min(n, start + step))
        return
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(lambda start: band(start, min(n, start + step)), starts):
            pass  # re-raises a band's error


def guided_chroma(coef, L, factor, row0=0, bounds=None, n_jobs=None):
    """Full-resolution chroma from working-resolution guided-filter coefficients: the
    (u, v) that :func:`guided_rgb` converts to RGB, for callers that need the chroma
    itself (a mixture of models weights its experts' chroma; a film's flicker measure).

    Parameters
    ----------
    coef, L, factor, row0, bounds, n_jobs
        As in :func:`guided_rgb`.

    Returns
    -------
    chroma : ndarray of float32, shape (n, W, 2)
        (u, v) of every pixel, clipped to ``bounds``; before any gamut mapping.
    """
    coef, L, rows, cols, bounds = _guided_grid(coef, L, factor, row0, bounds)
    out = np.empty(L.shape + (2,), dtype=_F)

    def band(start, stop):
        uv = _guided_uv(coef, L[start:stop], [a[start:stop] for a in rows], cols, bounds)
        for i, plane in enumerate(uv):
            out[start:stop, :, i] = plane

    _in_bands(L.shape, band, n_jobs)
    return out


def _guided_grid(coef, L, factor, row0, bounds):
    """What :func:`guided_rgb` and :func:`guided_chroma` start from: the coefficients and
    L as contiguous float32, each full-size row's and column's bilinear neighbours and
    weights on the small grid (:func:`_interp_axis`), and the bounds (none: infinite)."""
    coef = np.ascontiguousarray(coef, dtype=_F)
    L = np.ascontiguousarray(L, dtype=_F)
    n, w = L.shape
    bounds = np.asarray((-np.inf, np.inf, -np.inf, np.inf) if bounds is None else bounds,
                        dtype=_F)
    return (coef, L, _interp_axis(n, coef.shape[0], factor, row0),
            _interp_axis(w, coef.shape[1], factor), bounds)


def _guided_uv(coef, L, rows, cols, bounds):
    """(u, v) planes of a band of rows: the coefficients interpolated at each pixel (along
    x first, then y, as the numba kernel does; only the band's small rows), applied to its
    lightness and clipped to ``bounds``."""
    y0, y1, wy = rows
    x0, x1, wx = cols
    first, last = int(y0.min()), int(y1.max()) + 1
    c = np.moveaxis(coef[first:last], -1, 0)  # (4, rows, w)
    left = c[:, :, x0]
    across = left + wx * (c[:, :, x1] - left)
    top = across[:, y0 - first]
    k = top + wy[:, None] * (across[:, y1 - first] - top)  # (4, n, W): a_u, b_u, a_v, b_v
    return (np.clip(k[0] * L + k[1], bounds[0], bounds[1]),
            np.clip(k[2] * L + k[3], bounds[2], bounds[3]))


def _guided_rgb_band(coef, L, rows, cols, bounds, out):
    """The numba kernel's arithmetic (:mod:`nncolor.guided_kernel`) on a band of rows, in
    float32 arrays: the same operations in the same order, one plane per channel."""
    f32 = _F
    u, v = _guided_uv(coef, L, rows, cols, bounds)
    # CIE L*u*v* -> XYZ -> linear RGB, as nncolor.luv.luv2rgb
    t = (L + f32(16)) / f32(116)
    y = np.where(L > f32(7.999625), t * t * t, L / f32(903.3))
    den = f32(13) * L + _EPS
    ap = _U0 + u / den
    bp = np.maximum(_V0 + v / den, f32(1e-4))  # v' <= 0 is no real color: keep it finite
    cc = f32(3) * y * (f32(5) * bp - f32(3))
    z = ((ap - f32(4)) * cc - f32(15) * ap * bp * y) / (f32(12) * bp)
    x = -(cc / bp + f32(3) * z)
    m = _RGB_FROM_XYZ
    rgb = [m[i, 0] * x + m[i, 1] * y + m[i, 2] * z for i in range(3)]
    outside = np.flatnonzero((np.minimum(np.minimum(rgb[0], rgb[1]), rgb[2]) < 0)
                             | (np.maximum(np.maximum(rgb[0], rgb[1]), rgb[2]) > 1))
    if outside.size:
        # desaturate towards the gray of equal luminance (keeps L*), as
        # nncolor.luv.desaturate_into_gamut; only there, as the kernel
        yb = np.clip(y.ravel()[outside], 0, 1)
        d = np.stack([plane.ravel()[outside] for plane in rgb]) - yb
        with np.errstate(divide="ignore", invalid="ignore"):
            limit = np.where(d > 0, (1 - yb) / d, np.where(d < 0, -yb / d, f32(1)))
        scale = np.minimum(limit.min(axis=0), f32(1))
        for plane, dc in zip(rgb, d):
            np.put(plane, outside, yb + scale * dc)
    # the sRGB transfer curve from the table, as the kernel's _srgb
    for i, plane in enumerate(rgb):
        pos = np.clip(plane, 0, 1, out=plane)
        pos *= f32(_SRGB.shape[0] - 2)
        below = np.floor(pos)
        index = below.astype(np.intp)
        out[..., i] = _SRGB[index] + (pos - below) * _SRGB_RISE[index]


def _cpu_count():
    """The CPUs this process may run on (its affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _interp_axis(n, n_small, factor, start=0):
    """Bilinear neighbours and weights on the small grid of full-size pixels
    ``start .. start + n`` (edges clamped)."""
    pos = (np.arange(start, start + n, dtype=np.float64) + 0.5) / factor - 0.5
    lo = np.floor(pos)
    weight = (pos - lo).astype(_F)
    lo = lo.astype(np.int64)
    hi = np.clip(lo + 1, 0, n_small - 1)
    lo = np.clip(lo, 0, n_small - 1)
    return lo, hi, weight
