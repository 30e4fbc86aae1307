"""The numba kernel of :func:`nncolor.upsample.guided_rgb`, for large images.

Kept apart from :mod:`nncolor.upsample` so that importing it, and colorizing images up to
:data:`nncolor.upsample.NUMPY_MAX_PIXELS` pixels (which take the NumPy path), never
imports numba nor loads its cache: in a fresh process the first call of this parallel
kernel costs ~0.6 s (numba's compiler context and threading layer are set up, and the
cached machine code loaded), against ~0.08 s for each later call on one megapixel.

The arithmetic is that of :func:`nncolor.luv.luv2rgb` (out-of-gamut colors desaturated
at constant L*), in float32; :func:`nncolor.upsample.guided_rgb` describes the arguments.
"""
import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _bilinear(coef, k, r0, r1, ty, c0, c1, tx):
    top = coef[r0, c0, k] + tx * (coef[r0, c1, k] - coef[r0, c0, k])
    bottom = coef[r1, c0, k] + tx * (coef[r1, c1, k] - coef[r1, c0, k])
    return top + ty * (bottom - top)


@njit(parallel=True, fastmath=True, cache=True)
def guided_rgb_kernel(coef, L, y0, y1, wy, x0, x1, wx, bounds, m, white, srgb, out):
    """Write sRGB into ``out`` (n, W, 3) from the coefficients ``coef`` (h, w, 4), the
    lightness ``L`` (n, W), the bilinear neighbours and weights of each row (``y0, y1,
    wy``) and column (``x0, x1, wx``) on the small grid, the chroma ``bounds``, the
    XYZ -> linear RGB matrix ``m``, ``white = (u'_n, v'_n, eps)`` and the sRGB curve table
    ``srgb``. All float32 (the indices int64)."""
    # float32 throughout (literals too): float64 would double the cost of exp/log
    f32 = np.float32
    zero, one = f32(0), f32(1)
    u0, v0, eps = white[0], white[1], white[2]
    n, w = L.shape
    for i in prange(n):
        r0, r1, ty = y0[i], y1[i], wy[i]
        for j in range(w):
            c0, c1, tx = x0[j], x1[j], wx[j]
            lum = L[i, j]
            u = _bilinear(coef, 0, r0, r1, ty, c0, c1, tx) * lum \
                + _bilinear(coef, 1, r0, r1, ty, c0, c1, tx)
            v = _bilinear(coef, 2, r0, r1, ty, c0, c1, tx) * lum \
                + _bilinear(coef, 3, r0, r1, ty, c0, c1, tx)
            u = min(max(u, bounds[0]), bounds[1])
            v = min(max(v, bounds[2]), bounds[3])
            # CIE L*u*v* -> XYZ -> linear RGB, as nncolor.luv.luv2rgb
            if lum > f32(7.999625):
                t = (lum + f32(16)) / f32(116)
                y = t * t * t
            else:
                y = lum / f32(903.3)
            den = f32(13) * lum + eps
            ap = u0 + u / den
            # v' <= 0 is no real color (a strong negative v under a tiny L): keep it finite
            bp = max(v0 + v / den, f32(1e-4))
            cc = f32(3) * y * (f32(5) * bp - f32(3))
            z = ((ap - f32(4)) * cc - f32(15) * ap * bp * y) / (f32(12) * bp)
            x = -(cc / bp + f32(3) * z)
            r = m[0, 0] * x + m[0, 1] * y + m[0, 2] * z
            g = m[1, 0] * x + m[1, 1] * y + m[1, 2] * z
            bl = m[2, 0] * x + m[2, 1] * y + m[2, 2] * z
            if r < zero or r > one or g < zero or g > one or bl < zero or bl > one:
                # desaturate towards the gray of equal luminance (keeps L*), as
                # nncolor.luv.desaturate_into_gamut
                yb = min(max(y, zero), one)
                t = one
                for d in (r - yb, g - yb, bl - yb):
                    if d > zero:
                        t = min(t, (one - yb) / d)
                    elif d < zero:
                        t = min(t, -yb / d)
                r, g, bl = yb + t * (r - yb), yb + t * (g - yb), yb + t * (bl - yb)
            out[i, j, 0] = _srgb(r, srgb)
            out[i, j, 1] = _srgb(g, srgb)
            out[i, j, 2] = _srgb(bl, srgb)
    return out


@njit(fastmath=True, cache=True, inline="always")
def _srgb(lin, table):
    """The sRGB transfer curve of a linear value, clipped to [0, 1], from the table."""
    steps = table.shape[0] - 2
    pos = min(max(lin, np.float32(0)), np.float32(1)) * np.float32(steps)
    k = int(pos)
    return table[k] + (pos - np.float32(k)) * (table[k + 1] - table[k])
