"""Color management: pixels as the photo shows them, in sRGB, through little-CMS.

A scan or an exported photo may carry an ICC profile that says what its numbers mean: a
gray scan tagged "Gray Gamma 1.8", an Adobe RGB or ProPhoto export, a CMYK file from a
print workflow. Read as if they were sRGB, their lightness is not the lightness a viewer
shows (a gamma-1.8 gray scan looks about 6 L* lighter in a color-managed viewer than its
numbers read as sRGB). :func:`to_srgb` converts pixels through their embedded profile
into sRGB, the color space the colorizer works in and writes; :func:`srgb_profile`
gives the profile that outputs carry to say so.

The conversion is little-CMS's (Pillow's ``ImageCms``), with the profile's own rendering
intent. little-CMS in Pillow works on 8 bits per channel; 16-bit and floating-point
pixels are converted through the 8-bit transform sampled on a grid (every code value for
gray, every fifth for RGB) and interpolated, so they stay 16-bit with an error under
0.5 / 255 of full scale.

References
----------
International Color Consortium (2010). Specification ICC.1:2010 (profile version 4.3).
Marti Maria (2020). Little CMS 2.x, the color engine behind Pillow's ImageCms.
"""
import io
import warnings
from functools import lru_cache

import numpy as np

#: Nodes per axis of the RGB grid for 16-bit and float pixels: 0, 5, 10, ..., 255 (8-bit
#: code values, so each node is transformed exactly).
_GRID = 52
_CHUNK = 2**20  # pixels interpolated at a time
_AS_INPUT, _RELATIVE_COLORIMETRIC = 0, 1  # ICC direction and rendering intent numbers


class ProfileWarning(UserWarning):
    """An embedded ICC profile that cannot be used (damaged, or for other pixels)."""


@lru_cache(maxsize=1)
def _srgb():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def srgb_profile():
    """The ICC profile (bytes) that marks an output as sRGB (little-CMS's built-in sRGB).

    Its creation date is fixed (little-CMS writes the current time), so the same image
    gives the same file, and nncolor knows its own profile when it reads it back.
    """
    import struct

    data = bytearray(_srgb().tobytes())
    data[24:36] = struct.pack(">6H", 2020, 1, 1, 0, 0, 0)  # the header's dateTimeNumber
    return bytes(data)


def embedded_profile(info, path):
    """The ICC profile a file carries (``PIL.Image.info["icc_profile"]``), or None (also
    for the sRGB profile :func:`save_image <nncolor.io.save_image>` embeds).

    A profile little-CMS cannot read is ignored with a :class:`ProfileWarning` naming the
    file: the pixels are then taken as sRGB, as every viewer without the profile does.
    """
    from PIL import ImageCms

    data = info.get("icc_profile")
    if not data or data == srgb_profile():  # none, or the one nncolor writes: sRGB already
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (OSError, ValueError, TypeError) as exc:
        warnings.warn(f"{path}: ignoring its embedded ICC profile, which cannot be read "
                      f"({exc}); its pixels are taken as sRGB", ProfileWarning, stacklevel=3)
        return None


def color_space(profile):
    """The kind of pixels a profile describes: ``"GRAY"``, ``"RGB"``, ``"CMYK"``, ..."""
    return profile.profile.xcolor_space.strip()


def cmyk_to_srgb(im, profile):
    """A CMYK PIL image converted through its profile to an RGB one (8 bits)."""
    from PIL import ImageCms

    return ImageCms.applyTransform(im, _transform(profile, "CMYK"))


