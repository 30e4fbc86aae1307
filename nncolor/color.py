"""RGB <-> CIE L*u*v*: the :class:`LuvConverter` step of the colorizer, a scikit-learn
transformer over the float32 conversions of :mod:`nncolor.luv` (whose functions are
importable from here too, as before).
"""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .luv import (  # noqa: F401 (this module's public names before nncolor.luv existed)
    desaturate_into_gamut, gray_from_lightness, lightness, linear_to_srgb, luv2rgb, rgb2luv,
    srgb_to_linear,
)


class LuvConverter(TransformerMixin, BaseEstimator):
    """RGB <-> CIE L*u*v* as a scikit-learn transformer, in float32.

    Takes any ``(..., 3)`` array: an ``H x W x 3`` image, or ``n x 3`` pixel rows. Integer
    dtypes are scaled by their range (uint8 by 255, uint16 by 65535); floats must be in
    [0, 1] and keep float32 precision.

    Examples
    --------
    >>> import numpy as np
    >>> conv = LuvConverter().fit(None)
    >>> luv = conv.transform(np.full((2, 2, 3), 255, dtype=np.uint8))
    >>> luv.shape, luv.dtype
    ((2, 2, 3), dtype('float32'))
    >>> np.allclose(conv.inverse_transform(luv), 1.0, atol=1e-4)
    True
    """

    def fit(self, X=None, y=None):
        """Nothing to learn; present for the scikit-learn API. Returns self."""
        self.n_channels_ = 3
        return self

    def transform(self, X):
        """RGB to L*u*v*; ``X`` has shape (..., 3)."""
        return rgb2luv(_as_rgb(X))

    def inverse_transform(self, X):
        """L*u*v* to RGB in [0, 1]; ``X`` has shape (..., 3)."""
        X = np.asarray(X)
        _check_last_axis(X, "L*u*v*")
        if not np.isfinite(X).all():
            raise ValueError("L*u*v* values contain NaN or infinity")
        return luv2rgb(X)

    def lightness(self, pixels):
        """L* of float pixels in [0, 1], gray ``H x W`` or RGB ``H x W x 3``."""
        return lightness(pixels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def _check_last_axis(X, what):
    if X.ndim < 1 or X.shape[-1] != 3:
        raise ValueError(f"{what} data must have shape (..., 3); got {X.shape}")


def _as_rgb(X):
    from ._images import check_image

    X = np.asarray(X)
    _check_last_axis(X, "RGB")
    # check_image validates dtype and range; a (..., 3) array of any rank is checked flat
    pixels, _ = check_image(X.reshape(-1, 1, 3), name="RGB data")
    return pixels.reshape(X.shape)
