"""Colorizing with a fitted colorizer: :meth:`predict` and its stages, without scikit-learn.

:class:`ColorizerInference` holds everything a fitted colorizer does after its fit: the
stages of :meth:`~ColorizerInference.predict` (lightness, guidance, hints, probabilities,
decoding, RGB), at the working resolution or in full. :class:`nncolor.SOMColorizer` is
built on it (and adds fitting and the scikit-learn API), and so is
:class:`FittedColorizer`, a fitted colorizer's *inference form*: its parameters and
fitted arrays as plain objects (:class:`~nncolor.mlp.MLPWeights`,
:class:`~nncolor.guidance.NeighborsRegressor`, :class:`Codebook`,
:class:`DensePatches`, :class:`LuvConversion`), which loads without importing
scikit-learn, SciPy's statistics or pandas. Importing scikit-learn takes about 1.5 s on
2 cores, three times what colorizing a megapixel takes: ``nncolor colorize`` colorizes
with the inference form of a shipped model, read from the model cache
(:func:`nncolor.model_file.load_model` with ``inference_only=True``). Both forms run the
code of this module, so they give the same colors (to within float rounding of the
nearest-neighbour distances of the learned priors).
"""
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from threadpoolctl import threadpool_limits

from . import gpu, upsample
from ._images import check_image, check_images, is_single_image
from .decode import DECODERS, decode, entropy
from .device import DEVICES, device_namespace, resolve_device
from .faces import face_weights, find_faces
from .guidance import (NeighborsRegressor, clamp_hints, descriptor_step, guess_palette,
                       guess_scale, hint_labels, hint_prior, lightness_descriptor,
                       palette_weights, reference_prior, reweight)
from .luv import lightness, luv2rgb
from .mlp import MLPWeights, is_fast_mlp, mlp_predict, mlp_predict_proba
from .nearest import brute_force_argmin
from .windows import dense_patches

#: The decoders a learned chroma scale is fitted for, in the order of its columns (the
#: MRF ends in a mode, and takes the mode's factor).
SCALE_DECODERS = ("mode", "expectation", "annealed")


class NoInferenceFormError(ValueError):
    """A colorizer whose parts :class:`FittedColorizer` cannot hold (a CNN classifier, say):
    colorize with the colorizer itself."""


def check_fitted(model):
    """Raise unless ``model`` is a fitted colorizer (either form).

    Parameters
    ----------
    model : SOMColorizer or FittedColorizer

    Raises
    ------
    sklearn.exceptions.NotFittedError
        An unfitted :class:`~nncolor.SOMColorizer`.
    TypeError
        ``model`` is not a colorizer.
    """
    if not isinstance(model, ColorizerInference):
        raise TypeError(f"expected a colorizer; got {type(model).__name__}")
    model._check_fitted()


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
    if not hasattr(classifier, "__sklearn_tags__"):  # MLPWeights: no scikit-learn to load
        return False
    from sklearn.utils import get_tags

    try:
        tags = get_tags(classifier)
    except AttributeError:  # no scikit-learn tags: a classifier of feature rows
        return False
    return bool(tags.input_tags.three_d_array and not tags.input_tags.two_d_array)


def _is_auto(value):
    return isinstance(value, str) and value == "auto"


