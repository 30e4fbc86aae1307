"""The SOM-MLP colorizer (Richart, Visca & Baliosian 2017) as a scikit-learn meta-estimator."""
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from . import upsample
from ._images import check_images
from .color import LuvConverter
from .decode import DECODERS, decode, sample_labels
from .device import DEVICES
from .faces import face_mask, find_faces
from .guidance import (fit_photo_regressor, least_squares_scale, leave_one_out_predict,
                       lightness_descriptor, palette_weights, reference_photos, reweight)
from .inference import SCALE_DECODERS, ColorizerInference, takes_images  # noqa: F401
from .mrf import PottsMRF
from .patches import PatchExtractor
from .som import SOMQuantizer
from .stepdecay import StepDecayMLPClassifier

# the MRF of a sampled colorization: trust the drawn label and the classifier equally
_SAMPLE_MIX = 0.5

# the learned chroma scale is fitted on this many fresh pixels per training photo, for
# each of inference.SCALE_DECODERS
_SCALE_PIXELS = 200

# A training set whose chroma never leaves this radius (in u, v units) is gray: the
# colorizer would learn nothing but noise, so fit refuses it.
_MIN_CHROMA = 1.0
# the face palette is learned from the faces of at most this many training photos, each
# searched at most this large (a few milliseconds each: a fit of the paper's size stays
# within its time), and only if they hold this many pixels
_FACE_PHOTOS = 200
_FACE_SEARCH_SIDE = 128
_MIN_FACE_PIXELS = 200


