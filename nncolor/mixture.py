"""A mixture of experts: colorizers for kinds of photo, weighted by the kind of the gray photo.

A colorizer trained on one kind of photo (landscapes, cities, objects) paints that kind
far better than a general one: the shipped ``landscape`` model gains about twice the
default's PSNR over gray on landscapes, but loses to gray on streets and portraits. A
mixture of experts (Jacobs et al. 1991) keeps each expert where it is good: a *gate*, a
classifier of the kind of photo, guesses from the gray photo alone (its layout, tones and
texture: :func:`nncolor.guidance.kind_descriptor`, the lightness descriptor and the
Gabor energies) the probability of each kind, and the photo's chroma is the experts'
u\\*v\\* chroma weighted by those probabilities, joined with the photo's own L\\*. A soft mix is safer than taking the most probable kind alone: where the
gate hesitates, the colors are the experts' compromise rather than one expert's mistake.

Large scans go in bands (:func:`nncolor.tiling.colorize_mixture_in_bands`, what
:func:`nncolor.tiling.colorize_image` runs for them), films frame by frame with the gate's
probabilities smoothed over time (:func:`nncolor.video.colorize_frames`, with the gate's
two steps, :meth:`MixtureOfExperts.kind_proba_of_lightness` and
:meth:`MixtureOfExperts.weights_of_kind_proba`).

References
----------
Jacobs, R. A., Jordan, M. I., Nowlan, S. J. & Hinton, G. E. (1991). Adaptive mixtures of
local experts. Neural Computation 3(1), 79-87.

Oliva, A. & Torralba, A. (2001). Modeling the shape of the scene: a holistic
representation of the spatial envelope. IJCV 42(3), 145-175.
"""
import copy

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ._images import check_images, is_single_image
from .guidance import kind_descriptor
from .luv import lightness, rgb2luv