def to_srgb(array, profile, path):
    """Pixels converted from their embedded profile's color space to sRGB.

    Parameters
    ----------
    array : ndarray of uint8, uint16 or float32 (in [0, 1])
        ``H x W`` gray (with a gray profile), ``H x W x 3`` RGB or ``H x W x 4`` RGBA
        (with an RGB profile; the alpha channel is kept as it is).
    profile : PIL.ImageCms.ImageCmsProfile
    path : str or Path
        The file, named in a warning.

    Returns
    -------
    ndarray
        The same shape and dtype, in sRGB. A profile that does not describe such pixels
        (an RGB profile in a gray file, say) is ignored with a :class:`ProfileWarning`,
        and ``array`` is returned unchanged.
    """
    space = color_space(profile)
    gray = array.ndim == 2
    if (space == "GRAY") != gray or space not in ("GRAY", "RGB"):
        kind = "gray" if gray else "color"
        warnings.warn(f"{path}: ignoring its embedded {space} ICC profile, which does not "
                      f"fit its {kind} pixels; they are taken as sRGB", ProfileWarning,
                      stacklevel=3)
        return array
    if gray:
        return _gray_to_srgb(array, profile)
    rgb, alpha = array[..., :3], array[..., 3:]
    rgb = _rgb_to_srgb(np.ascontiguousarray(rgb), profile)
    return np.concatenate([rgb, alpha], axis=-1) if alpha.size else rgb


def _transform(profile, mode):
    """A little-CMS transform from ``profile`` (pixels of PIL ``mode``) to sRGB RGB."""
    from PIL import ImageCms

    # the profile's own intent where it has tables for it, else relative colorimetric (1);
    # plain integers: Pillow's Intent and Direction enums are recent (10.1)
    intent = ImageCms.getDefaultIntent(profile)
    if not ImageCms.isIntentSupported(profile, intent, _AS_INPUT):
        intent = _RELATIVE_COLORIMETRIC
    return ImageCms.buildTransform(profile, _srgb(), mode, "RGB", renderingIntent=intent)


def _apply(profile, mode, pixels):
    """Run 8-bit ``pixels`` (PIL ``mode``) through the transform; RGB uint8 array."""
    from PIL import Image, ImageCms

    image = Image.fromarray(pixels)  # uint8: 2-D is L, 3 channels RGB
    return np.asarray(ImageCms.applyTransform(image, _transform(profile, mode)))


def _gray_to_srgb(array, profile):
    # the gray tone curve, sampled at every 8-bit code value; the sRGB image of a gray is
    # neutral (R = G = B up to rounding), so its mean is the sRGB gray value
    ramp = np.arange(256, dtype=np.uint8)[None, :]
    curve = _apply(profile, "L", ramp)[0].mean(axis=-1)
    if array.dtype == np.uint8:
        return np.rint(curve).astype(np.uint8)[array]
    return _rescaled(np.interp(_as_codes(array), np.arange(256), curve), array.dtype)


def _rgb_to_srgb(rgb, profile):
    if rgb.dtype == np.uint8:
        return _apply(profile, "RGB", rgb)
    from scipy.ndimage import map_coordinates

    nodes = np.linspace(0, 255, _GRID).astype(np.uint8)  # 0, 5, ..., 255
    grid = np.stack(np.meshgrid(nodes, nodes, nodes, indexing="ij"), axis=-1)
    table = _apply(profile, "RGB", grid.reshape(_GRID, -1, 3)).reshape(grid.shape)
    planes = [table[..., c].astype(np.float32) for c in range(3)]
    out = np.empty(rgb.shape, rgb.dtype)
    rows = max(1, _CHUNK // rgb.shape[1])  # bounded memory for the coordinates
    for top in range(0, rgb.shape[0], rows):
        part = rgb[top:top + rows]
        coords = np.moveaxis(_as_codes(part) * np.float32((_GRID - 1) / 255), -1, 0)
        out[top:top + rows] = _rescaled(np.stack(
            [map_coordinates(plane, coords, order=1, mode="nearest") for plane in planes],
            axis=-1), rgb.dtype)
    return out


def _as_codes(array):
    """Pixels on the 0-255 scale of the 8-bit transform, as float32."""
    scale = 255 / 65535 if array.dtype == np.uint16 else 255
    return array.astype(np.float32) * np.float32(scale)


def _rescaled(codes, dtype):
    """0-255 values back to the pixels' own dtype."""
    if dtype == np.uint16:
        return np.rint(np.clip(codes, 0, 255) * (65535 / 255)).astype(np.uint16)
    return np.clip(np.asarray(codes, dtype=np.float32) / 255, 0, 1).astype(np.float32)
