"""The SOM-MLP colorizer (Richart, Visca & Baliosian 2017) as a scikit-learn meta-estimator."""
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from . import gpu, upsample
from ._images import check_image, check_images, is_single_image
from .color import LuvConverter
from .decode import DECODERS, decode, entropy, sample_labels
from .device import DEVICES, device_namespace, resolve_device
from .faces import face_mask, find_faces
from .guidance import (DESCRIPTOR_MAX_SIDE, clamp_hints, fit_photo_regressor, guess_palette,
                       guess_scale, hint_labels, hint_prior, least_squares_scale,
                       leave_one_out_predict, lightness_descriptor, palette_weights,
                       reference_photos, reference_prior, reweight)
from .mlp import is_fast_mlp, mlp_predict, mlp_predict_proba
from .mrf import PottsMRF
from .patches import PatchExtractor
from .som import SOMQuantizer

# the MRF of a sampled colorization: trust the drawn label and the classifier equally
_SAMPLE_MIX = 0.5

# the learned chroma scale is fitted on this many fresh pixels per training photo, for
# these decoders (the MRF ends in a mode, and takes the mode's factor)
_SCALE_PIXELS = 200
_SCALE_DECODERS = ("mode", "expectation", "annealed")

# A training set whose chroma never leaves this radius (in u, v units) is gray: the
# colorizer would learn nothing but noise, so fit refuses it.
_MIN_CHROMA = 1.0
# the face palette is learned from the faces of at most this many training photos, each
# searched at most this large (a few milliseconds each: a fit of the paper's size stays
# within its time), and only if they hold this many pixels
_FACE_PHOTOS = 200
_FACE_SEARCH_SIDE = 128
_MIN_FACE_PIXELS = 200


