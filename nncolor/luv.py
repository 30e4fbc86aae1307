"""RGB <-> CIE L*u*v* in float32, without scikit-learn (what colorizing needs).

The constants (sRGB primaries, D65 white point, CIE thresholds) are scikit-image's, and
scikit-image's ``rgb2luv``/``luv2rgb`` are the reference the tests compare against. The
arithmetic is our own because scikit-image's takes 0.2-0.3 s per megapixel here (masked
float64 temporaries); these fused float32 expressions take a fraction of that, which is
what lets a colorizer keep up with film frames. Functions work on any ``(..., 3)`` array.
"""
import numpy as np
from skimage.color import colorconv

from .device import namespace

_F = np.float32
_XYZ_FROM_RGB = colorconv.xyz_from_rgb.astype(_F)
_RGB_FROM_XYZ = colorconv.rgb_from_xyz.astype(_F)
_WHITE = colorconv.xyz_tristimulus_values(illuminant="D65", observer="2", dtype=np.float64)
_U0 = _F(4 * _WHITE[0] / (_WHITE[0] + 15 * _WHITE[1] + 3 * _WHITE[2]))
_V0 = _F(9 * _WHITE[1] / (_WHITE[0] + 15 * _WHITE[1] + 3 * _WHITE[2]))
_EPS = np.finfo(_F).eps
# Gray pixels (R = G = B) have Y equal to their linear value: the Y row of the sRGB
# matrix sums to one. So lightness of a gray image needs no matrix product at all.
assert abs(float(colorconv.xyz_from_rgb[1].sum()) - 1.0) < 1e-6


def srgb_to_linear(c):
    """Undo the sRGB transfer curve (IEC 61966-2-1) of values in [0, 1].

    Parameters
    ----------
    c : array-like
        Floats in [0, 1], or unsigned integers, scaled by their maximum (255 for uint8,
        65535 for uint16) as scikit-image's ``img_as_float32`` scales them. Python
        numbers and lists, which have no dtype, are taken as floats.

    Returns
    -------
    linear : array of float32, the same shape, in the input's array namespace

    Raises
    ------
    ValueError
        ``c`` holds signed integers, booleans or anything but floats and unsigned
        integers (no scale for them is standard).
    """
    xp = namespace(c)
    c = _unit_floats(xp, c)
    # exp(log(.)) runs on numpy's vectorized float32 routines; np.power does not
    curve = xp.exp(2.4 * xp.log((c + 0.055) / 1.055))
    return xp.where(c > 0.04045, curve, c / 12.92)


def _unit_floats(xp, c):
    """float32 of sRGB values: floats as they are, unsigned integers over their maximum."""
    if hasattr(c, "dtype"):  # Python numbers and lists: floats, as they always were
        c = xp.asarray(c)
        # a check of the dtype alone: the values themselves are not scanned (film frames)
        if xp.isdtype(c.dtype, "unsigned integer"):
            return xp.asarray(c, dtype=xp.float32) / float(xp.iinfo(c.dtype).max)
        if not xp.isdtype(c.dtype, "real floating"):
            raise ValueError("sRGB values must be floats in [0, 1] or unsigned integers "
                             f"(uint8 is divided by 255); got {c.dtype}")
    return xp.asarray(c, dtype=xp.float32)


def linear_to_srgb(c):
    """Apply the sRGB transfer curve to linear values, clipped to [0, 1]."""
    xp = namespace(c)
    c = xp.astype(xp.clip(c, 0.0, 1.0), xp.float32, copy=False)
    curve = 1.055 * xp.exp(xp.log(xp.maximum(c, 0.0031308)) / 2.4) - 0.055
    return xp.where(c > 0.0031308, curve, 12.92 * c)


def _lightness_from_y(y):
    xp = namespace(y)
    # cbrt is not in the array API standard; y ** (1/3) is its slower equivalent here
    cbrt = getattr(xp, "cbrt", None) or (lambda v: xp.pow(xp.maximum(v, 0.0), 1 / 3))
    return xp.where(y > 0.008856, 116 * cbrt(y) - 16.0, 903.3 * y)


def rgb2luv(rgb):
    """Convert sRGB in [0, 1] to CIE L*u*v* (D65, 2 degree observer), float32.

    Parameters
    ----------
    rgb : array-like, shape (..., 3)
        Floats in [0, 1], or unsigned integers (uint8 divided by 255, uint16 by 65535);
        Python numbers and lists are taken as floats.

    Returns
    -------
    luv : ndarray of float32, shape (..., 3)
        L in [0, 100]; u and v roughly in [-100, 180].

    Raises
    ------
    ValueError
        ``rgb``'s last axis is not of length 3, or it holds signed integers or booleans
        (see :func:`srgb_to_linear`).

    Examples
    --------
    >>> import numpy as np
    >>> luv = rgb2luv(np.array([1.0, 1.0, 1.0]))  # white: L = 100, no chroma
    >>> round(float(luv[0]), 3), bool(np.abs(luv[1:]).max() < 0.01)
    (100.0, True)
    """
    linear = srgb_to_linear(rgb)
    if linear.ndim < 1 or linear.shape[-1] != 3:
        raise ValueError(f"rgb2luv takes RGB of shape (..., 3); got shape {linear.shape}")
    xyz = linear @ _XYZ_FROM_RGB.T
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    L = _lightness_from_y(y)
    d = x + _F(15) * y + _F(3) * z + _EPS
    u = _F(13) * L * (_F(4) * x / d - _U0)
    v = _F(13) * L * (_F(9) * y / d - _V0)
    return np.stack([L, u, v], axis=-1)