class ColorizerInference:
    """What a fitted colorizer does: :meth:`predict` and its stages.

    A base class: :class:`nncolor.SOMColorizer` and :class:`FittedColorizer` provide the
    parameters (``decoder``, ``temperature``, ``global_prior``, ``chroma_shrinkage``,
    ``face_prior``, ``face_feather``, ``face_size``, ``mrf``, ``n_jobs``, ``device``,
    ``working_size``) and the fitted attributes (``codebook_``, ``codebook_frequencies_``,
    ``n_colors_``, ``classifier_``, ``features_``, ``color_space_``, ``quantizer_``, and
    where learned ``palette_regressor_``, ``chroma_scale_regressor_``, ``face_palette_``,
    ``training_size_``) that its methods read.
    """

    def _check_fitted(self):
        """Raise unless fitted (each form knows how it tells)."""
        raise NotImplementedError

    def _check_params(self):
        """Raise for parameters :meth:`predict` cannot use."""
        raise NotImplementedError

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
            codebook, so ambiguous pixels lean toward the reference's colors (inside the
            faces the face prior finds, by the face palette instead).
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
        images, prior, clamps = self._predict_inputs(X, reference, hints)
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

    def predict_chroma(self, X, *, reference=None, hints=None):
        """The chroma :meth:`predict` joins with each image's own lightness, before the
        conversion to RGB.

        For callers that combine the chroma of several colorizers
        (:class:`nncolor.mixture.MixtureOfExperts` weights its experts' u*v*): the same
        stages as :meth:`predict`, on the CPU, with its ``device`` ignored.

        Parameters
        ----------
        X, reference, hints
            As in :meth:`predict`.

        Returns
        -------
        chroma : list of ndarray of float32, shape (H, W, 2), or one array for one image
            The CIE u* and v* of every pixel, before colors out of the sRGB gamut are
            desaturated (:func:`nncolor.luv.luv2rgb` does it).

        Raises
        ------
        ValueError
            As :meth:`predict`.
        """
        images, prior, clamps = self._predict_inputs(X, reference, hints)
        out = [self.working_chroma(*self._working_stages(pixels, prior, clamp))
               for (pixels, _), clamp in zip(images, clamps)]
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
        self._check_fitted()
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
        self._check_fitted()
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
        self._check_fitted()
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
        self._check_fitted()
        L = np.asarray(L, dtype=np.float32)
        if L.ndim != 2:
            raise ValueError(f"L must be a 2-D lightness image (H, W); got shape {L.shape}")
        if not self.has_face_prior:
            return np.zeros((0, 4), dtype=np.float32)
        return find_faces(L)

    def probabilities(self, L, *, prior="auto", clamp=None, faces="auto"):
        """Stage 4: every pixel's distribution over the codebook, the priors applied.

        The classifier's probabilities (all K colors; a color it never saw in training
        gets zero), each pixel's multiplied by ``prior`` (inside ``faces``, by the face
        palette's weights instead), then by the prior that the hints spread
        (:func:`nncolor.guidance.hint_prior`), re-normalized after each.

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
            Face boxes in pixels of ``L`` (:meth:`faces`), inside whose ellipses the face
            prior applies (``face_size`` times them, fading out over ``face_feather``);
            ``"auto"``: :meth:`faces` of ``L``; None: no face prior.

        Returns
        -------
        proba : ndarray of float32, shape (H, W, K)
            Sums to one over the last axis.

        Raises
        ------
        ValueError
            ``L``, ``prior`` or ``clamp`` do not have the shapes above.
        """
        self._check_fitted()
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
        self._check_fitted()
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
        self._check_fitted()
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
        self._check_fitted()
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
        if self.mrf is not None:
            return self.mrf
        from .mrf import PottsMRF  # scikit-learn's, loaded only for the MRF decoder

        return PottsMRF()

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
        self._check_fitted()
        size = getattr(self, "working_size", None)
        if size == "auto":
            size = getattr(self, "training_size_", None)
        return upsample.reduction_factor(shape[:2], size)

    def working_lightness(self, L):
        """Stage 1b: the lightness the classifier sees, at the working resolution.

        Parameters
        ----------
        L : array-like, shape (H, W)
            Lightness L* in [0, 100] of the full-resolution image.

        Returns
        -------
        L_work : ndarray of float32, shape (ceil(H / f), ceil(W / f))
            ``L`` itself when f = 1, else its means over f x f blocks
            (:func:`nncolor.upsample.block_mean`).
        factor : int
            f: :meth:`reduction_factor` of ``L``'s shape.
        """
        L = np.asarray(L, dtype=np.float32)
        factor = self.reduction_factor(L.shape)
        return (L if factor == 1 else upsample.block_mean(L, factor)), factor

    def working_rgb(self, L, L_work, chroma, alpha=None):
        """Stage 6 from the working resolution: the chroma of ``L_work`` brought to the
        size of ``L`` along its edges, joined with it and converted to RGB.

        The guided upsampling of :mod:`nncolor.upsample` (a guided filter's coefficients
        fitted on ``L_work`` and interpolated at every pixel of ``L``); :meth:`to_rgb`
        when ``L_work`` is ``L`` itself.

        Parameters
        ----------
        L : ndarray of float32, shape (H, W)
            Full-resolution lightness L* in [0, 100].
        L_work : ndarray of float32, shape (h, w)
            :meth:`working_lightness` of ``L``.
        chroma : ndarray of float32, shape (h, w, 2)
            (u, v) of every pixel of ``L_work`` (:meth:`chroma`, :meth:`decode_proba`).
        alpha : ndarray, shape (H, W), optional
            Passed through as a fourth channel.

        Returns
        -------
        rgb : ndarray of float32, shape (H, W, 3), or (H, W, 4) with ``alpha``
            sRGB in [0, 1].

        Raises
        ------
        ValueError
            ``L_work`` or ``chroma`` do not have the shapes above.
        """
        L, L_work, factor = self._working_shapes(L, L_work, chroma)
        if factor == 1:
            return self.to_rgb(L, chroma, alpha)
        coef, bounds = upsample.fit_guide(L_work, chroma)
        rgb = upsample.guided_rgb(coef, L, factor, bounds=bounds, n_jobs=self.n_jobs)
        return rgb if alpha is None else np.dstack([rgb, alpha])

    def working_chroma(self, L, L_work, chroma):
        """The chroma of ``L_work`` brought to the size of ``L`` along its edges: the
        (u, v) that :meth:`working_rgb` converts to RGB (``chroma`` itself when
        ``L_work`` is ``L``).

        Parameters
        ----------
        L, L_work, chroma
            As in :meth:`working_rgb`.

        Returns
        -------
        chroma : ndarray of float32, shape (H, W, 2)

        Raises
        ------
        ValueError
            ``L_work`` or ``chroma`` do not have the shapes of :meth:`working_rgb`.
        """
        L, L_work, factor = self._working_shapes(L, L_work, chroma)
        if factor == 1:
            return np.asarray(chroma, dtype=np.float32)
        coef, bounds = upsample.fit_guide(L_work, chroma)
        return upsample.guided_chroma(coef, L, factor, bounds=bounds, n_jobs=self.n_jobs)

    def working_probabilities(self, image):
        """Stages 1 to 4 at the working resolution: what :meth:`predict` decodes.

        For callers that change the distributions before decoding them (:mod:`nncolor.video`
        smooths a film's over time): ``decode_proba(proba, L_work, scale=scale)`` and then
        :meth:`working_rgb` give what :meth:`predict` gives.

        Parameters
        ----------
        image : array-like
            One gray, RGB or RGBA image, any dtype :meth:`predict` takes.

        Returns
        -------
        L : ndarray of float32, shape (H, W)
            Its lightness L*.
        L_work : ndarray of float32, shape (h, w)
            :meth:`working_lightness` of ``L``.
        proba : ndarray of float32, shape (h, w, K)
            :meth:`probabilities` of ``L_work``, with the learned prior of the whole image.
        scale : float
            Its learned chroma scale (1 without one).

        Raises
        ------
        ValueError
            ``image`` is not an image.
        """
        self._check_fitted()
        L = self.color_space_.lightness(check_image(image)[0])
        prior, scale = self._guidance(L)
        L_work, _ = self.working_lightness(L)
        return L, L_work, self.probabilities(L_work, prior=prior), scale

    # ------------------------------------------------------------ internals
    def _working_shapes(self, L, L_work, chroma):
        """L and L_work as float32 and the factor, checked to be working_lightness(L) and
        a chroma of L_work's shape."""
        L = np.asarray(L, dtype=np.float32)
        L_work, factor = np.asarray(L_work, dtype=np.float32), self.reduction_factor(L.shape)
        if L_work.shape != upsample.small_shape(L.shape, factor) or \
                np.shape(chroma) != L_work.shape + (2,):
            raise ValueError(f"L_work and chroma must be working_lightness(L) of L "
                             f"{L.shape} and its (u, v); got {L_work.shape} and "
                             f"{np.shape(chroma)}")
        return L, L_work, factor

    def _map(self, X, fn):
        self._check_fitted()
        out = [fn(pixels, alpha) for pixels, alpha in check_images(X)]
        return out[0] if is_single_image(X) else out

    def _predict_inputs(self, X, reference, hints):
        """:meth:`predict`'s images checked, the reference's prior (or None) and one clamp
        map (or None) per image."""
        self._check_fitted()
        self._check_params()
        prior = None if reference is None else \
            reference_prior(reference, self.quantizer_, self.n_colors_)
        images = check_images(X)
        return images, prior, self._hint_maps(hints, images, single=is_single_image(X))

    def _colorize(self, pixels, alpha=None, reference=None, clamp=None):
        """RGB of one image (:meth:`predict`'s stages). ``reference``: a reference's prior,
        which replaces the learned one; ``clamp``: hinted labels."""
        return self.working_rgb(*self._working_stages(pixels, reference, clamp), alpha)

    def _working_stages(self, pixels, reference=None, clamp=None):
        """(L, L_work, chroma of L_work): :meth:`predict`'s stages up to the upsampling."""
        L = self.color_space_.lightness(pixels)
        prior, scale = self._guidance(L, reference, hinted=clamp is not None)
        # the working resolution: classified small, upsampled along L (nncolor.upsample)
        small, factor = self.working_lightness(L)
        if clamp is not None and factor > 1:
            clamp = upsample.downscale_labels(clamp, factor)
        return L, small, self.chroma(small, prior=prior, clamp=clamp, scale=scale)

    def _check_stage(self, L, prior, clamp):
        """L as float32 (H, W), and the prior and the clamp checked against it."""
        L = np.asarray(L, dtype=np.float32)
        if L.ndim != 2:
            raise ValueError(f"L must be a 2-D lightness image (H, W); got shape {L.shape}")
        if prior is not None and not _is_auto(prior):
            prior = np.asarray(prior, dtype=np.float32)
            if prior.shape != (self.n_colors_,):
                raise ValueError(f"prior must have shape ({self.n_colors_},); got {prior.shape}")
            if not (np.isfinite(prior).all() and (prior >= 0).all()):
                raise ValueError("prior must hold finite, non-negative weights")
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
        """Probabilities (n, K) of the block ``start:stop``, reweighted by the global prior
        (in faces, ``inside``: (H * W,) weights in [0, 1], by the face prior instead, or
        on a soft edge by both) and the hints' prior: the one place where
        guidance meets the classifier."""
        proba = self._spread(classify(rows, proba=True))
        local = None if local is None else local[start:stop]
        if inside is None or not inside[start:stop].any():
            return reweight(proba, prior, local)
        # Inside a face its palette, measured on training faces, replaces the photo's
        # palette, which mostly describes the background: stacking both shifted a face
        # toward the scene's colors too (web portraits: +0.49 -> +0.51 dB over gray)
        face = inside[start:stop][:, None]
        skin = palette_weights(self.face_palette_, self.codebook_frequencies_, self.face_prior)
        photo = np.float32(1) if prior is None else np.asarray(prior, dtype=np.float32)
        weights = np.where(face > 0, skin, photo).astype(np.float32)
        edge = np.flatnonzero((face[:, 0] > 0) & (face[:, 0] < 1))
        if edge.size:  # on a soft edge, both: priors multiply, so their powers blend them
            w = face[edge]
            weights[edge] = skin ** w * photo ** (1 - w)
        return reweight(proba, weights, local)

    @property
    def has_face_prior(self):
        """bool: whether :meth:`predict` applies a face prior: ``face_prior`` is not 0 and
        the fit learned a face palette (``face_palette_``); False before fitting."""
        return bool(self.face_prior) and getattr(self, "face_palette_", None) is not None

    def _face_pixels(self, L, faces):
        """(H * W,) float32: how much of each pixel of L is inside ``faces`` ("auto":
        :meth:`faces` of L), 0 or 1 but on a ``face_feather`` edge; None where the face
        prior does not apply."""
        if faces is None or not self.has_face_prior:
            return None
        faces = self.faces(L) if _is_auto(faces) else np.asarray(faces, dtype=np.float32)
        if not len(faces):
            return None
        return face_weights(L.shape, faces, feather=self.face_feather,
                            size=self.face_size).reshape(-1)

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
        """The learned chroma scale (in [0, 1]) of a lightness image, at the strength
        ``chroma_shrinkage`` gives it; 1 when it is off."""
        regressor = getattr(self, "chroma_scale_regressor_", None)
        if not self.chroma_shrinkage or regressor is None:
            return 1.0
        descriptor = lightness_descriptor(L) if descriptor is None else descriptor
        column = SCALE_DECODERS.index(self.decoder if self.decoder in SCALE_DECODERS
                                       else "mode")  # the MRF ends in a mode
        scale = guess_scale(regressor, descriptor, column)
        strength = float(self.chroma_shrinkage)  # True: 1, the least-squares factor
        return scale if strength == 1 else 1 - strength * (1 - scale)

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
        step = descriptor_step(a.shape)
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


