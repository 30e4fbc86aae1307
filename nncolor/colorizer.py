"""The SOM-MLP colorizer (Richart, Visca & Baliosian 2017) as a scikit-learn meta-estimator."""
import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._images import check_images, is_single_image
from .color import LuvConverter
from .mlp import is_fast_mlp, mlp_predict, mlp_predict_proba
from .patches import PatchExtractor
from .som import SOMQuantizer

# A training set whose chroma never leaves this radius (in u, v units) is gray: the
# colorizer would learn nothing but noise, so fit refuses it.
_MIN_CHROMA = 1.0


class SOMColorizer(BaseEstimator):
    """Colorize grayscale images with a color codebook and a patch classifier.

    Fit: convert color images to L*u*v*; draw pixels; quantize their (u, v) with the
    ``quantizer`` (a SOM) into a codebook; train the ``classifier`` to predict each pixel's
    codebook color from the ``features`` (the patch of L around it). Predict: classify
    every pixel of a gray image, look its codebook (u, v) up, join it with the input's L
    and convert back to RGB. The steps are parameters, so nested parameters such as
    ``features__patch_size`` or ``quantizer__shape`` can be set and grid-searched.

    Parameters
    ----------
    color_space : LuvConverter or None
        RGB <-> L*u*v* converter; None means ``LuvConverter()``.
    quantizer : estimator or None
        Fits on (n, 2) chroma; needs ``predict`` (labels), ``inverse_transform`` (labels to
        chroma) and ``n_colors_``. None means ``SOMQuantizer()``.
    features : PatchExtractor or None
        None means ``PatchExtractor()``.
    classifier : classifier or None
        Any scikit-learn classifier with ``predict_proba`` (or a ``Pipeline`` ending in
        one). None means the paper's ``MLPClassifier(hidden_layer_sizes=(50, 50))``.
    n_jobs : int or None
        Threads that classify blocks of pixels at predict time (BLAS is then limited to
        one thread each, which is faster for these narrow matrices). None means 1.
    random_state : int, RandomState instance or None
        Seeds pixel sampling and every step whose own ``random_state`` is None.

    Attributes
    ----------
    color_space_, quantizer_, features_, classifier_ : fitted clones of the steps
    n_colors_ : int
        Codebook size K.
    codebook_ : ndarray of float32, shape (K, 2)
        The (u, v) of each codebook color.
    chroma_mean_ : ndarray of float32, shape (2,)
        Mean (u, v) of the training pixels (the "mean color" baseline).
    n_training_pixels_ : int

    Examples
    --------
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> col = make_colorizer(patch_size=3, n_samples=500, max_iter=20, random_state=0)
    >>> col = col.fit([data.coffee(), data.astronaut()])
    >>> col.predict(data.camera()).shape
    (512, 512, 3)
    """

    def __init__(
        self, color_space=None, quantizer=None, features=None, classifier=None, *,
        n_jobs=None, random_state=None,
    ):
        self.color_space = color_space
        self.quantizer = quantizer
        self.features = features
        self.classifier = classifier
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Learn the codebook and the classifier from color images.

        Parameters
        ----------
        X : list of array-like or array of shape (N, H, W, 3|4), or one image
            Color images (RGB or RGBA; alpha is ignored), of any sizes and dtypes.
        y : None
            Ignored: the targets come from the images themselves.

        Returns
        -------
        self
        """
        images = check_images(X, require_color=True)
        rng = check_random_state(self.random_state)
        self.color_space_ = clone(self.color_space or LuvConverter()).fit()
        self.features_ = clone(self.features or PatchExtractor()).fit()
        self.quantizer_ = _seeded(clone(self.quantizer or SOMQuantizer()), rng)
        self.classifier_ = _seeded(clone(self.classifier or _default_classifier()), rng)

        luv = [self.color_space_.transform(pixels) for pixels, _ in images]
        X_patches, picked = self.features_.sample(
            [im[..., 0] for im in luv], random_state=rng.randint(np.iinfo(np.int32).max)
        )
        chroma = np.concatenate([im[..., 1:].reshape(-1, 2)[i] for im, i in zip(luv, picked)])
        if np.abs(chroma).max() < _MIN_CHROMA:
            raise ValueError(
                "the training images have no color: every sampled pixel is gray "
                f"(|u|, |v| < {_MIN_CHROMA}); train on color photographs"
            )
        labels = self.quantizer_.fit(chroma).predict(chroma)
        if np.unique(labels).size < 2:
            raise ValueError(
                "all training pixels fall into one codebook color; nothing to learn "
                "(train on more varied color images)"
            )
        self.classifier_.fit(X_patches, labels)
        self.n_colors_ = int(self.quantizer_.n_colors_)
        self.codebook_ = self.quantizer_.inverse_transform(np.arange(self.n_colors_))
        self.chroma_mean_ = chroma.mean(axis=0)
        self.n_training_pixels_ = len(chroma)
        return self

    # -------------------------------------------------------------- predict
    def predict(self, X):
        """Colorize images.

        Parameters
        ----------
        X : image or list of images
            Gray (``H x W`` or ``H x W x 1``) or color images (only their lightness is
            used), any numeric dtype.

        Returns
        -------
        images : list of ndarray of float32 in [0, 1], or one array for one image
            ``H x W x 3`` RGB, or ``H x W x 4`` with the input's alpha passed through.
        """
        return self._map(X, self._colorize)

    def predict_proba(self, X):
        """Per-pixel probabilities over the codebook colors.

        Returns
        -------
        proba : list of ndarray of float32, shape (H, W, K), or one array for one image
            Sums to one over the last axis. Codebook colors that no training pixel had
            get probability zero.
        """
        return self._map(X, self._proba)

    def predict_labels(self, X):
        """Most probable codebook color of every pixel: list of ``H x W`` int arrays."""
        return self._map(X, self._labels)

    def score(self, X, y=None):
        """Mean PSNR (dB) of the colorized gray versions of color images ``X``.

        The score compares RGB images, so it is comparable across codebook sizes and
        patch sizes (codebook accuracy is not: fewer colors are easier to guess).
        """
        from .metrics import psnr

        images = check_images(X, require_color=True)
        truth = [pixels for pixels, _ in images]
        return psnr(truth, [self._colorize(pixels, None) for pixels in truth])

    # ------------------------------------------------------------ internals
    def _map(self, X, fn):
        check_is_fitted(self)
        out = [fn(pixels, alpha) for pixels, alpha in check_images(X)]
        return out[0] if is_single_image(X) else out

    def _classes(self):
        return np.asarray(self.classifier_.classes_)

    def _classify(self, feats, proba):
        """Labels (or probabilities over ``classes_``) of a block of patch rows."""
        clf = self.classifier_
        if is_fast_mlp(clf):
            return mlp_predict_proba(clf, feats) if proba else mlp_predict(clf, feats)
        return clf.predict_proba(feats) if proba else clf.predict(feats)

    def _per_block(self, pixels, fn):
        """Run ``fn(L, start, stop, features)`` over bounded blocks of an image, in threads."""
        L = self.color_space_.lightness(pixels)
        blocks = self.features_.iter_dense(L)
        if effective_n_jobs(self.n_jobs) == 1:
            for start, stop, feats in blocks:
                fn(L, start, stop, feats)
            return
        # narrow matrix products scale better over blocks than inside one BLAS call
        with threadpool_limits(1):
            Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(fn)(L, start, stop, feats) for start, stop, feats in blocks
            )

    def _labels(self, pixels, alpha=None):
        h, w = pixels.shape[:2]
        out = np.empty(h * w, dtype=np.intp)

        def block(L, start, stop, feats):
            out[start:stop] = self._classify(feats, proba=False)

        self._per_block(pixels, block)
        return out.reshape(h, w)

    def _proba(self, pixels, alpha=None):
        h, w = pixels.shape[:2]
        out = np.zeros((h * w, self.n_colors_), dtype=np.float32)
        classes = self._classes()

        def block(L, start, stop, feats):
            # columns of codebook colors the classifier never saw stay zero
            out[start:stop, classes] = self._classify(feats, proba=True)

        self._per_block(pixels, block)
        return out.reshape(h, w, self.n_colors_)

    def _colorize(self, pixels, alpha=None):
        h, w = pixels.shape[:2]
        rgb = np.empty((h * w, 3), dtype=np.float32)

        def block(L, start, stop, feats):
            luv = np.empty((stop - start, 3), dtype=np.float32)
            luv[:, 0] = L.reshape(-1)[start:stop]
            luv[:, 1:] = self.codebook_[self._classify(feats, proba=False)]
            rgb[start:stop] = self.color_space_.inverse_transform(luv)

        self._per_block(pixels, block)
        rgb = rgb.reshape(h, w, 3)
        return rgb if alpha is None else np.dstack([rgb, alpha])


def _default_classifier():
    return MLPClassifier(hidden_layer_sizes=(50, 50), activation="relu", learning_rate_init=0.001)


def _seeded(estimator, rng):
    """Give every ``random_state`` that is None (nested ones too) an int drawn from rng."""
    unset = {
        key: rng.randint(np.iinfo(np.int32).max)
        for key, value in sorted(estimator.get_params(deep=True).items())
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    return estimator.set_params(**unset)


def make_colorizer(
    patch_size=5, som_shape=(3, 3), hidden_layer_sizes=(50, 50), *, n_samples=2500,
    max_iter=200, som_iterations=10_000, n_jobs=None, random_state=None,
):
    """Build the paper's colorizer: L*u*v*, a SOM codebook, L patches and an MLP.

    Parameters
    ----------
    patch_size : int, default=5
        Odd side of the lightness patch around each pixel.
    som_shape : tuple of 2 int, default=(3, 3)
        SOM grid; ``rows * cols`` codebook colors.
    hidden_layer_sizes : tuple of int, default=(50, 50)
        MLP hidden layers (ReLU, Adam, learning rate 0.001 as in the paper).
    n_samples : int, default=2500
        Training pixels drawn per image.
    max_iter : int, default=200
        MLP epochs.
    som_iterations : int, default=10000
        SOM training steps.
    n_jobs : int or None
        Threads used at predict time.
    random_state : int, RandomState instance or None

    Returns
    -------
    SOMColorizer
    """
    return SOMColorizer(
        color_space=LuvConverter(),
        quantizer=SOMQuantizer(shape=tuple(som_shape), n_iterations=som_iterations),
        features=PatchExtractor(patch_size=patch_size, n_samples=n_samples),
        classifier=MLPClassifier(
            hidden_layer_sizes=tuple(hidden_layer_sizes), activation="relu",
            learning_rate_init=0.001, max_iter=max_iter,
        ),
        n_jobs=n_jobs,
        random_state=random_state,
    )