def desaturate_into_gamut(linear, y):
    """Bring linear-RGB colors into [0, 1] by mixing them with the gray of equal luminance.

    Y is linear in linear RGB and the gray of luminance ``y`` has every channel equal to
    ``y``, so the mixture ``y + t * (rgb - y)`` keeps Y, hence L*, exactly, and stays on the
    line from white to the color in the chromaticity plane (same hue). ``t`` is the
    largest value in [0, 1] that fits every channel: a closed form, no search. Plain
    clipping (as scikit-image does) would instead change the lightness we were given.
    """
    xp = namespace(linear)
    # only out-of-gamut colors need the mapping: usually a small share of an image
    out = xp.clip(linear, 0.0, 1.0)
    bad = xp.any((linear < 0) | (linear > 1), axis=-1)
    if bool(xp.any(bad)):
        yb = xp.clip(y[bad], 0.0, 1.0)[:, None]
        d = linear[bad] - yb
        # room before a channel leaves [0, 1]; divisions only where they are defined
        up = xp.where(d > 0, (1 - yb) / xp.where(d > 0, d, 1.0), xp.inf)
        down = xp.where(d < 0, -yb / xp.where(d < 0, d, -1.0), xp.inf)
        t = xp.minimum(xp.min(xp.minimum(up, down), axis=-1, keepdims=True), 1.0)
        out[bad] = xp.clip(yb + t * d, 0.0, 1.0)
    return out


def luv2rgb(luv):
    """Convert CIE L*u*v* to sRGB in [0, 1], float32.

    Colors outside the sRGB gamut (a saturated codebook chroma under a very dark or
    bright L) are desaturated at constant lightness, see :func:`desaturate_into_gamut`,
    so the output's L* is the input's. Takes NumPy or any array-API array (CuPy on a GPU).

    Parameters
    ----------
    luv : array-like, shape (..., 3)

    Returns
    -------
    rgb : array of float32, shape (..., 3), in the input's array namespace
    """
    xp = namespace(luv)
    luv = xp.asarray(luv, dtype=xp.float32)
    L, u, v = luv[..., 0], luv[..., 1], luv[..., 2]
    y = _y_from_lightness(L)
    a = float(_U0) + u / (13 * L + float(_EPS))
    # v' <= 0 is no real color (a strong negative v under a tiny L): keep the division
    # finite, and the result is then desaturated into the gamut like any other
    b = xp.maximum(float(_V0) + v / (13 * L + float(_EPS)), 1e-4)
    c = 3 * y * (5 * b - 3)
    z = ((a - 4) * c - 15 * a * b * y) / (12 * b)
    x = -(c / b + 3 * z)
    linear = xp.stack([x, y, z], axis=-1) @ xp.asarray(_RGB_FROM_XYZ.T)
    return linear_to_srgb(desaturate_into_gamut(linear, y))


def _y_from_lightness(L):
    xp = namespace(L)
    return xp.where(L > 7.999625, ((L + 16) / 116) ** 3, L / 903.3)


def gray_from_lightness(L):
    """The sRGB gray image in [0, 1] whose CIE L* is ``L`` (the inverse of ``lightness``)."""
    xp = namespace(L)
    return linear_to_srgb(_y_from_lightness(xp.asarray(L, dtype=xp.float32)))


def lightness(pixels):
    """CIE L* of an image in [0, 1]: ``H x W`` gray or ``H x W x 3`` RGB, float32.

    Parameters
    ----------
    pixels : array-like, shape (H, W) or (H, W, 3)
        sRGB: floats in [0, 1], or unsigned integers scaled by their maximum (uint8 by
        255); NumPy or any array-API array (CuPy on a GPU). Python numbers and lists
        are taken as floats. Any 2-D (or lower) array is taken as gray.

    Returns
    -------
    L : array of float32, shape (H, W), in [0, 100], in the input's array namespace

    Raises
    ------
    ValueError
        ``pixels`` is 3-D with other than 3 channels, or holds signed integers or
        booleans (:func:`srgb_to_linear`).
    """
    linear = srgb_to_linear(pixels)
    if linear.ndim > 3 or (linear.ndim == 3 and linear.shape[-1] != 3):
        raise ValueError("lightness takes gray (H, W) or RGB (H, W, 3) pixels; got shape "
                         f"{linear.shape}")
    if linear.ndim == 3:
        linear = linear @ namespace(linear).asarray(_XYZ_FROM_RGB[1])
    return _lightness_from_y(linear)