class Codebook:
    """The plain form of a fitted :class:`~nncolor.som.SOMQuantizer`: what predicting needs.

    Parameters
    ----------
    cluster_centers : ndarray of float32, shape (K, 2)
        The codebook's (u, v) colors.
    grid : ndarray, shape (K, 2)
        Each codeword's (row, column) on the map (the MRF's neighbourhoods).

    Attributes
    ----------
    cluster_centers_, grid_
        As the parameters, under the quantizer's names.
    """

    def __init__(self, cluster_centers, grid):
        self.cluster_centers_ = np.asarray(cluster_centers, dtype=np.float32)
        self.grid_ = np.asarray(grid)

    def predict(self, X):
        """Index (intp, shape (n,)) of the nearest codeword of each row of ``X`` (n, 2)."""
        # by brute force: the quantizer's grid index pays off over many calls, but building
        # it (0.09 s) costs more than labelling a reference photo or hints this way (0.01 s)
        return brute_force_argmin(X, self.cluster_centers_)


class DensePatches:
    """The plain form of a :class:`~nncolor.patches.PatchExtractor`: every pixel's patch.

    Parameters
    ----------
    patch_size : int
        Odd side of the square patch.
    padding : {"reflect", "symmetric", "edge"}
        How the border is extended.
    chunk_pixels : int
        Pixels per block of :meth:`iter_dense`.
    """

    def __init__(self, patch_size, padding, chunk_pixels):
        self.patch_size = int(patch_size)
        self.padding = padding
        self.chunk_pixels = int(chunk_pixels)

    def iter_dense(self, L):
        """``(start, stop, features)`` blocks of a lightness image
        (:func:`nncolor.windows.dense_patches`)."""
        return dense_patches(L, self.patch_size, self.padding, self.chunk_pixels)