class SOMColorizer(ColorizerInference, BaseEstimator):
    """Colorize grayscale images with a color codebook and a patch classifier.

    Fit: convert color images to L*u*v*; draw pixels; quantize their (u, v) with the
    ``quantizer`` (a SOM) into a codebook; train the ``classifier`` to predict each pixel's
    codebook color from the ``features`` (the patch of L around it). Predict: classify
    every pixel of a gray image, look its codebook (u, v) up, join it with the input's L
    and convert back to RGB. The steps are parameters, so nested parameters such as
    ``features__patch_size`` or ``quantizer__shape`` can be set and grid-searched.

    Prediction is a pipeline of public stages, one image at a time, which
    :meth:`predict`, :mod:`nncolor.tiling`, :mod:`nncolor.video`, the GPU path
    (:mod:`nncolor.gpu`) and the plots compose: :meth:`lightness` ->
    :meth:`probabilities` (with the priors of :meth:`guidance` and :meth:`hint_labels`,
    :mod:`nncolor.guidance`) -> :meth:`decode_proba` (the two together in bounded memory:
    :meth:`chroma`) -> :meth:`to_rgb`.

    Parameters
    ----------
    color_space : LuvConverter or None
        RGB <-> L*u*v* converter; None means ``LuvConverter()``.
    quantizer : estimator or None
        Fits on (n, 2) chroma; needs ``predict`` (labels), ``inverse_transform`` (labels to
        chroma) and ``n_colors_``, and ``grid_`` (node positions on a map) for the MRF
        and :meth:`sample`. None means ``SOMQuantizer()``.
    features : PatchExtractor or None
        None means ``PatchExtractor()``.
    classifier : classifier or None
        Any scikit-learn classifier with ``predict_proba`` (or a ``Pipeline`` ending in
        one). None means the paper's ``MLPClassifier(hidden_layer_sizes=(50, 50))``.
    decoder : {"mode", "expectation", "annealed", "mrf"}, default="annealed"
        How per-pixel codebook probabilities become colors: the most probable color
        (the paper), the mean chroma, the annealed mean at ``temperature``, or the Potts
        MRF smoother ``mrf`` (then decoded as ``mrf.decode`` says). The default is the
        decoder with the best held-out PSNR among those that keep at least half the true
        photos' colorfulness (``python -m pipelines.decoders``; README, "Decoders").
    temperature : float, default=0.38
        Temperature of the annealed mean (Zhang et al.'s value).
    global_prior : float >= 0, default=0.5
        Strength of the learned global color prior (:mod:`nncolor.guidance`): the
        photo's palette is guessed from its gray version by its nearest training photos,
        and each pixel's distribution is shifted toward it by the weights
        ``(palette / training frequencies) ** global_prior``. 0 turns it off; an explicit
        ``reference`` replaces it. Models saved before it existed load with 0.
    chroma_shrinkage : bool or float in [0, 1], default=True
        Scale each photo's chroma toward gray by a learned factor in [0, 1]: the
        least-squares factor between the colorizer's colors and the true ones on its most
        alike training photos (fitted on pixels the classifier did not train on, each
        photo's palette guessed without itself). Where the model tends to be wrong (a
        street, a portrait) its colors are toned down rather than painted wrong; where it
        tends to be right they stay. It raises PSNR and lowers colorfulness: on coast and
        forest photos the paper's colorizer with the annealed decoder and the learned
        prior went from +1.41 to +1.61 dB over gray, and from 0.57 to 0.37 of the truth's
        colorfulness (``python -m pipelines.quality --ablation``). Fitted whatever its
        value (so it can be turned on or off after fit), for the ``global_prior`` set at
        fit time; not applied with a ``reference`` or ``hints``. Models saved before it
        existed load with False. A number is the strength ``k`` of the factor: a photo's
        learned factor ``s`` is applied as ``1 - k (1 - s)``, so True (1) is the
        least-squares factor and False (0) none. The least-squares factor is near the best
        PSNR, and keeps only about 0.4 of the truth's colorfulness: on all 128
        held-out coast and forest photos, the paper's colorizer (three seeds) gave
        +1.62 to +1.69 dB at 0.38 to 0.41 of the truth's colorfulness with True,
        +1.60 to +1.68 dB at 0.49 to 0.54 with 0.5, +1.47 to +1.58 dB at 0.55 to 0.60
        with 0.25 and +1.27 to +1.43 dB at 0.61 to 0.67 with False (0.75: +1.64 to
        +1.72 dB at 0.43 to 0.47).
    face_prior : float >= 0, default=1.0
        Strength of the learned face prior: inside the frontal faces found in the gray
        photo (:meth:`faces`, :mod:`nncolor.faces`; fading out over ``face_feather``),
        each pixel's distribution is shifted toward the skin palette measured on the
        faces of the training photos, by the weights
        ``(face_palette_ / training frequencies) ** face_prior`` (Bayes'
        rule for a change of priors, as for ``global_prior``), in place of the photo's
        palette (learned or a ``reference``'s), which mostly describes the background.
        A patch cannot tell a cheek from a wall of the same tone; the detector sees the
        whole face. 0 turns it off and skips learning the palette at fit; it is also off
        for a model whose training photos showed no face (``face_palette_`` is None).
        Models saved before it existed load with 0.
    face_feather : float in [0, 1], default=0.4
        The soft edge of the face prior (:func:`nncolor.faces.face_weights`): its
        strength falls from full at ``1 - face_feather`` of the face ellipse's radii to
        none at ``1 + face_feather``, its weights blended geometrically with the photo's
        palette's, so that no line shows where the skin colors stop (on a forehead above
        the detector's box, on a cheek the ellipse misses). 0: a hard edge. On the 351
        held-out portraits from the web (with ``face_size=1``), the shipped default model
        gains +0.78 dB over gray with 0.4 against +0.74 dB with 0 (+0.04 dB on each half
        of them, split by a hash of the name); its objects and everyday photos with people move by under
        0.01 dB. Models saved before it existed load with 0.
    face_size : float > 0, default=1.3
        The size of the face prior's ellipses, as a multiple of the radii of the ellipse
        drawn in the detector's box (:func:`nncolor.faces.face_weights`). The box runs
        from the brows to the chin: 1 leaves the forehead, the ears and the neck to the
        photo's palette. On the 351 held-out portraits from the web the shipped default
        model gains +0.84 dB over gray with 1.3 against +0.78 dB with 1 (+0.06 and
        +0.05 dB on the two halves of them, split by a hash of the name; 1.2 and 1.4
        within 0.01 dB of 1.3), the `people` model +0.95 against +0.90; everyday photos
        with people gain 0.005 dB and objects lose 0.015 dB (faces found where there are
        none grow too). The face palette is learned inside the box's own ellipse
        whatever the size. Models saved before it existed load with 1.
    working_size : "auto", int or None, default="auto"
        The working resolution of :meth:`predict`: an image whose side ``sqrt(H * W)``
        is at least 1.5 times this is classified shrunk by the integer factor
        ``round(sqrt(H * W) / working_size)`` (lightness averaged over blocks), and its
        chroma brought back to full size by the fast guided filter on the full-resolution
        lightness, which the output keeps (:mod:`nncolor.upsample`). A patch classifier
        then sees objects at the scale it learned them, and a large photo costs little
        more than a small one (Zhang et al. 2016 run at 256 x 256; DeOldify's
        ``render_factor``, Antic 2019). ``"auto"``: the size of the training photos
        (``training_size_``); None: always full resolution (models saved before this
        parameter existed load with None, so they give their old output).
        :meth:`predict_proba`, :meth:`predict_labels`, :meth:`sample` and the video
        functions work at full resolution.

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
    training_size_ : float
        Median side ``sqrt(H * W)`` of the training photos, in pixels.
    face_palette_ : ndarray of float32, shape (K,), or None
        The distribution over the codebook of the true chroma inside the faces found in
        the training photos (at most 200 of them, searched at up to 128 pixels); None when
        ``face_prior`` was 0 at fit, or when they showed no face.

    Examples
    --------
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> col = make_colorizer(patch_size=3, n_samples=500, max_iter=20, random_state=0)
    >>> col = col.fit([data.coffee(), data.astronaut()])
    >>> col.predict(data.camera()).shape
    (512, 512, 3)
    """

    _parameter_constraints = {
        "color_space": "no_validation",
        "quantizer": "no_validation",
        "features": "no_validation",
        "classifier": "no_validation",
        "decoder": [StrOptions(set(DECODERS))],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "global_prior": [Interval(Real, 0, None, closed="left")],
        "chroma_shrinkage": ["boolean", Interval(Real, 0, 1, closed="both")],
        "face_prior": [Interval(Real, 0, None, closed="left")],
        "face_feather": [Interval(Real, 0, 1, closed="both")],
        "face_size": [Interval(Real, 0, None, closed="neither")],
        "mrf": [PottsMRF, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "device": [StrOptions(set(DEVICES))],
        "working_size": [None, StrOptions({"auto"}), Interval(Integral, 16, None, closed="left")],
    }

    def __init__(
        self, color_space=None, quantizer=None, features=None, classifier=None, *,
        decoder="annealed", temperature=0.38, global_prior=0.5, chroma_shrinkage=True,
        face_prior=1.0, face_feather=0.4, face_size=1.3, mrf=None, n_jobs=None,
        random_state=None, device="cpu", working_size="auto",
    ):
        self.color_space = color_space
        self.quantizer = quantizer
        self.features = features
        self.classifier = classifier
        self.decoder = decoder
        self.temperature = temperature
        self.global_prior = global_prior
        self.chroma_shrinkage = chroma_shrinkage
        self.face_prior = face_prior
        self.face_feather = face_feather
        self.face_size = face_size
        self.mrf = mrf
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.working_size = working_size

    def __setstate__(self, state):
        # models saved before these parameters existed run as they always did
        state.setdefault("device", "cpu")
        state.setdefault("global_prior", 0.0)
        state.setdefault("chroma_shrinkage", False)
        state.setdefault("face_prior", 0.0)
        state.setdefault("face_feather", 0.0)  # a hard edge
        state.setdefault("face_size", 1.0)  # the ellipse in the detector's box
        state.setdefault("working_size", None)  # full resolution
        super().__setstate__(state)

    def _check_fitted(self):
        check_is_fitted(self)

    def _check_params(self):
        self._validate_params()

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
        self._validate_params()
        images = check_images(X, require_color=True)
        rng = check_random_state(self.random_state)
        # steps are built in locals and become fitted attributes only when everything
        # succeeded: a failed fit must not leave a model that looks fitted
        color_space = clone(_or(self.color_space, LuvConverter)).fit()
        features = clone(_or(self.features, PatchExtractor)).fit()
        quantizer = _seeded(clone(_or(self.quantizer, SOMQuantizer)), rng)
        classifier = _seeded(clone(_or(self.classifier, _default_classifier)), rng)

        # the scale the classifier learns at: the working size of working_size="auto"
        training_size = float(np.median([np.sqrt(p.shape[0] * p.shape[1]) for p, _ in images]))
        size = training_size if self.working_size == "auto" else self.working_size
        # photos much larger than the working size are shrunk as predict will shrink them,
        # so that patches have the same scale in training and in use
        luv = [_shrink(color_space.transform(pixels), upsample.reduction_factor(
            pixels.shape[:2], size)) for pixels, _ in images]
        X_patches, chroma, indices = features.sample_luv(
            luv, random_state=rng.randint(np.iinfo(np.int32).max))
        if np.abs(chroma).max() < _MIN_CHROMA:
            raise ValueError(
                "the training images have no color: every sampled pixel is gray "
                f"(|u|, |v| < {_MIN_CHROMA}); train on color photographs"
            )
        labels = quantizer.fit(chroma).predict(chroma)
        if np.unique(labels).size < 2:
            raise ValueError(
                "all training pixels fall into one codebook color; nothing to learn "
                "(train on more varied color images)"
            )
        if takes_images(classifier):
            # a CNN learns from whole L images against whole label maps
            label_maps = [quantizer.predict(im[..., 1:].reshape(-1, 2)).reshape(im.shape[:2])
                          for im in luv]
            classifier.fit([im[..., 0] for im in luv], label_maps)
        else:
            # an MLP on one BLAS thread: its matrices are narrow, and two threads gave the
            # same epoch time on an idle 2-core machine but a third of the speed or less
            # when another job shared it (500k pixels, 2 epochs: 2.1-2.3 s against 2.1-2.2 s
            # idle; 2.2 s against 6.8-21 s busy)
            with warnings.catch_warnings(), threadpool_limits(
                    1 if isinstance(classifier, MLPClassifier) else None, user_api="blas"):
                if classifier.get_params().get("batch_size") == _MLP_BATCH:
                    # fewer training pixels than make_colorizer's batch: the batch is all
                    # of them, as its docstring says; scikit-learn's notice would alarm
                    warnings.filterwarnings(
                        "ignore", "Got `batch_size` less than 1 or larger", UserWarning)
                classifier.fit(X_patches, labels)
        self.color_space_, self.features_ = color_space, features
        self.quantizer_, self.classifier_ = quantizer, classifier
        self.n_colors_ = int(quantizer.n_colors_)
        self.codebook_ = quantizer.inverse_transform(np.arange(self.n_colors_))
        self.chroma_mean_ = chroma.mean(axis=0)
        self.codebook_frequencies_ = _histograms([labels], self.n_colors_)[0]
        descriptors = np.stack([lightness_descriptor(im[..., 0]) for im in luv])
        palettes = _histograms(np.split(labels, np.cumsum([len(i) for i in indices])[:-1]),
                               self.n_colors_)
        keep = reference_photos(len(luv), random_state=rng.randint(np.iinfo(np.int32).max))
        self.palette_regressor_ = fit_photo_regressor(descriptors[keep], palettes[keep])
        self.n_training_pixels_ = len(chroma)
        self.training_size_ = training_size
        self.chroma_scale_regressor_ = None if takes_images(classifier) else \
            fit_photo_regressor(descriptors[keep], self._chroma_scales(
                luv, descriptors, palettes, keep, rng.randint(np.iinfo(np.int32).max))[keep])
        # drawn last, so that the rest of a fit is what it was before the face prior
        self.face_palette_ = self._face_palette(luv, rng) if self.face_prior else None
        self.__dict__.pop("model_card_", None)  # a card describes the fit it came with
        return self

    def _face_palette(self, luv, rng):
        """Distribution (K,) over the codebook of the true chroma inside the faces found in
        (at most ``_FACE_PHOTOS`` of) the training photos, or None if they hold too few."""
        counts = np.zeros(self.n_colors_)
        for i in rng.permutation(len(luv))[:_FACE_PHOTOS]:
            inside = face_mask(luv[i].shape[:2], find_faces(luv[i][..., 0], _FACE_SEARCH_SIDE))
            if inside.any():
                counts += np.bincount(self.quantizer_.predict(luv[i][..., 1:][inside]),
                                      minlength=self.n_colors_)
        if counts.sum() < _MIN_FACE_PIXELS:
            return None
        return (counts / counts.sum()).astype(np.float32)

    def _chroma_scales(self, luv, descriptors, palettes, keep, seed):
        """Per training photo and decoder, the least-squares factor (in [0, 1]) between the
        colorizer's chroma and the truth, on pixels drawn afresh (not the training draw).

        Each photo is colorized as predict would, its learned palette guessed without
        itself (:func:`nncolor.guidance.leave_one_out_predict`). Returns (n, 3): the
        factors of the mode, expectation and annealed decoders.
        """
        check = clone(self.features_).set_params(n_samples=min(_SCALE_PIXELS,
                                                                self.features_.n_samples))
        feats, indices = check.sample([im[..., 0] for im in luv], random_state=seed)
        position = np.full(len(luv), -1)
        position[keep] = np.arange(len(keep))  # where each photo is among the neighbours
        guesses = leave_one_out_predict(self.palette_regressor_, palettes[keep], descriptors,
                                        position)
        starts = np.cumsum([0] + [len(i) for i in indices])
        out = np.ones((len(luv), len(SCALE_DECODERS)), dtype=np.float32)
        for n, (im, idx) in enumerate(zip(luv, indices)):
            proba = self._spread(self._classify_patches(feats[starts[n]:starts[n + 1]],
                                                        proba=True))
            if self.global_prior:
                proba = reweight(proba, palette_weights(guesses[n], self.codebook_frequencies_,
                                                        self.global_prior))
            truth = im[..., 1:].reshape(-1, 2)[idx]
            for d, decoder in enumerate(SCALE_DECODERS):
                decoded = decode(proba, self.codebook_, decoder, self.temperature)
                out[n, d] = least_squares_scale(truth, decoded)
        return out

    def sample(self, X, n_samples=4, random_state=None):
        """Alternative colorizations: per-pixel draws made spatially coherent by the MRF.

        Each pixel's codebook color is drawn from its distribution; the MRF then smooths
        the draw (unary = log of the draw mixed half and half with the distribution), so a
        region takes one alternative color instead of speckles.

        Returns
        -------
        list (one per image) of lists of ``n_samples`` RGB images, or one list for one image
        """
        rng = check_random_state(random_state)

        def draws(pixels, alpha):
            L = self.color_space_.lightness(pixels)
            proba = self.probabilities(L)
            eye = np.eye(self.n_colors_, dtype=np.float32)
            mrf = clone(self.potts_mrf()).set_params(unary="log", unary_weight=1.0,
                                                     decode="mode")
            out = []
            for _ in range(n_samples):
                drawn = eye[sample_labels(proba, np.random.default_rng(rng.randint(2**31)))]
                q = mrf.smooth(_SAMPLE_MIX * drawn + (1 - _SAMPLE_MIX) * proba, L,
                               self.quantizer_.grid_)
                out.append(self.to_rgb(L, self.codebook_[q.argmax(-1)], alpha))
            return out

        return self._map(X, draws)

    def score(self, X, y=None):
        """Mean PSNR (dB) of the colorized gray versions of color images ``X``.

        The score compares RGB images, so it is comparable across codebook sizes and
        patch sizes (codebook accuracy is not: fewer colors are easier to guess).
        """
        from .metrics import psnr

        check_is_fitted(self)
        images = check_images(X, require_color=True)
        truth = [pixels for pixels, _ in images]
        return psnr(truth, [self._colorize(pixels) for pixels in truth])

def _shrink(luv, factor):
    """An L*u*v* image (H, W, 3) averaged over ``factor x factor`` blocks (itself for 1)."""
    if factor == 1:
        return luv
    return np.dstack([upsample.block_mean(luv[..., c], factor) for c in range(3)])


def _histograms(label_sets, n_colors):
    """Normalized codebook histogram (float32, shape (n_colors,)) of each array of labels."""
    return np.stack([np.bincount(labels, minlength=n_colors) / max(len(labels), 1)
                     for labels in label_sets]).astype(np.float32)


def _or(step, default):
    """The step, or a new default one when it is None (never ``step or default``: an
    unfitted ensemble raises on ``bool()``)."""
    return step if step is not None else default()


# make_colorizer's MLP steps: the paper's 200 pixels at 0.001, scaled up five- and fourfold
_MLP_BATCH, _MLP_RATE = 1000, 0.004


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
    max_iter=12, decay_epochs=None, early_stopping=False, batch_size=None, learning_rate=None,
    som_iterations=10_000, decoder="annealed",
    global_prior=0.5, chroma_shrinkage=0.25, face_prior=1.0, face_feather=0.4, face_size=1.3,
    n_jobs=None, random_state=None, backend="mlp", device="cpu", working_size="auto",
    **cnn_params,
):
    """Build the paper's colorizer: L*u*v*, a SOM codebook, L patches and an MLP.

    Parameters
    ----------
    patch_size : int, default=5
        Odd side of the lightness patch around each pixel.
    som_shape : tuple of 2 int, default=(3, 3)
        SOM grid; ``rows * cols`` codebook colors.
    hidden_layer_sizes : tuple of int, default=(50, 50)
        MLP hidden layers (ReLU and Adam, as in the paper).
    n_samples : int, default=2500
        Training pixels drawn per image.
    max_iter : int, default=12
        MLP epochs at ``learning_rate`` (at most, with ``early_stopping``).
    decay_epochs : int, optional
        MLP epochs after those, at a tenth of the rate
        (:class:`~nncolor.stepdecay.StepDecayMLPClassifier`); None: 3, or 0 with
        ``early_stopping`` (the two do not combine). Adam at a
        constant rate ends wherever its last noisy steps left it: on a million pixels of
        landscapes, over three seeds, 12 epochs and 3 decayed gave +1.08 to +1.15 dB over
        gray on 60 held-out coasts (the full chroma scale) in 38-41 s, where early
        stopping gave +0.95 to +1.15 dB in 23-74 s (it stopped after 8 to 30 epochs) and
        20 epochs at the full rate +0.98 to +1.09 dB (docs/performance.md).
    early_stopping : bool, default=False
        Stop the MLP when its accuracy on a tenth of the training pixels has not improved
        for 3 epochs (scikit-learn's ``early_stopping``, ``n_iter_no_change=3``), at a
        constant rate (the default before the step decay). False trains ``max_iter``
        epochs, then ``decay_epochs``.
    batch_size : int, optional
        Training pixels per Adam step; None: 1000 for the MLP (scikit-learn clips it to
        the number of training pixels), the CNN's own default for ``backend="cnn"``.
    learning_rate : float, optional
        Adam's step size; None: 0.004 for the MLP, the CNN's own default for
        ``backend="cnn"``. The paper's scikit-learn MLP ran batches of 200 at 0.001; five
        times larger batches at four times the rate (the linear scaling of Goyal et al.
        2017) take a fifth of scikit-learn's overhead per epoch: on a million pixels of
        landscapes the fit takes about 0.6 of the time, with the same held-out quality
        (``python -m pipelines.benchmark --only fit``).
    som_iterations : int, default=10000
        SOM training steps.
    decoder : {"mode", "expectation", "annealed", "mrf"}, default="annealed"
        How probabilities become colors, see :class:`SOMColorizer`; ``"mode"`` is the
        paper's own choice.
    global_prior : float >= 0, default=0.5
        Strength of the learned global color prior, see :class:`SOMColorizer`; 0 is the
        paper's colorizer as published.
    chroma_shrinkage : bool or float in [0, 1], default=0.25
        Strength of the learned chroma scale, see :class:`SOMColorizer`: True (1) is the
        least-squares factor, near the best PSNR; False (0) keeps the colors at full
        strength (more colorful, lower PSNR). 0.25 keeps more than half of the truth's
        colorfulness for 0.1 to 0.2 dB less than True (on held-out coast and forest
        photos, paper configuration, three seeds: +1.47 to +1.58 dB over gray at 0.55 to
        0.60 of the truth's colorfulness, against +1.62 to +1.69 dB at 0.38 to 0.41).
    face_prior : float >= 0, default=1.0
        Strength of the learned face prior, see :class:`SOMColorizer`; 0 turns it off.
    face_feather : float in [0, 1], default=0.4
        The soft edge of the face prior, see :class:`SOMColorizer`; 0: a hard edge.
    face_size : float > 0, default=1.3
        The size of the face prior's ellipses, see :class:`SOMColorizer`; 1: the
        ellipse in the detector's box.
    n_jobs : int or None
        Threads used at predict time.
    random_state : int, RandomState instance or None
    backend : {"mlp", "cnn"}, default="mlp"
        ``"cnn"`` puts a :class:`nncolor.cnn.CNNClassifier` (whole L images in, per-pixel
        probabilities out; needs ``pip install 'nncolor[cnn]'``) in the classifier slot
        instead of the MLP; ``patch_size``, ``hidden_layer_sizes``, ``max_iter``,
        ``decay_epochs`` and ``early_stopping`` then do not apply (``n_samples`` still
        draws the pixels the SOM is fitted on).
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where predict runs, see :class:`SOMColorizer`. With ``backend="cnn"`` it is the
        CNN's torch device instead ("auto": CUDA when torch sees a GPU).
    working_size : "auto", int or None, default="auto"
        Working resolution of predict, see :class:`SOMColorizer`.
    **cnn_params
        With ``backend="cnn"``: parameters of the CNNClassifier (``architecture``,
        ``width``, ``depth``, ``epochs``...).

    Returns
    -------
    SOMColorizer

    References
    ----------
    Goyal, P. et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour.
    arXiv:1706.02677.
    """
    if backend not in ("mlp", "cnn"):
        raise ValueError(f"backend must be 'mlp' or 'cnn', got {backend!r}")
    if backend == "mlp" and cnn_params:
        raise TypeError(f"unexpected arguments for backend='mlp': {', '.join(sorted(cnn_params))}")
    if backend == "cnn":
        from .cnn import CNNClassifier, require_torch

        torch = require_torch()  # fail now, with the install hint, not at fit time
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        given = {"batch_size": batch_size, "learning_rate": learning_rate}
        classifier = CNNClassifier(device=device, **cnn_params,
                                   **{k: v for k, v in given.items() if v is not None})
    else:
        classifier = StepDecayMLPClassifier(
            hidden_layer_sizes=tuple(hidden_layer_sizes), activation="relu",
            batch_size=_MLP_BATCH if batch_size is None else batch_size,
            learning_rate_init=_MLP_RATE if learning_rate is None else learning_rate,
            max_iter=max_iter,
            decay_epochs=(0 if early_stopping else 3) if decay_epochs is None else decay_epochs,
            early_stopping=early_stopping, n_iter_no_change=3,
        )
    return SOMColorizer(
        color_space=LuvConverter(),
        quantizer=SOMQuantizer(shape=tuple(som_shape), n_iterations=som_iterations),
        features=PatchExtractor(patch_size=patch_size, n_samples=n_samples),
        classifier=classifier,
        decoder=decoder,
        global_prior=global_prior,
        chroma_shrinkage=chroma_shrinkage,
        face_prior=face_prior,
        face_feather=face_feather,
        face_size=face_size,
        mrf=PottsMRF(),
        n_jobs=n_jobs,
        random_state=random_state,
        device="cpu" if backend == "cnn" else device,
        working_size=working_size,
    )
