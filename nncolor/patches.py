"""Patch features: the odd square window of lightness around each pixel."""
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .windows import dense_patches, patch_windows


class PatchExtractor(BaseEstimator):
    """Turn lightness images into rows of patch features, one row per pixel.

    Every pixel has a patch, borders included: images are padded by ``patch_size // 2``
    (mirror reflection by default), so the colorizer predicts every pixel of any image,
    even one smaller than the patch. Features are ``L / 100`` (L* in [0, 100]), float32,
    in row-major patch order.

    Parameters
    ----------
    patch_size : int, default=5
        Odd side of the square patch, 1 to 31.
    n_samples : int, default=2500
        Pixels drawn per image by :meth:`sample` (the paper used 2500); all pixels when an
        image has fewer.
    padding : {"reflect", "symmetric", "edge"}, default="reflect"
        How the border is extended (``numpy.pad`` modes).
    chunk_pixels : int, default=16384
        Rows per block of :meth:`iter_dense`: bounds memory to
        ``chunk_pixels * patch_size**2 * 4`` bytes whatever the image size.
    random_state : int, RandomState instance or None
        Seeds :meth:`sample` when it is not given its own ``random_state``.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.arange(12, dtype=np.float32).reshape(3, 4)
    >>> PatchExtractor(patch_size=3).transform([L]).shape
    (12, 9)
    """

    _parameter_constraints = {
        "patch_size": [Interval(Integral, 1, 31, closed="both")],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"reflect", "symmetric", "edge"})],
        "chunk_pixels": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, patch_size=5, *, n_samples=2500, padding="reflect", chunk_pixels=16384,
        random_state=None,
    ):
        self.patch_size = patch_size
        self.n_samples = n_samples
        self.padding = padding
        self.chunk_pixels = chunk_pixels
        self.random_state = random_state

    def fit(self, X=None, y=None):
        """Validate the parameters (nothing is learned). Returns self."""
        self.n_features_out_ = self._check_params()
        return self

    def _check_params(self):
        """Validate the parameters without setting anything; returns patch_size**2."""
        self._validate_params()
        if self.patch_size % 2 == 0:
            raise ValueError(f"patch_size must be odd, got {self.patch_size}")
        return self.patch_size**2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def _windows(self, L):
        """Read-only view of shape (H, W, p, p): the patch of every pixel, no copy."""
        return patch_windows(L, self.patch_size, self.padding)

    def iter_dense(self, L):
        """Yield ``(start, stop, features)`` over a lightness image in bounded blocks.

        ``features`` holds the patches of flat pixel indices ``start:stop``, whole rows of
        the image at a time (:func:`nncolor.windows.dense_patches`).
        """
        self._check_params()
        return dense_patches(L, self.patch_size, self.padding, self.chunk_pixels)

    def transform(self, X):
        """Patches of every pixel of each lightness image in ``X``, stacked row-wise."""
        return np.concatenate([f for L in X for _, _, f in self.iter_dense(L)])

    def sample(self, X, random_state=None):
        """Patches of ``n_samples`` random pixels of each lightness image in ``X``.

        Returns
        -------
        features : ndarray of float32, shape (n_total, patch_size**2)
        indices : list of ndarray
            Flat pixel indices drawn from each image, to pick the matching targets.
        """
        self._check_params()
        rng = check_random_state(self.random_state if random_state is None else random_state)
        # a Generator draws k of n without shuffling all n (RandomState.choice does)
        gen = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
        features, indices = [], []
        for L in X:
            n_pixels = L.size
            idx = np.sort(gen.choice(n_pixels, size=min(self.n_samples, n_pixels), replace=False))
            rows, cols = np.divmod(idx, L.shape[1])
            features.append(self._windows(L)[rows, cols].reshape(len(idx), -1))
            indices.append(idx)
        return np.concatenate(features), indices

    def sample_luv(self, luv, random_state=None):
        """A training set: L patches and (u, v) of random pixels of L*u*v* images.

        :meth:`sample` on the L channels, with the chroma of the same pixels.

        Returns
        -------
        features : ndarray of float32, shape (n_total, patch_size**2)
        chroma : ndarray, shape (n_total, 2)
        indices : list of ndarray
            Flat pixel indices drawn from each image.
        """
        features, indices = self.sample([im[..., 0] for im in luv], random_state)
        chroma = np.concatenate([im[..., 1:].reshape(-1, 2)[i] for im, i in zip(luv, indices)])
        return features, chroma, indices