def default_gate():
    """The gate :class:`MixtureOfExperts` fits when given none: standardized descriptors
    and a multinomial logistic regression.

    Its probabilities weight the experts, so they should be calibrated, not only right on
    the most probable kind: the strong regularization (``C=0.01``) is the one of 0.001,
    0.003, 0.01, 0.03 and 0.1 with the best 5-fold cross-validated log-loss on the
    training photos of the shipped ``auto`` model (``python -m pipelines.default_model``).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=3000))


class MixtureOfExperts(BaseEstimator):
    """A colorizer made of colorizers for kinds of photo, mixed by the kind each gray photo
    seems to be.

    Parameters
    ----------
    experts : list of (str, colorizer or str)
        ``(kind, expert)`` pairs, one per kind of photo the gate tells apart. An expert is
        a colorizer (cloned and fitted on the training photos of its kind; wrap a fitted
        one in ``sklearn.frozen.FrozenEstimator`` to keep it as it is), or the name of a
        shipped model or a model file (:func:`nncolor.load_model`), loaded when used: a
        saved mixture stores the name, not the model. Several kinds may name the same
        model.
    gate : classifier, optional
        Classifies :func:`nncolor.guidance.kind_descriptor` vectors into kinds, with
        ``predict_proba`` (cloned and fitted on every training photo); None:
        :func:`default_gate`.
    min_weight : float in [0, 1), default=0.05
        Experts weighted less than this for a photo are skipped (the others' weights are
        renormalized): most photos need two or three experts, not all of them.
    n_jobs : int, optional
        Threads for each expert's ``predict`` (their ``n_jobs``); None: their own.

    Attributes
    ----------
    classes_ : ndarray of str, shape (n_kinds,)
        The kinds, in the order of :meth:`predict_kind_proba`'s columns.
    gate_ : fitted classifier
        The gate, fitted on the kind descriptors of the training photos.
    fitted_experts_ : dict of str -> fitted colorizer
        The experts given as estimators, fitted, by kind (those given by name are loaded
        when used, and not stored).
    chroma_mean_ : ndarray of float32, shape (2,)
        Mean u*v* chroma of the training photos (the "mean color" baseline of
        :func:`nncolor.evaluation.evaluate`).
    n_training_photos_ : int
        Photos the gate was fitted on.

    References
    ----------
    Jacobs, R. A., Jordan, M. I., Nowlan, S. J. & Hinton, G. E. (1991). Adaptive mixtures
    of local experts. Neural Computation 3(1), 79-87.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> small = dict(patch_size=3, som_shape=(2, 2), n_samples=100, max_iter=5,
    ...              som_iterations=200, random_state=0)
    >>> photos = [data.coffee()[::8, ::8], data.chelsea()[::8, ::8],
    ...           data.astronaut()[::8, ::8], data.rocket()[::8, ::8]]
    >>> mix = MixtureOfExperts([("food", make_colorizer(**small)),
    ...                         ("other", make_colorizer(**small))])
    >>> mix = mix.fit(photos, ["food", "other", "other", "food"])
    >>> mix.predict_kind_proba(photos[0]).shape
    (1, 2)
    >>> mix.predict(photos[0]).shape
    (50, 75, 3)
    """

    def __init__(self, experts, *, gate=None, min_weight=0.05, n_jobs=None):
        self.experts = experts
        self.gate = gate
        self.min_weight = min_weight
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit the gate on every photo, and each expert given as an estimator on its kind's.

        Parameters
        ----------
        X : list of color images
            RGB photos (``H x W x 3``), uint8 or float in [0, 1].
        y : array-like of str, shape (n_photos,)
            The kind of each photo; every kind of ``experts`` must occur, and no other.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Malformed ``experts``, ``gate`` or ``min_weight``, fewer than two kinds, gray
            photos, a count of kinds that is not the count of photos, a kind without an
            expert or without photos.
        FileNotFoundError
            A named expert that is neither a shipped model nor a file.
        """
        kinds = self._check_experts()
        if not 0 <= self.min_weight < 1:
            raise ValueError(f"min_weight must be in [0, 1); got {self.min_weight!r}")
        if self.gate is not None and not hasattr(self.gate, "predict_proba"):
            raise ValueError(f"the gate must be a classifier with predict_proba; got "
                             f"{self.gate!r}")
        for kind, expert in self.experts:  # a misspelled name, before minutes of fitting
            if isinstance(expert, str):
                _expert_path(expert)
        pixels = [p for p, _ in check_images(X, require_color=True)]
        y = np.asarray(y, dtype=str)
        if y.shape != (len(pixels),):
            raise ValueError(f"y must give one kind per photo: {len(pixels)} photos, "
                             f"y of shape {y.shape}")
        if set(y) != set(kinds):
            raise ValueError(f"y must hold every kind of the experts, and no other: experts "
                             f"for {sorted(kinds)}, photos of {sorted(map(str, set(y)))}")
        luv = [rgb2luv(p) for p in pixels]
        descriptors = np.stack([kind_descriptor(image[..., 0]) for image in luv])
        self.gate_ = clone(self.gate if self.gate is not None else default_gate())
        self.gate_.fit(descriptors, y)
        self.classes_ = np.asarray(self.gate_.classes_)
        self.fitted_experts_ = {
            # y=None given: FrozenEstimator.fit requires it (and does nothing)
            kind: clone(expert).fit([p for p, k in zip(pixels, y) if k == kind], None)
            for kind, expert in self.experts if not isinstance(expert, str)}
        self.chroma_mean_ = np.mean([image[..., 1:].reshape(-1, 2).mean(axis=0)
                                     for image in luv], axis=0).astype(np.float32)
        self.n_training_photos_ = len(pixels)
        return self

    def _check_experts(self):
        """The kinds of ``experts``, checked to be (kind, colorizer or name) pairs."""
        if isinstance(self.experts, str) or not all(
                isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str)
                for pair in self.experts):
            raise ValueError("experts must be a list of (kind, colorizer or model name) "
                             f"pairs, each kind a str; got {self.experts!r}")
        kinds = [kind for kind, _ in self.experts]
        if len(kinds) < 2 or len(set(kinds)) != len(kinds):
            raise ValueError(f"experts must name each kind once, at least two kinds; got "
                             f"{kinds}")
        for kind, expert in self.experts:
            if not isinstance(expert, str) and not hasattr(expert, "predict"):
                raise ValueError(f"the expert for {kind!r} is neither a colorizer nor a model "
                                 f"name: {expert!r}")
        return kinds

    # -------------------------------------------------------------- predict
    def predict_kind_proba(self, X):
        """The gate's probability of each kind for each photo.

        Parameters
        ----------
        X : image or list of images
            Gray or color, any numeric dtype (only the lightness is used).

        Returns
        -------
        ndarray, shape (n_images, n_kinds)
            Columns in the order of ``classes_``; one row for one image.
        """
        check_is_fitted(self, "gate_")
        return self.kind_proba_of_lightness([lightness(p) for p, _ in check_images(X)])

    def kind_proba_of_lightness(self, lightnesses):
        """The gate's probabilities for lightness images, such as the frames of a film.

        Parameters
        ----------
        lightnesses : list of array-like, each of shape (H, W)
            CIE L* in [0, 100].

        Returns
        -------
        ndarray, shape (n_images, n_kinds)
            Columns in the order of ``classes_``; the gate's float type.

        Raises
        ------
        ValueError
            ``lightnesses`` is not a non-empty list, or holds an image that is not 2-D or
            is empty.
        """
        check_is_fitted(self, "gate_")
        if not isinstance(lightnesses, (list, tuple)) or not lightnesses:
            raise ValueError("lightnesses must be a non-empty list of 2-D L* images; got "
                             f"{type(lightnesses).__name__}")
        return self.gate_.predict_proba(np.stack([kind_descriptor(L) for L in lightnesses]))

    def expert_weights(self, X):
        """The experts :meth:`predict` runs for each photo, and their weights.

        Parameters
        ----------
        X : image or list of images
            As in :meth:`predict`.

        Returns
        -------
        dict of str -> float, or a list of them (one per image)
            :meth:`weights_of_kind_proba` of :meth:`predict_kind_proba`.
        """
        weights = self.weights_of_kind_proba(self.predict_kind_proba(X))
        return weights[0] if is_single_image(X) else weights

    def expert(self, kind):
        """The fitted expert of a kind, with this mixture's ``n_jobs``.

        Parameters
        ----------
        kind : str
            One of ``classes_``.

        Returns
        -------
        fitted colorizer
            The fitted expert (unwrapped from a ``FrozenEstimator``), or the named model,
            loaded now: a shipped model's name means the shipped model, whatever files
            the current folder holds; another name is a model file.

        Raises
        ------
        KeyError
            No expert for ``kind``.
        FileNotFoundError, nncolor.model_file.ModelFileError
            A named expert that cannot be loaded.
        """
        from sklearn.frozen import FrozenEstimator

        from .model_file import load_model

        check_is_fitted(self, "gate_")
        named = dict(self.experts)
        if kind not in named:
            raise KeyError(f"no expert for {kind!r}; the kinds are {list(named)}")
        # a shipped model loads from the user's cache in milliseconds (nncolor.model_cache)
        expert = self.fitted_experts_[kind] if kind in self.fitted_experts_ else \
            load_model(_expert_path(named[kind]))
        if isinstance(expert, FrozenEstimator):  # which takes no set_params
            expert = expert.estimator
        if self.n_jobs is None or "n_jobs" not in expert.get_params():
            return expert
        return copy.copy(expert).set_params(n_jobs=self.n_jobs)  # the fitted one unchanged

    def predict(self, X, *, reference=None, hints=None):
        """Colorize images: each expert's u*v* chroma weighted by the gate.

        Parameters
        ----------
        X : image or list of images
            Gray (``H x W`` or ``H x W x 1``) or color images (only their lightness is
            used), any numeric dtype.
        reference, hints : optional
            Passed to every expert (:meth:`nncolor.SOMColorizer.predict`): to its
            ``predict_chroma`` when several are mixed (they then run on the CPU, whatever
            their ``device``), to its ``predict`` when one takes all the weight.

        Returns
        -------
        images : list of ndarray of float32 in [0, 1], or one array for one image
            ``H x W x 3`` RGB, or ``H x W x 4`` with the input's alpha passed through.

        Raises
        ------
        ValueError
            An image, the reference or the hints are not what the experts take.
        FileNotFoundError, nncolor.model_file.ModelFileError
            A named expert that cannot be loaded (:meth:`expert`).
        """
        single, rows = self._per_image(X, hints)
        out = [_mix(pixels, L, alpha, weights, reference, hint)
               for pixels, alpha, L, weights, hint in rows]
        return out[0] if single else out

    def predict_chroma(self, X, *, reference=None, hints=None):
        """The u*v* chroma :meth:`predict` joins with each image's lightness: the experts'
        ``predict_chroma`` weighted by the gate.

        Parameters
        ----------
        X, reference, hints
            As in :meth:`predict`.

        Returns
        -------
        chroma : list of ndarray of float32, shape (H, W, 2), or one array for one image
            As :meth:`nncolor.SOMColorizer.predict_chroma`: before the sRGB gamut.

        Raises
        ------
        ValueError, FileNotFoundError, nncolor.model_file.ModelFileError
            As :meth:`predict`.
        """
        single, rows = self._per_image(X, hints)
        out = [_mixed_chroma(pixels, weights, reference, hint)
               for pixels, _, _, weights, hint in rows]
        return out[0] if single else out

    def _per_image(self, X, hints):
        """Whether X is one image, and per image: (pixels, alpha, L*, {expert: weight},
        hints), the hints checked against their image and each expert loaded once."""
        check_is_fitted(self, "gate_")
        images = check_images(X)
        single = is_single_image(X)
        hints = [hints] * len(images) if hints is None or single else list(hints)
        if len(hints) != len(images):
            raise ValueError(f"{len(hints)} hint images for {len(images)} images")
        for i, ((pixels, _), hint) in enumerate(zip(images, hints)):
            # each expert sees one image: it would call any image "image 0"
            if hint is not None and np.shape(hint)[:2] != pixels.shape[:2]:
                raise ValueError(f"hints for image {i} have shape {np.shape(hint)}; image "
                                 f"{i} is {pixels.shape[0]} x {pixels.shape[1]}")
        lightnesses = [lightness(pixels) for pixels, _ in images]  # for the gate and the mix
        weights = self.weights_of_kind_proba(self.kind_proba_of_lightness(lightnesses))
        experts = {kind: self.expert(kind) for w in weights for kind in w}  # each loaded once
        return single, [(pixels, alpha, L, {experts[kind]: v for kind, v in w.items()}, hint)
                        for (pixels, alpha), L, w, hint in zip(images, lightnesses, weights,
                                                               hints)]

    def weights_of_kind_proba(self, proba, *, kept=()):
        """The experts to run, and their weights, from the gate's probabilities.

        Parameters
        ----------
        proba : array-like, shape (n_images, n_kinds)
            Probabilities of the kinds, in the order of ``classes_``
            (:meth:`predict_kind_proba`, or those averaged over the frames of a film).
        kept : collection of str, default=()
            Experts (kinds, as in the result) already in the mix, such as a film's on its
            previous frame: they stay while weighted at least half ``min_weight``, so that
            an expert near the threshold does not come and go from frame to frame.

        Returns
        -------
        list of dict of str -> float
            Per image, kind -> weight, summing to 1: kinds that name the same model add
            up under the first of them, and experts under ``min_weight`` are left out (the
            most probable one is always kept).

        Raises
        ------
        ValueError
            ``proba`` is not of shape (n_images, n_kinds), or holds values that are not
            finite and non-negative.
        """
        check_is_fitted(self, "gate_")
        proba = np.asarray(proba, dtype=np.float64)
        if proba.ndim != 2 or proba.shape[1] != len(self.classes_):
            raise ValueError(f"proba must have shape (n_images, {len(self.classes_)}), one "
                             f"column per kind of classes_; got shape {proba.shape}")
        if not (np.isfinite(proba).all() and (proba >= 0).all()):
            raise ValueError("proba must hold finite, non-negative probabilities")
        # an expert is its model's name, or (for an estimator) its kind: tagged, so that a
        # kind and a model of the same name stay apart
        keys = {kind: ("model", expert) if isinstance(expert, str) else ("kind", kind)
                for kind, expert in self.experts}
        first = {}
        for kind, key in keys.items():
            first.setdefault(key, kind)
        owner = {kind: first[key] for kind, key in keys.items()}
        rows = []
        for p in proba:
            w = {}
            for kind, prob in zip(self.classes_, p):
                w[owner[kind]] = w.get(owner[kind], 0.0) + float(prob)
            top = max(w, key=w.get)
            keep = {k: v for k, v in w.items() if k == top or v >= self.min_weight
                    or (k in kept and v >= self.min_weight / 2)}
            total = sum(keep.values())
            rows.append({k: v / total for k, v in keep.items()})
        return rows


def _expert_path(name):
    """The file a named expert is: the shipped model of that name, else the path given
    (a shipped name is never shadowed by a file or folder of the current directory)."""
    from .model_file import resolve_model_path, shipped_models

    shipped = shipped_models()
    return shipped[name] if name in shipped else resolve_model_path(name)


def _mix(pixels, L, alpha, weights, reference, hint):
    """One image's RGB: the weighted u*v* of its experts ({expert: weight}) with its own
    L* (``L``)."""
    if len(weights) == 1:  # one expert: its output is the mix (its L* is the input's)
        rgb = next(iter(weights)).predict(pixels, reference=reference, hints=hint)[..., :3]
    else:  # mixed before the conversion, which then brings the mix into the gamut once;
        # converted by an expert, in its threads (every colorizer converts alike)
        rgb = max(weights, key=weights.get).to_rgb(
            L, _mixed_chroma(pixels, weights, reference, hint))
    return rgb if alpha is None else np.dstack([rgb, alpha])


def _mixed_chroma(pixels, weights, reference, hint):
    """One image's u*v*: its experts' ({expert: weight}) weighted."""
    return sum(np.float32(w) * expert.predict_chroma(pixels, reference=reference, hints=hint)
               for expert, w in weights.items())