class SOMColorizer(BaseEstimator):
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
    chroma_shrinkage : bool, default=True
        Scale each photo's chroma toward gray by a learned factor in [0, 1]: the
        least-squares factor between the colorizer's colors and the true ones on its most
        alike training photos (fitted on pixels the classifier did not train on, each
        photo's palette guessed without itself). Where the model tends to be wrong (a
        street, a portrait) its colors are toned down rather than painted wrong; where it
        tends to be right they stay. It raises PSNR and lowers colorfulness: on coast and
        forest photos the paper's colorizer with the annealed decoder and the learned
        prior went from +1.38 to +1.66 dB over gray, and from 0.62 to 0.38 of the truth's
        colorfulness (``python -m pipelines.quality --ablation``). Fitted whatever its
        value (so it can be turned on or off after fit), for the ``global_prior`` set at
        fit time; not applied with a ``reference`` or ``hints``. Models saved before it
        existed load with False.
    face_prior : float >= 0, default=1.0
        Strength of the learned face prior: inside the frontal faces found in the gray
        photo (:meth:`faces`, :mod:`nncolor.faces`), each pixel's distribution is
        shifted toward the skin palette measured on the faces of the training photos,
        by the weights ``(face_palette_ / training frequencies) ** face_prior`` (Bayes'
        rule for a change of priors, as for ``global_prior``). A patch cannot tell a
        cheek from a wall of the same tone; the detector sees the whole face. 0 turns it
        off and skips learning the palette at fit; it is also off for a model whose
        training photos showed no face (``face_palette_`` is None). Models saved before
        it existed load with 0.
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
        "chroma_shrinkage": ["boolean"],
        "face_prior": [Interval(Real, 0, None, closed="left")],
        "mrf": [PottsMRF, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "device": [StrOptions(set(DEVICES))],
        "working_size": [None, StrOptions({"auto"}), Interval(Integral, 16, None, closed="left")],
    }

    def __init__(
        self, color_space=None, quantizer=None, features=None, classifier=None, *,
        decoder="annealed", temperature=0.38, global_prior=0.5, chroma_shrinkage=True,
        face_prior=1.0, mrf=None, n_jobs=None, random_state=None, device="cpu", working_size="auto",
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
        state.setdefault("working_size", None)  # full resolution
        super().__setstate__(state)

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
            with warnings.catch_warnings():
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
        out = np.ones((len(luv), len(_SCALE_DECODERS)), dtype=np.float32)
        for n, (im, idx) in enumerate(zip(luv, indices)):
            proba = self._spread(self._classify_patches(feats[starts[n]:starts[n + 1]],
                                                        proba=True))
            if self.global_prior:
                proba = reweight(proba, palette_weights(guesses[n], self.codebook_frequencies_,
                                                        self.global_prior))
            truth = im[..., 1:].reshape(-1, 2)[idx]
            for d, decoder in enumerate(_SCALE_DECODERS):
                decoded = decode(proba, self.codebook_, decoder, self.temperature)
                out[n, d] = least_squares_scale(truth, decoded)
        return out

    # -------------------------------------------------------------- predict
    def predict(self, X, *, reference=None, hints=None):
        """Colorize images.

        The stages below, image by image: :meth:`guidance` (the learned prior and chroma
        scale, or the reference's histogram), :meth:`hint_labels`, then
        :meth:`chroma` at the working resolution (:meth:`reduction_factor`; the chroma
        is brought back to full size by :mod:`nncolor.upsample`) and :meth:`to_rgb`.

        Parameters
        ----------
        X : image or list of images
            Gray (``H x W`` or ``H x W x 1``) or color images (only their lightness is
            used), any numeric dtype.
        reference : color image, or array of shape (n, 3) of RGB colors, optional
            Global histogram transfer (Melas-Kyriazi & Han 2017, section 4.2): each
            pixel's distribution is multiplied by the reference's histogram over the
            codebook, so ambiguous pixels lean toward the reference's colors.
        hints : RGBA image, or list of them (one per image, None for none), optional
            Color hints: pixels with alpha > 0.5 get their hint's codebook color, and the
            hint spreads along regions of similar lightness (:mod:`nncolor.guidance`).

        Returns
        -------
        images : list of ndarray of float32 in [0, 1], or one array for one image
            ``H x W x 3`` RGB, or ``H x W x 4`` with the input's alpha passed through.

        Raises
        ------
        ValueError
            An image, the reference or the hints are not what is described above.
        """
        check_is_fitted(self)
        self._validate_params()
        prior = None if reference is None else \
            reference_prior(reference, self.quantizer_, self.n_colors_)
        images = check_images(X)
        clamps = self._hint_maps(hints, images, single=is_single_image(X))
        # the device path knows no reference, hints or face prior yet: those run here
        if resolve_device(self.device) == "cuda" and prior is None and not any(
                clamp is not None for clamp in clamps) and not self.has_face_prior:
            model = gpu.DeviceModel(self, device_namespace("cuda"))
            # a photo classified at the working resolution is cheap on the CPU
            out = [self._colorize(pixels, alpha)
                   if self.reduction_factor(pixels.shape) > 1 else
                   gpu.colorize_image(self, model, pixels, alpha) for pixels, alpha in images]
        else:
            out = [self._colorize(pixels, alpha, prior, clamp)
                   for (pixels, alpha), clamp in zip(images, clamps)]
        return out[0] if is_single_image(X) else out

    def predict_uncertainty(self, X):
        """Per-pixel uncertainty: entropy of the codebook distribution / log K, in [0, 1].

        Returns
        -------
        list of ndarray of float32, shape (H, W), or one array for one image
        """
        return self._map(X, lambda pixels, alpha: entropy(self._proba(pixels)))

    def predict_palette(self, X):
        """The learned global color prior: each image's guessed distribution over the codebook.

        Parameters
        ----------
        X : image or list of images
            Gray or color images (only their lightness is used), any numeric dtype.

        Returns
        -------
        list of ndarray of float32, shape (K,), or one array for one image
            Non-negative, summing to one: the distance-weighted mean of the codebook
            histograms of the training photos whose gray versions look most alike
            (:mod:`nncolor.guidance`).
        """
        return self._map(X, lambda pixels, alpha: self._palette(
            lightness_descriptor(self.color_space_.lightness(pixels))))

    def color_prior(self, image, reference=None):
        """The prior over the codebook that :meth:`predict` applies to every pixel of an image.

        The histogram of ``reference`` when one is given (histogram transfer), else the
        learned global prior (:meth:`predict_palette` turned into weights by
        :func:`nncolor.guidance.palette_weights`); None when neither applies. Computed
        on a decimated copy of large images, so it costs little even for a huge scan:
        tiled colorization (:mod:`nncolor.tiling`) computes it once for the whole image.

        Parameters
        ----------
        image : array-like, shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
            The image to colorize, any numeric dtype.
        reference : color image or array of shape (n, 3) of RGB colors, optional

        Returns
        -------
        ndarray of float32, shape (K,), or None
            Weights to multiply each pixel's distribution by (then re-normalize).
        """
        return self.guidance(image, reference)[0]

    def chroma_scale(self, image):
        """The learned chroma scale :meth:`predict` applies to an image (no reference, no hints).

        See ``chroma_shrinkage``. Computed on a decimated copy of large images, like
        :meth:`color_prior`, so tiled colorization computes it once for the whole image.

        Parameters
        ----------
        image : array-like, shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)

        Returns
        -------
        float
            In [0, 1]; 1 when ``chroma_shrinkage`` is off.
        """
        return self.guidance(image)[1]

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

    def predict_proba(self, X):
        """Per-pixel probabilities over the codebook colors.

        :meth:`probabilities` of each image's lightness, the learned prior applied.

        Returns
        -------
        proba : list of ndarray of float32, shape (H, W, K), or one array for one image
            Sums to one over the last axis. Codebook colors that no training pixel had
            get probability zero.
        """
        return self._map(X, self._proba)

    def predict_labels(self, X):
        """Most probable codebook color of every pixel.

        Returns
        -------
        list of ``H x W`` int arrays, or one array for one image
        """
        return self._map(X, self._labels)

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

    # ---------------------------------------------------- prediction stages
    # One image at a time, in the order predict runs them:
    #   L = lightness(image)                       (H, W)
    #   prior, scale = guidance(image, reference)  (K,) or None, float
    #   clamp = hint_labels(hints, L.shape)        (H, W), -1 where free
    #   proba = probabilities(L, prior=, clamp=)   (H, W, K)
    #   uv = decode_proba(proba, L, clamp=, scale=)  (H, W, 2)
    #   rgb = to_rgb(L, uv, alpha)                 (H, W, 3 | 4)
    # chroma(L, prior=, clamp=, scale=) is decode_proba(probabilities(...)) in bounded memory.
    def lightness(self, image):
        """Stage 1: the lightness of one image, what every later stage works from.

        Parameters
        ----------
        image : array-like, shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
            Gray, RGB or RGBA, any dtype :meth:`predict` takes; alpha is dropped (give it
            back to :meth:`to_rgb`).

        Returns
        -------
        L : ndarray of float32, shape (H, W)
            CIE L* in [0, 100].

        Raises
        ------
        ValueError, TypeError
            The image's shape, dtype or values are not an image's.
        """
        check_is_fitted(self)
        pixels, _ = check_image(image)
        return self.color_space_.lightness(pixels)

    def guidance(self, image, reference=None, hinted=False):
        """Stage 2: what :meth:`predict` applies to a whole image: its prior and chroma scale.

        Both from one decimated copy of the image and one descriptor, so that an image
        colorized in pieces (:mod:`nncolor.tiling`) gets the guidance of the whole.

        Parameters
        ----------
        image : array-like, shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        reference : color image or array of shape (n, 3) of RGB colors, optional
            Its histogram (:func:`nncolor.guidance.reference_prior`) replaces the learned
            palette.
        hinted : bool, default=False
            Whether color hints are given. A reference or hints turn the chroma scale
            off: the user's colors are not to be toned down.

        Returns
        -------
        prior : ndarray of float32, shape (K,), or None
            :meth:`color_prior`.
        scale : float
            :meth:`chroma_scale`, or 1 when it does not apply.

        Raises
        ------
        ValueError
            The reference holds no color image or colors.
        """
        check_is_fitted(self)
        if reference is not None:  # the reference's histogram, at full strength
            return reference_prior(reference, self.quantizer_, self.n_colors_), 1.0
        if not self.global_prior and not self.chroma_shrinkage:
            return None, 1.0  # nothing learned to apply: skip the image's lightness
        return self._guidance(self._decimated_lightness(image), None, hinted)

    def hint_labels(self, hints, shape=None):
        """Stage 3: color hints as codebook labels, what the later stages take as ``clamp``.

        Parameters
        ----------
        hints : RGBA image, array-like of shape (H, W, 4)
            Pixels with alpha > 0.5 are hinted with their RGB; any dtype :meth:`predict`
            takes.
        shape : tuple of int, optional
            ``(H, W)`` of the image the hints belong to, checked against theirs.

        Returns
        -------
        clamp : ndarray of intp, shape (H, W)
            The hinted codebook color of each pixel, -1 where there is no hint.

        Raises
        ------
        ValueError
            ``hints`` is no RGBA image, or not of ``shape``.
        """
        check_is_fitted(self)
        return hint_labels(hints, self.quantizer_, shape)

    def faces(self, L):
        """Stage 3b: the faces in a lightness image that the face prior colors.

        Parameters
        ----------
        L : array-like, shape (H, W)
            Lightness L* in [0, 100] (:meth:`lightness`), at the scale it is classified
            at (:meth:`predict` looks for faces in the image shrunk to its working
            resolution). Searched in a copy of at most 256 pixels on its longer side
            (:func:`nncolor.faces.find_faces`).

        Returns
        -------
        faces : ndarray of float32, shape (n, 4)
            Each face's box (top, left, height, width) in pixels of ``L``; empty when
            ``face_prior`` is 0 or the model learned no face palette (``face_palette_``
            is None).

        Raises
        ------
        ValueError
            ``L`` is not 2-D.
        """
        check_is_fitted(self)
        L = np.asarray(L, dtype=np.float32)
        if L.ndim != 2:
            raise ValueError(f"L must be a 2-D lightness image (H, W); got shape {L.shape}")
        if not self.has_face_prior:
            return np.zeros((0, 4), dtype=np.float32)
        return find_faces(L)

    def probabilities(self, L, *, prior="auto", clamp=None, faces="auto"):
        """Stage 4: every pixel's distribution over the codebook, the priors applied.

        The classifier's probabilities (all K colors; a color it never saw in training
        gets zero), each pixel's multiplied by ``prior``, then by the prior that the
        hints spread (:func:`nncolor.guidance.hint_prior`), re-normalized after each.

        Parameters
        ----------
        L : array-like, shape (H, W)
            Lightness L* in [0, 100] (:meth:`lightness`).
        prior : "auto", ndarray of shape (K,), or None, default="auto"
            Weights over the codebook (:meth:`guidance`); ``"auto"``: the learned global
            prior of ``L`` (what :meth:`predict_proba` applies); None: none.
        clamp : ndarray of int, shape (H, W), optional
            Hinted codebook colors, -1 where free (:meth:`hint_labels`).
        faces : "auto", array-like of shape (n, 4), or None, default="auto"
            Face boxes in pixels of ``L`` (:meth:`faces`), inside which the face prior
            applies; ``"auto"``: :meth:`faces` of ``L``; None: no face prior.

        Returns
        -------
        proba : ndarray of float32, shape (H, W, K)
            Sums to one over the last axis.

        Raises
        ------
        ValueError
            ``L``, ``prior`` or ``clamp`` do not have the shapes above.
        """
        check_is_fitted(self)
        L, prior, clamp = self._check_stage(L, prior, clamp)
        if _is_auto(prior):
            prior = self._global_prior(L)
        h, w = L.shape
        local = self._hint_prior(L, clamp)
        inside = self._face_pixels(L, faces)
        out = np.empty((h * w, self.n_colors_), dtype=np.float32)
        blocks, classify = self._classified_blocks(L)

        def block(start, stop, rows):
            out[start:stop] = self._guided_proba(rows, classify, start, stop, prior, local,
                                                 inside)

        self._in_threads(block, blocks)
        return out.reshape(h, w, self.n_colors_)

    def decode_proba(self, proba, L, *, clamp=None, scale="auto"):
        """Stage 5: chroma of per-pixel probabilities, by the colorizer's decoder.

        The last step of :meth:`predict` before :meth:`to_rgb`, for distributions from
        :meth:`probabilities` or changed after it (averaged over the frames of a film,
        for instance: :mod:`nncolor.video`). With ``decoder="mrf"`` the MRF first smooths
        them along regions of similar lightness ``L``; the other decoders do not use ``L``.

        Parameters
        ----------
        proba : ndarray, shape (H, W, K)
            Distributions over the K codebook colors (each sums to one).
        L : ndarray, shape (H, W)
            Lightness L* in [0, 100] of the image they belong to.
        clamp : ndarray of int, shape (H, W), optional
            Hinted codebook colors (:meth:`hint_labels`), -1 where free: a hinted pixel
            takes its hint's color (the MRF holds it there while it smooths).
        scale : "auto" or float, default="auto"
            Factor on the chroma (:meth:`guidance`); ``"auto"``: the learned chroma scale
            of ``L``, or 1 with hints.

        Returns
        -------
        chroma : ndarray of float32, shape (H, W, 2)
            (u, v) of every pixel; join it with L for the L*u*v* image.

        Raises
        ------
        ValueError
            The shapes of ``proba``, ``L`` and ``clamp`` disagree.
        """
        check_is_fitted(self)
        proba = np.asarray(proba, dtype=np.float32)
        L = np.asarray(L, dtype=np.float32)
        if proba.ndim != 3 or proba.shape[-1] != self.n_colors_ or L.shape != proba.shape[:2]:
            raise ValueError(f"expected proba of shape (H, W, {self.n_colors_}) and L of shape "
                             f"(H, W); got {proba.shape} and {L.shape}")
        L, _, clamp = self._check_stage(L, None, clamp)
        if _is_auto(scale):
            scale = 1.0 if clamp is not None else self._chroma_scale(L)
        scale = np.float32(scale)
        if self.decoder == "mrf":
            return self._mrf_chroma(proba, L, clamp) * scale
        h, w, k = proba.shape
        flat = proba.reshape(-1, k)
        flat_clamp = None if clamp is None else clamp.reshape(-1)
        chroma = np.empty((h * w, 2), dtype=np.float32)

        def block(start, stop):
            rows = flat[start:stop]
            if flat_clamp is not None:
                rows = clamp_hints(rows.copy(), flat_clamp[start:stop])
            chroma[start:stop] = self._decode(rows) * scale

        self._in_threads(block, self._chunks(h * w))
        return chroma.reshape(h, w, 2)

    def chroma(self, L, *, prior="auto", clamp=None, scale="auto", faces="auto"):
        """Stages 4 and 5 together: the decoded chroma of a lightness image, in bounded memory.

        Equal to ``decode_proba(probabilities(L, prior=prior, clamp=clamp), L,
        clamp=clamp, scale=scale)``, a block of pixels at a time (but with the MRF, which
        smooths the whole image), without the whole image's probabilities; with the
        ``"mode"`` decoder and no prior or hints, the classifier's labels are looked up
        directly. This is what :meth:`predict` computes at its working resolution, and
        :mod:`nncolor.tiling` for each tile.

        Parameters
        ----------
        L : array-like, shape (H, W)
            Lightness L* in [0, 100].
        prior : "auto", ndarray of shape (K,), or None, default="auto"
            As in :meth:`probabilities`.
        clamp : ndarray of int, shape (H, W), optional
            As in :meth:`decode_proba`.
        scale : "auto" or float, default="auto"
            Factor on the chroma; ``"auto"``: what :meth:`predict` applies, the learned
            chroma scale of ``L``, or 1 with hints or with a given ``prior`` array (a
            reference's).
        faces : "auto", array-like of shape (n, 4), or None, default="auto"
            As in :meth:`probabilities`.

        Returns
        -------
        chroma : ndarray of float32, shape (H, W, 2)

        Raises
        ------
        ValueError
            ``L``, ``prior`` or ``clamp`` do not have the shapes above.
        """
        check_is_fitted(self)
        L, prior, clamp = self._check_stage(L, prior, clamp)
        prior, scale = self._resolve_auto(L, prior, clamp, scale)
        if self.decoder == "mrf":
            return self.decode_proba(self.probabilities(L, prior=prior, clamp=clamp,
                                                        faces=faces), L,
                                     clamp=clamp, scale=scale)
        h, w = L.shape
        chroma = np.empty((h * w, 2), dtype=np.float32)
        blocks, classify = self._classified_blocks(L)
        inside = self._face_pixels(L, faces)
        if self.decoder == "mode" and prior is None and clamp is None and inside is None:
            def block(start, stop, rows):  # labels straight from the classifier
                chroma[start:stop] = self.codebook_[classify(rows, proba=False)]
        else:
            local = self._hint_prior(L, clamp)
            flat_clamp = None if clamp is None else clamp.reshape(-1)

            def block(start, stop, rows):
                proba = self._guided_proba(rows, classify, start, stop, prior, local, inside)
                if flat_clamp is not None:
                    clamp_hints(proba, flat_clamp[start:stop])
                chroma[start:stop] = self._decode(proba)

        self._in_threads(block, blocks)
        if scale != 1:
            chroma *= np.float32(scale)
        return chroma.reshape(h, w, 2)

    def to_rgb(self, L, chroma, alpha=None):
        """Stage 6: lightness and chroma joined and converted to RGB, in bounded blocks.

        Parameters
        ----------
        L : ndarray of float32, shape (H, W)
            Lightness L* in [0, 100].
        chroma : ndarray of float32, shape (H, W, 2)
            (u, v) of every pixel (:meth:`chroma`, :meth:`decode_proba`).
        alpha : ndarray, shape (H, W), optional
            Passed through as a fourth channel.

        Returns
        -------
        rgb : ndarray of float32, shape (H, W, 3), or (H, W, 4) with ``alpha``
            sRGB in [0, 1]; colors out of gamut are desaturated at constant L*.

        Raises
        ------
        ValueError
            ``chroma`` is not of shape (H, W, 2).
        """
        check_is_fitted(self)
        L = np.asarray(L, dtype=np.float32)
        chroma = np.asarray(chroma, dtype=np.float32)
        if L.ndim != 2 or chroma.shape != L.shape + (2,):
            raise ValueError(f"expected L of shape (H, W) and chroma of shape (H, W, 2); got "
                             f"{L.shape} and {chroma.shape}")
        h, w = L.shape
        n = h * w
        rgb = np.empty((n, 3), dtype=np.float32)
        flat_L = L.reshape(-1)
        flat_chroma = chroma.reshape(-1, 2)

        def block(start, stop):
            luv = np.empty((stop - start, 3), dtype=np.float32)
            luv[:, 0] = flat_L[start:stop]
            luv[:, 1:] = flat_chroma[start:stop]
            rgb[start:stop] = self.color_space_.inverse_transform(luv)

        self._in_threads(block, self._chunks(n))
        rgb = rgb.reshape(h, w, 3)
        return rgb if alpha is None else np.dstack([rgb, alpha])

    def potts_mrf(self):
        """The Potts MRF that the ``"mrf"`` decoder and :meth:`sample` smooth with.

        Returns
        -------
        PottsMRF
            ``mrf``, or a default ``PottsMRF()`` when it is None. Not a copy: clone it
            before changing it.
        """
        return self.mrf if self.mrf is not None else PottsMRF()

    # ------------------------------------------------- working resolution
    def reduction_factor(self, shape):
        """Integer factor by which :meth:`predict` shrinks an image of ``shape`` to classify it.

        Parameters
        ----------
        shape : tuple of int
            ``(H, W)`` of the full-resolution image.

        Returns
        -------
        int
            ``round(sqrt(H * W) / working size)``, at least 1; 1 (full resolution) when
            ``working_size`` is None.
        """
        check_is_fitted(self)
        size = getattr(self, "working_size", None)
        if size == "auto":
            size = getattr(self, "training_size_", None)
        return upsample.reduction_factor(shape[:2], size)

    # ------------------------------------------------------------ internals
    def _map(self, X, fn):
        check_is_fitted(self)
        out = [fn(pixels, alpha) for pixels, alpha in check_images(X)]
        return out[0] if is_single_image(X) else out

    def _colorize(self, pixels, alpha=None, reference=None, clamp=None):
        """RGB of one image (:meth:`predict`'s stages). ``reference``: a reference's prior,
        which replaces the learned one; ``clamp``: hinted labels."""
        L = self.color_space_.lightness(pixels)
        prior, scale = self._guidance(L, reference, hinted=clamp is not None)
        factor = self.reduction_factor(L.shape)
        if factor == 1:
            return self.to_rgb(L, self.chroma(L, prior=prior, clamp=clamp, scale=scale), alpha)
        # the working resolution: classified small, upsampled along L (nncolor.upsample)
        small = upsample.block_mean(L, factor)
        small_clamp = None if clamp is None else upsample.downscale_labels(clamp, factor)
        coef, bounds = upsample.fit_guide(
            small, self.chroma(small, prior=prior, clamp=small_clamp, scale=scale))
        rgb = upsample.guided_rgb(coef, L, factor, bounds=bounds, n_jobs=self.n_jobs)
        return rgb if alpha is None else np.dstack([rgb, alpha])

    def _check_stage(self, L, prior, clamp):
        """L as float32 (H, W), and the prior and the clamp checked against it."""
        L = np.asarray(L, dtype=np.float32)
        if L.ndim != 2:
            raise ValueError(f"L must be a 2-D lightness image (H, W); got shape {L.shape}")
        if prior is not None and not _is_auto(prior):
            prior = np.asarray(prior, dtype=np.float32)
            if prior.shape != (self.n_colors_,):
                raise ValueError(f"prior must have shape ({self.n_colors_},); got {prior.shape}")
        if clamp is not None:
            clamp = np.asarray(clamp)
            if clamp.shape != L.shape or not np.issubdtype(clamp.dtype, np.integer):
                raise ValueError(f"clamp must be integer codebook labels of shape {L.shape}; "
                                 f"got {clamp.dtype} of shape {clamp.shape}")
        return L, prior, clamp

    def _resolve_auto(self, L, prior, clamp, scale):
        """``prior`` and ``scale`` with ``"auto"`` replaced by what :meth:`predict` applies
        to ``L``: a given prior array is a reference's, which turns the scale off."""
        if not (_is_auto(prior) or _is_auto(scale)):
            return prior, scale
        reference = None if prior is None or _is_auto(prior) else prior
        learned_prior, learned_scale = self._guidance(L, reference, hinted=clamp is not None)
        return (learned_prior if _is_auto(prior) else prior,
                learned_scale if _is_auto(scale) else scale)

    def _hint_maps(self, hints, images, single):
        """One clamp map (H x W codebook labels, -1 where free) or None per image."""
        if hints is None:
            return [None] * len(images)
        hints = [hints] if single else list(hints)
        if len(hints) != len(images):
            raise ValueError(f"{len(hints)} hint images for {len(images)} images")
        return [None if hint is None else
                hint_labels(hint, self.quantizer_, pixels.shape[:2], name=f"hints for image {i}")
                for i, ((pixels, _), hint) in enumerate(zip(images, hints))]

    def _hint_prior(self, L, clamp):
        """The hints' per-pixel prior, (H * W, K), or None without hints."""
        return None if clamp is None else hint_prior(L, clamp, self.n_colors_).reshape(L.size, -1)

    def _classes(self):
        return np.asarray(self.classifier_.classes_)

    def _classified_blocks(self, L):
        """The blocks of a lightness image, and the function that classifies a block.

        Returns ``(blocks, classify)``: ``blocks`` yields ``(start, stop, rows)`` of
        bounded size, ``classify(rows, proba)`` gives the block's labels, or (``proba``
        True) its probabilities over ``classes_``. A patch classifier classifies rows of
        patches (from ``features_``) block by block, in the caller's threads; an image
        classifier (:func:`takes_images`) classifies the whole image here, once, and its
        blocks are slices of those probabilities.
        """
        if not takes_images(self.classifier_):
            return self.features_.iter_dense(L), self._classify_patches
        whole = self.classifier_.predict_proba(L).reshape(L.size, -1)
        classes = self._classes()

        def classify(rows, proba):
            return rows if proba else classes[rows.argmax(-1)]

        return ((start, stop, whole[start:stop]) for start, stop in self._chunks(L.size)), classify

    def _classify_patches(self, feats, proba):
        """Labels (or probabilities over ``classes_``) of a block of patch rows."""
        clf = self.classifier_
        if is_fast_mlp(clf):
            return mlp_predict_proba(clf, feats) if proba else mlp_predict(clf, feats)
        return clf.predict_proba(feats) if proba else clf.predict(feats)

    def _spread(self, proba):
        """Probabilities over ``classes_`` (n, n_classes) as probabilities over all K
        codebook colors: a color the classifier never saw in training stays zero."""
        out = np.zeros((len(proba), self.n_colors_), dtype=np.float32)
        out[:, self._classes()] = proba
        return out

    def _guided_proba(self, rows, classify, start, stop, prior, local, inside=None):
        """Probabilities (n, K) of the block ``start:stop``, reweighted by the global prior,
        the hints' prior and, in faces (``inside``: (H * W,) bool), the face prior: the one
        place where guidance meets the classifier."""
        proba = reweight(self._spread(classify(rows, proba=True)), prior,
                         None if local is None else local[start:stop])
        if inside is not None and inside[start:stop].any():
            face = inside[start:stop]
            proba[face] = reweight(proba[face], palette_weights(
                self.face_palette_, self.codebook_frequencies_, self.face_prior))
        return proba

    @property
    def has_face_prior(self):
        """bool: whether :meth:`predict` applies a face prior: ``face_prior`` is not 0 and
        the fit learned a face palette (``face_palette_``); False before fitting."""
        return bool(self.face_prior) and getattr(self, "face_palette_", None) is not None

    def _face_pixels(self, L, faces):
        """(H * W,) bool: the pixels of L inside ``faces`` ("auto": :meth:`faces` of L),
        or None where the face prior does not apply."""
        if faces is None or not self.has_face_prior:
            return None
        faces = self.faces(L) if _is_auto(faces) else np.asarray(faces, dtype=np.float32)
        if not len(faces):
            return None
        return face_mask(L.shape, faces).reshape(-1)

    def _in_threads(self, fn, items):
        """``fn(*item)`` for every item, in ``n_jobs`` threads (each writes its own slice)."""
        # narrow matrix products scale better over blocks than inside one BLAS call; one
        # block at a time, BLAS threads cost more than they give (measured on a busy
        # 2-core machine, 1 MP: 1.4 s with one BLAS thread, 8.8 s with two)
        if effective_n_jobs(self.n_jobs) == 1:
            with threadpool_limits(1):
                for item in items:
                    fn(*item)
            return
        with threadpool_limits(1):
            # sharedmem: the blocks write into one output array, so they must be threads
            # even inside a user's joblib context that prefers processes
            Parallel(n_jobs=self.n_jobs, require="sharedmem")(
                delayed(fn)(*item) for item in items)

    def _labels(self, pixels, alpha=None):
        L = self.color_space_.lightness(pixels)
        prior = self._global_prior(L)
        if prior is not None or self.has_face_prior:  # priors move the likeliest color
            return self.probabilities(L, prior=prior).argmax(-1)
        h, w = L.shape
        out = np.empty(h * w, dtype=np.intp)
        blocks, classify = self._classified_blocks(L)

        def block(start, stop, rows):
            out[start:stop] = classify(rows, proba=False)

        self._in_threads(block, blocks)
        return out.reshape(h, w)

    def _proba(self, pixels, alpha=None):
        return self.probabilities(self.color_space_.lightness(pixels))

    def _palette(self, descriptor):
        if not hasattr(self, "palette_regressor_"):
            raise ValueError("this model was fitted before the global color prior existed: "
                             "set global_prior=0, or fit it again")
        return guess_palette(self.palette_regressor_, descriptor)

    def _global_prior(self, L, descriptor=None):
        """Weights (K,) of the learned global color prior for a lightness image, or None."""
        if not self.global_prior:
            return None
        descriptor = lightness_descriptor(L) if descriptor is None else descriptor
        return palette_weights(self._palette(descriptor), self.codebook_frequencies_,
                               self.global_prior)

    def _chroma_scale(self, L, descriptor=None):
        """The learned chroma scale (in [0, 1]) of a lightness image; 1 when it is off."""
        regressor = getattr(self, "chroma_scale_regressor_", None)
        if not self.chroma_shrinkage or regressor is None:
            return 1.0
        descriptor = lightness_descriptor(L) if descriptor is None else descriptor
        column = _SCALE_DECODERS.index(self.decoder if self.decoder in _SCALE_DECODERS
                                       else "mode")  # the MRF ends in a mode
        return guess_scale(regressor, descriptor, column)

    def _guidance(self, L, prior=None, hinted=False):
        """(prior weights or None, chroma scale) of a lightness image, its descriptor computed
        once. A given ``prior`` (a reference's) replaces the learned palette; a reference or
        hints turn the scale off: the user's colors are not to be toned down."""
        shrink = self.chroma_shrinkage and prior is None and not hinted
        learn_prior = prior is None and self.global_prior
        if not (shrink or learn_prior):
            return prior, 1.0
        descriptor = lightness_descriptor(L)
        if learn_prior:
            prior = self._global_prior(L, descriptor)
        return prior, self._chroma_scale(L, descriptor) if shrink else 1.0

    def _decimated_lightness(self, image):
        """L of every n-th pixel of an image: what its descriptor looks at, at little cost."""
        a = np.asarray(image)
        step = max(1, -(-max(a.shape[:2]) // DESCRIPTOR_MAX_SIDE))
        pixels, _ = check_images(a[::step, ::step])[0]
        return self.color_space_.lightness(pixels)

    def _mrf_chroma(self, proba, L, clamp=None):
        """Chroma (H, W, 2) of probabilities (H, W, K) smoothed by the MRF, then decoded."""
        mrf = self.potts_mrf()
        q = mrf.smooth(proba, L, self.quantizer_.grid_, clamp=clamp)
        return decode(q, self.codebook_, mrf.decode)

    def _decode(self, proba):
        """Chroma of probabilities (..., K) by the decoder (not the MRF)."""
        return decode(proba, self.codebook_, self.decoder, self.temperature)

    def _chunks(self, n):
        """(start, stop) of bounded blocks of n pixels."""
        step = self.features_.chunk_pixels
        return ((s, min(n, s + step)) for s in range(0, n, step))


def takes_images(classifier):
    """True for a classifier that learns from whole lightness images, not rows of features.

    Such a classifier says so in its scikit-learn tags (``__sklearn_tags__``): its
    ``input_tags`` accept 3-D arrays (a stack or list of ``H x W`` lightness images) and
    not 2-D ones (rows of features), as :class:`nncolor.cnn.CNNClassifier` does. The
    colorizer fits it on lightness images and codebook label maps, and asks it for a
    whole image's probabilities at once; other classifiers get rows of patches.

    Parameters
    ----------
    classifier : estimator

    Returns
    -------
    bool
    """
    try:
        tags = get_tags(classifier)
    except AttributeError:  # no scikit-learn tags: a classifier of feature rows
        return False
    return bool(tags.input_tags.three_d_array and not tags.input_tags.two_d_array)


def _is_auto(value):
    return isinstance(value, str) and value == "auto"


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
    max_iter=200, early_stopping=True, batch_size=None, learning_rate=None,
    som_iterations=10_000, decoder="annealed",
    global_prior=0.5, chroma_shrinkage=True, face_prior=1.0, n_jobs=None, random_state=None,
    backend="mlp", device="cpu", working_size="auto", **cnn_params,
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
    max_iter : int, default=200
        Most MLP epochs.
    early_stopping : bool, default=True
        Stop the MLP when its accuracy on a tenth of the training pixels has not improved
        for 3 epochs (scikit-learn's ``early_stopping``, ``n_iter_no_change=3``): on a
        million pixels it stops after about 10 to 25 epochs with the held-out quality of
        200, in a tenth of the time. False trains all ``max_iter`` epochs.
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
    chroma_shrinkage : bool, default=True
        The learned chroma scale, see :class:`SOMColorizer`; False keeps the colors at
        full strength (more colorful, lower PSNR).
    face_prior : float >= 0, default=1.0
        Strength of the learned face prior, see :class:`SOMColorizer`; 0 turns it off.
    n_jobs : int or None
        Threads used at predict time.
    random_state : int, RandomState instance or None
    backend : {"mlp", "cnn"}, default="mlp"
        ``"cnn"`` puts a :class:`nncolor.cnn.CNNClassifier` (whole L images in, per-pixel
        probabilities out; needs ``pip install 'nncolor[cnn]'``) in the classifier slot
        instead of the MLP; ``patch_size``, ``hidden_layer_sizes`` and ``max_iter`` then
        do not apply (``n_samples`` still draws the pixels the SOM is fitted on).
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
        classifier = MLPClassifier(
            hidden_layer_sizes=tuple(hidden_layer_sizes), activation="relu",
            batch_size=_MLP_BATCH if batch_size is None else batch_size,
            learning_rate_init=_MLP_RATE if learning_rate is None else learning_rate,
            max_iter=max_iter,
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
        mrf=PottsMRF(),
        n_jobs=n_jobs,
        random_state=random_state,
        device="cpu" if backend == "cnn" else device,
        working_size=working_size,
    )