class LuvConversion:
    """The plain form of a :class:`~nncolor.color.LuvConverter` (which learns nothing)."""

    def lightness(self, pixels):
        """L* (float32, shape (H, W)) of float pixels in [0, 1] (:func:`nncolor.luv.lightness`)."""
        return lightness(pixels)

    def inverse_transform(self, X):
        """L*u*v* (..., 3) to RGB in [0, 1] (:func:`nncolor.luv.luv2rgb`)."""
        return luv2rgb(np.asarray(X))


class FittedColorizer(ColorizerInference):
    """A fitted colorizer's inference form: it colorizes as the colorizer, and loads fast.

    It holds the colorizer's prediction parameters and its fitted arrays as plain objects,
    so that unpickling it imports neither scikit-learn nor its dependencies (about 1.5 s of
    a command's start on 2 cores). It has :meth:`predict` and the stages of a
    :class:`~nncolor.SOMColorizer` (:class:`ColorizerInference`), not fitting, sampling or
    the scikit-learn API. ``nncolor colorize`` uses it; in Python,
    ``load_model(name, inference_only=True)`` gives one.

    Parameters
    ----------
    colorizer : fitted SOMColorizer
        With an ``MLPClassifier`` as its classifier (the default), a
        :class:`~nncolor.patches.PatchExtractor` and a
        :class:`~nncolor.color.LuvConverter`.

    Attributes
    ----------
    decoder, temperature, global_prior, chroma_shrinkage, face_prior, face_feather, face_size
        The colorizer's parameters (:meth:`set_params` changes them).
    n_jobs, device, working_size
        Likewise.
    mrf : dict or None
        The parameters of the colorizer's ``mrf`` (:meth:`potts_mrf` builds it).
    codebook_ : ndarray of float32, shape (K, 2)
    n_colors_ : int
    codebook_frequencies_, face_palette_, training_size_, model_card_
        As the colorizer's, where it has them.
    classifier_ : MLPWeights
    features_ : DensePatches
    color_space_ : LuvConversion
    quantizer_ : Codebook
    palette_regressor_, chroma_scale_regressor_ : NeighborsRegressor or None
        Where the colorizer has them.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        ``colorizer`` is not fitted.
    NoInferenceFormError
        Its classifier, patch extractor or color space is not one this form can hold (a
        CNN, say): colorize with the colorizer itself.

    Examples
    --------
    >>> from nncolor.model_file import load_model
    >>> model = load_model("default", inference_only=True)
    >>> type(model).__name__, model.decoder
    ('FittedColorizer', 'expectation')
    """

    #: The colorizer's parameters that predicting reads.
    PARAMS = ("decoder", "temperature", "global_prior", "chroma_shrinkage", "face_prior",
              "face_feather", "face_size", "mrf", "n_jobs", "device", "working_size")

    def __init__(self, colorizer):
        check_fitted(colorizer)
        from .color import LuvConverter  # the colorizer's own classes: scikit-learn is loaded
        from .patches import PatchExtractor

        parts = (colorizer.classifier_, colorizer.features_, colorizer.color_space_)
        if not (is_fast_mlp(parts[0]) and type(parts[1]) is PatchExtractor
                and type(parts[2]) is LuvConverter):
            raise NoInferenceFormError(
                "only a colorizer with an MLPClassifier, a PatchExtractor and a LuvConverter "
                "has an inference form; got " + ", ".join(type(p).__name__ for p in parts))
        for name in self.PARAMS:
            setattr(self, name, getattr(colorizer, name))
        if self.mrf is not None:  # kept as its parameters: PottsMRF is scikit-learn's
            self.mrf = self.mrf.get_params()
        self.codebook_ = np.asarray(colorizer.codebook_, dtype=np.float32)
        self.n_colors_ = colorizer.n_colors_
        # absent from models fitted before the priors and the working resolution existed
        for name in ("codebook_frequencies_", "face_palette_", "training_size_", "model_card_"):
            if hasattr(colorizer, name):
                setattr(self, name, getattr(colorizer, name))
        self.classifier_ = MLPWeights.from_mlp(parts[0])
        self.features_ = DensePatches(parts[1].patch_size, parts[1].padding,
                                      parts[1].chunk_pixels)
        self.color_space_ = LuvConversion()
        self.quantizer_ = Codebook(colorizer.quantizer_.cluster_centers_,
                                   colorizer.quantizer_.grid_)
        for name in ("palette_regressor_", "chroma_scale_regressor_"):
            if hasattr(colorizer, name):  # absent from models fitted before the priors
                regressor = getattr(colorizer, name)
                setattr(self, name, None if regressor is None
                        else NeighborsRegressor.from_pipeline(regressor))

    def __setstate__(self, state):
        # inference forms cached before these existed
        state.setdefault("face_feather", 0.0)
        state.setdefault("face_size", 1.0)
        self.__dict__.update(state)

    def potts_mrf(self):
        """The Potts MRF of the ``"mrf"`` decoder: built from ``mrf`` (its parameters).

        Returns
        -------
        PottsMRF
            Importing it loads scikit-learn (only this decoder needs it).
        """
        if isinstance(self.mrf, dict):
            from .mrf import PottsMRF

            return PottsMRF(**self.mrf)
        return super().potts_mrf()

    def __repr__(self):
        return f"FittedColorizer({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    def get_params(self):
        """The parameters (:attr:`PARAMS`), as a dict."""
        return {name: getattr(self, name) for name in self.PARAMS}

    def set_params(self, **params):
        """Change parameters (any of :attr:`PARAMS`); returns self.

        Raises
        ------
        ValueError
            A name that is not a parameter, or a value :meth:`predict` cannot use.
        """
        unknown = sorted(set(params) - set(self.PARAMS))
        if unknown:
            raise ValueError(f"not parameters of FittedColorizer: {', '.join(unknown)}; "
                             f"it has {', '.join(self.PARAMS)}")
        old = self.get_params()
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self._check_params()
        except ValueError:
            for name, value in old.items():
                setattr(self, name, value)
            raise
        return self

    def _check_fitted(self):
        pass  # made from a fitted colorizer, and never unfitted

    def _check_params(self):
        problems = [
            (self.decoder not in DECODERS, f"decoder must be one of {', '.join(DECODERS)}"),
            (not (isinstance(self.temperature, Real) and self.temperature > 0),
             "temperature must be a positive number"),
            (not (isinstance(self.global_prior, Real) and self.global_prior >= 0),
             "global_prior must be a number >= 0"),
            (not (isinstance(self.face_prior, Real) and self.face_prior >= 0),
             "face_prior must be a number >= 0"),
            (not (isinstance(self.face_feather, Real) and 0 <= self.face_feather <= 1),
             "face_feather must be a number in [0, 1]"),
            (not (isinstance(self.face_size, Real) and self.face_size > 0),
             "face_size must be a positive number"),
            (not (isinstance(self.chroma_shrinkage, (bool, np.bool_))
                  or (isinstance(self.chroma_shrinkage, Real)
                      and 0 <= self.chroma_shrinkage <= 1)),
             "chroma_shrinkage must be True, False or a number in [0, 1]"),
            (self.device not in DEVICES, f"device must be one of {', '.join(DEVICES)}"),
            (not (self.working_size is None or self.working_size == "auto"
                  or (isinstance(self.working_size, Integral) and self.working_size >= 16)),
             'working_size must be None, "auto" or an integer >= 16'),
            (not (self.n_jobs is None or isinstance(self.n_jobs, Integral)),
             "n_jobs must be an integer or None"),
        ]
        for bad, message in problems:
            if bad:
                raise ValueError(message)
