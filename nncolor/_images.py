"""Input checking for images: one place that names what is wrong with an input.

Every public entry point that takes images goes through :func:`check_images`, so the
rules (shapes, dtypes, value ranges) and their error messages live here only; and
:func:`to_bit_depth` turns a result back into 8- or 16-bit pixels.
"""
from numbers import Integral

import numpy as np

#: The image shapes every entry point takes, as error messages name them.
IMAGE_SHAPES = "H x W (gray), H x W x 1, H x W x 3 (RGB) or H x W x 4 (RGBA)"


def check_image(image, *, name="image"):
    """Validate one image and convert it to float32 in [0, 1].

    Parameters
    ----------
    image : array-like
        ``H x W`` gray, ``H x W x 1``, ``H x W x 3`` RGB or ``H x W x 4`` RGBA, of an
        integer dtype (scaled by its range, as scikit-image does), bool, or float in [0, 1].
    name : str
        How the image is called in error messages.

    Returns
    -------
    pixels : ndarray of float32, shape (H, W) or (H, W, 3)
        Gray images are returned 2-D; RGB(A) images as RGB.
    alpha : ndarray of float32, shape (H, W), or None
        The alpha channel of an RGBA image, passed through by the colorizer.
    """
    try:
        a = np.asarray(image)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular array: {exc}") from None
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (3, 4))):
        raise ValueError(f"{name} must be {IMAGE_SHAPES}; got shape {a.shape}")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {a.shape}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0 or hi > 1:
            raise ValueError(
                f"{name} is a float image with values in [{lo:g}, {hi:g}]; float images "
                "must lie in [0, 1] (pass integers, e.g. uint8, for 0-255 data)"
            )
    if np.issubdtype(a.dtype, np.integer) and a.dtype not in (np.uint8, np.uint16):
        # scikit-image would scale int64 by 2**63: a list of 0-255 ints would turn black
        raise TypeError(
            f"{name} has integer dtype {a.dtype}; integer images must be uint8 (0-255) or "
            "uint16 (0-65535): convert with .astype(np.uint8) or .astype(np.uint16)"
        )
    from skimage.util import img_as_float32  # here: nncolor.io imports this module cheaply

    a = img_as_float32(a)
    if a.ndim == 3 and a.shape[-1] == 4:
        return np.ascontiguousarray(a[..., :3]), np.ascontiguousarray(a[..., 3])
    return a, None


def to_bit_depth(image, bit_depth):
    """An image as uint8 (``bit_depth=8``) or uint16 (16): floats clipped to [0, 1] and
    rounded, integers rescaled (scikit-image's conversions).

    Parameters
    ----------
    image : ndarray
        Float in [0, 1] (values outside are clipped), bool, uint8 or uint16, any shape.
    bit_depth : {8, 16}

    Returns
    -------
    ndarray of uint8 or uint16
        The same shape.

    Examples
    --------
    >>> import numpy as np
    >>> to_bit_depth(np.array([0.0, 0.5, 1.2], np.float32), 8).tolist()
    [0, 128, 255]
    """
    from skimage.util import img_as_ubyte, img_as_uint

    if np.issubdtype(image.dtype, np.floating):
        image = np.clip(image, 0, 1)
    return img_as_ubyte(image) if bit_depth == 8 else img_as_uint(image)


def is_single_image(X):
    """True when ``X`` is one image rather than a collection of images."""
    if isinstance(X, np.ndarray):
        return X.ndim == 2 or X.ndim == 3
    return False


def check_images(X, *, require_color=False):
    """Validate a collection of images.

    Parameters
    ----------
    X : list of array-like, array of shape (N, H, W[, C]), or one image
        One ``H x W[ x C]`` ndarray is taken as a single image; a 4-D array as N images.
    require_color : bool
        If True, every image must be RGB or RGBA (training and scoring need true colors).

    Returns
    -------
    images : list of (pixels, alpha) tuples, see :func:`check_image`.
    """
    if is_single_image(X):
        X = [X]
    elif isinstance(X, np.ndarray) and X.ndim != 4:
        raise ValueError(
            f"expected an image, a list of images or an N x H x W x C array; got an array "
            f"of shape {X.shape}"
        )
    elif isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or isinstance(X, Integral):
        raise TypeError(f"expected an image or a list of images, got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError("no images: the list of images is empty")
    out = []
    for i, image in enumerate(X):
        pixels, alpha = check_image(image, name=f"image {i}")
        if require_color and pixels.ndim != 3:
            raise ValueError(
                f"image {i} is grayscale (shape {np.shape(image)}); training and scoring "
                "need color (RGB or RGBA) images"
            )
        out.append((pixels, alpha))
    return out
