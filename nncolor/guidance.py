"""Guidance: what steers a colorization beyond its classifier, applied as priors.

Every kind of guidance is a set of weights over the codebook that multiply each pixel's
distribution, which is then re-normalized (:func:`reweight`):

* **the learned global color prior**: a photo's palette guessed from its gray version.
  A patch of lightness says little about color on its own; the scene says much more (a
  coast is blue, a forest green, a portrait warm). Knowing a photo's true distribution
  over the codebook is worth about 2 dB of PSNR, so the colorizer learns to guess it:
  every training photo is summarized by a descriptor of its *gray* version
  (:func:`lightness_descriptor`, in the spirit of the GIST of Oliva & Torralba 2001:
  coarse layout, lightness histogram and oriented edge energy), and a k-nearest-neighbour
  regressor maps descriptors to the photos' codebook histograms. At predict time the
  photo's neighbours vote for its palette, and each pixel's distribution is reweighted by
  it (:func:`palette_weights`). The same neighbours also learn how far to trust the
  colorizer on a photo: the least-squares factor (:func:`least_squares_scale`) between
  its colors and the true ones, with which the colorizer tones a photo's chroma down
  toward gray.
* **a reference**: the codebook histogram of a color photo or a list of colors
  (:func:`reference_prior`, :func:`histogram_prior`), the global histogram transfer of
  Melas-Kyriazi & Han (2017, section 4.2). It replaces the learned palette.
* **color hints**: a few user-marked pixels (:func:`hint_labels`), spread along regions
  of similar lightness (:func:`hint_prior`): a per-pixel prior.

:func:`gabor_descriptor` (Gabor energies by scale and orientation on a coarse grid) is a
richer texture descriptor, which the gate of :mod:`nncolor.mixture` reads beside
:func:`lightness_descriptor` to guess the kind of photo.

References
----------
Melas-Kyriazi, L. & Han, G. (2017). Combining deep convolutional neural networks with
Markov random fields for image colorization.

Oliva, A. & Torralba, A. (2001). Modeling the shape of the scene: a holistic
representation of the spatial envelope. IJCV 42(3), 145-175.

Saerens, M., Latinne, P. & Decaestecker, C. (2002). Adjusting the outputs of a classifier
to new a priori probabilities: a simple procedure. Neural Computation 14(1), 21-41.
"""
import functools

import numpy as np
from scipy import ndimage
from skimage.filters import sobel
from skimage.graph import MCP_Geometric
from skimage.transform import resize
from threadpoolctl import ThreadpoolController

from ._images import check_image, check_images
from .luv import rgb2luv

# descriptor layout: an 8x8 thumbnail, an 8-bin histogram, 4x4 cells of |d/dx| and |d/dy|
_THUMB, _BINS, _CELLS, _EDGE_SIDE = 8, 8, 4, 64
#: Length of :func:`lightness_descriptor`'s output.
DESCRIPTOR_SIZE = _THUMB**2 + _BINS + 2 * _CELLS**2
# the descriptor only looks at a 64 x 64 version: decimating first bounds its cost on scans
#: Larger images are decimated to at most this side before their descriptor is computed.
DESCRIPTOR_MAX_SIDE = 1024


def lightness_descriptor(L):
    """A global descriptor of a lightness image: layout, tones and texture.

    Parameters
    ----------
    L : array-like, shape (H, W)
        Lightness L* in [0, 100], any size (H, W >= 1).

    Returns
    -------
    ndarray of float32, shape (DESCRIPTOR_SIZE,)
        An 8x8 thumbnail of L / 100, the 8-bin histogram of L / 100 (fractions of the
        pixels), and the mean absolute horizontal and vertical Sobel responses of a 64x64
        version on a 4x4 grid of cells.

    Examples
    --------
    >>> import numpy as np
    >>> lightness_descriptor(np.full((30, 40), 50.0)).shape
    (104,)
    """
    L = _decimated(L)
    return _lightness_features(L, _small(L))


def descriptor_step(shape):
    """The step of the decimation the descriptors start with.

    Every ``step``-th pixel of every ``step``-th row, so that the longer side is at most
    :data:`DESCRIPTOR_MAX_SIDE`: a descriptor of ``image[::step, ::step]``'s lightness is
    the descriptor of the whole image's, and costs only that copy.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W, ...)`` of the image.

    Returns
    -------
    int
        At least 1.
    """
    return max(1, -(-max(shape[:2]) // DESCRIPTOR_MAX_SIDE))


def _decimated(L):
    """L / 100 as float32, decimated to at most DESCRIPTOR_MAX_SIDE (checked 2-D)."""
    L = np.asarray(L, dtype=np.float32)
    if L.ndim != 2 or L.size == 0:
        raise ValueError(f"L must be a non-empty 2-D lightness image; got shape {L.shape}")
    step = descriptor_step(L.shape)
    return L[::step, ::step] / np.float32(100)


def _small(L):
    """The 64 x 64 version of a decimated L / 100 that both descriptors look at:
    ``skimage.transform.resize(L, (64, 64), anti_aliasing=True)``, to rounding."""
    # resize is linear and separable, so it is a 64 x H matrix on the left and a W x 64
    # one on the right: two matrix products take 1.5 ms where its Gaussian anti-aliasing
    # filter takes 55 ms on a megapixel, on every photo a colorizer sees. One BLAS
    # thread: threads that spin on after the product would slow the caller's own.
    with _blas_controller().limit(limits=1, user_api="blas"):
        small = _resize_operator(L.shape[0]) @ L @ _resize_operator(L.shape[1]).T
    return np.clip(small, L.min(), L.max())  # as resize clips to the input's range


@functools.lru_cache(maxsize=64)
def _resize_operator(n):
    """The (64, n) float32 matrix of resize's anti-aliased shrinking of n samples to 64,
    read-only (built by resizing the identity: once per length, 30 ms for 1024)."""
    eye = np.eye(n, dtype=np.float32)
    op = resize(eye, (_EDGE_SIDE, n), anti_aliasing=True, clip=False).astype(np.float32)
    op.setflags(write=False)
    return op


@functools.cache
def _blas_controller():
    # made once: threadpool_limits() looks for the loaded libraries on every call
    return ThreadpoolController()


def _lightness_features(L, small):
    """:func:`lightness_descriptor` of a decimated L / 100 and its 64 x 64 version."""
    # the thumbnail from the 64 x 64 version: straight from a megapixel, the anti-aliasing
    # filter is 8 times wider and takes 0.3 s
    thumb = resize(small, (_THUMB, _THUMB), anti_aliasing=True).ravel()
    hist = np.histogram(L, bins=_BINS, range=(0, 1))[0] / L.size
    cell = _EDGE_SIDE // _CELLS
    pooled = [np.abs(ndimage.sobel(small, axis)).reshape(_CELLS, cell, _CELLS, cell)
              .mean(axis=(1, 3)).ravel() for axis in (1, 0)]
    return np.concatenate([thumb, hist, *pooled]).astype(np.float32)


# Gabor energies: 4 scales (cycles per pixel of the 64 x 64 version) x 6 orientations
_GABOR_FREQUENCIES, _GABOR_ORIENTATIONS = (0.25, 0.125, 0.0625, 0.03125), 6
#: Length of :func:`gabor_descriptor`'s output.
GABOR_DESCRIPTOR_SIZE = len(_GABOR_FREQUENCIES) * _GABOR_ORIENTATIONS * _CELLS**2


@functools.cache
def _gabor_kernels():
    from skimage.filters import gabor_kernel

    return [gabor_kernel(f, theta=i * np.pi / _GABOR_ORIENTATIONS, bandwidth=1)
            .astype(np.complex64) for f in _GABOR_FREQUENCIES
            for i in range(_GABOR_ORIENTATIONS)]


def gabor_descriptor(L):
    """The GIST of a lightness image: its Gabor energies, scale by scale and orientation by
    orientation, on a coarse grid (Oliva & Torralba 2001).

    Parameters
    ----------
    L : array-like, shape (H, W)
        Lightness L* in [0, 100], any size (H, W >= 1).

    Returns
    -------
    ndarray of float32, shape (GABOR_DESCRIPTOR_SIZE,)
        The mean modulus of the response to each of 24 complex Gabor filters (4
        frequencies, 0.25 to 0.03125 cycles per pixel, x 6 orientations;
        ``skimage.filters.gabor_kernel``, bandwidth 1) of a 64x64 version of L / 100
        less its mean, on a 4x4 grid of cells: filter by filter, cells in row order.

    Raises
    ------
    ValueError
        ``L`` is not a non-empty 2-D array.

    References
    ----------
    Oliva, A. & Torralba, A. (2001). Modeling the shape of the scene: a holistic
    representation of the spatial envelope. IJCV 42(3), 145-175.

    Examples
    --------
    >>> import numpy as np
    >>> gabor_descriptor(np.full((30, 40), 50.0)).shape
    (384,)
    """
    return _gabor_features(_small(_decimated(L)))


def _gabor_features(small):
    """:func:`gabor_descriptor` of the 64 x 64 version of L / 100."""
    from scipy.signal import fftconvolve

    small = small.astype(np.float32)
    small -= small.mean()
    cell = _EDGE_SIDE // _CELLS
    return np.concatenate([
        np.abs(fftconvolve(small, kernel, mode="same"))
        .reshape(_CELLS, cell, _CELLS, cell).mean(axis=(1, 3)).ravel()
        for kernel in _gabor_kernels()]).astype(np.float32)


#: Length of :func:`kind_descriptor`'s output.
KIND_DESCRIPTOR_SIZE = DESCRIPTOR_SIZE + GABOR_DESCRIPTOR_SIZE


def kind_descriptor(L):
    """What tells one kind of photo from another (landscape, city, portrait, object) in its
    gray version: :func:`lightness_descriptor` and :func:`gabor_descriptor`, one vector.

    Parameters
    ----------
    L : array-like, shape (H, W)
        Lightness L* in [0, 100], any size (H, W >= 1).

    Returns
    -------
    ndarray of float32, shape (KIND_DESCRIPTOR_SIZE,)
        The two descriptors, in that order (488 values), from one 64x64 version of L.

    Raises
    ------
    ValueError
        ``L`` is not a non-empty 2-D array.
    """
    L = _decimated(L)
    small = _small(L)  # once, for both
    return np.concatenate([_lightness_features(L, small), _gabor_features(small)])


def fit_photo_regressor(descriptors, targets, *, n_neighbors=15, n_components=16):
    """Learn to guess something of a photo (its palette) from the descriptor of its gray version.

    Standardized descriptors are projected on their first principal components, and a
    photo's guess is the distance-weighted mean of the targets of its ``n_neighbors``
    nearest training photos in that space. The neighbours are stored in the model: keep
    their number bounded (:func:`reference_photos`); with 16 components and 25 targets,
    2000 photos take about 330 KB.

    Parameters
    ----------
    descriptors : ndarray of float32, shape (n_photos, DESCRIPTOR_SIZE)
        :func:`lightness_descriptor` of each training photo.
    targets : ndarray of float32, shape (n_photos, n_targets)
        What to guess of each photo: its distribution over the codebook, say.
    n_neighbors, n_components : int
        Capped by the number of photos.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; ``predict`` maps descriptors (n, DESCRIPTOR_SIZE) to guesses (n, n_targets).
        :meth:`NeighborsRegressor.from_pipeline` makes its plain form.
    """
    # imported here, as fitting needs them: predicting with the plain form does not
    from sklearn.decomposition import PCA
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n = len(descriptors)
    # PCA needs two photos to find a direction; with one, every guess is that photo's
    project = [PCA(n_components=min(n_components, n, DESCRIPTOR_SIZE), svd_solver="full")] \
        if n > 1 else []
    return make_pipeline(
        StandardScaler(), *project,
        KNeighborsRegressor(n_neighbors=max(1, min(n_neighbors, n)), weights="distance"),
    ).fit(descriptors, targets)


class NeighborsRegressor:
    """The plain form of :func:`fit_photo_regressor`'s model: its arrays, no scikit-learn.

    Predicts as the pipeline it is taken from (to within float rounding): descriptors are
    standardized, projected on the principal components, and each guess is the mean of the
    targets of the ``n_neighbors`` nearest stored photos, weighted by inverse distance
    (a photo at distance 0 takes all the weight), as ``KNeighborsRegressor`` with
    ``weights="distance"`` does. A colorizer's inference form (:mod:`nncolor.inference`)
    holds it, so that loading one does not import scikit-learn.

    Parameters
    ----------
    mean, scale : ndarray of float64, shape (DESCRIPTOR_SIZE,)
        The standardization (``StandardScaler``'s ``mean_`` and ``scale_``).
    components : ndarray, shape (n_components, DESCRIPTOR_SIZE), or None
        The principal axes (``PCA.components_``); None: no projection (one photo).
    center : ndarray, shape (DESCRIPTOR_SIZE,), or None
        The mean the projection removes (``PCA.mean_``).
    points : ndarray, shape (n_photos, n_components)
        The stored photos, standardized and projected.
    targets : ndarray, shape (n_photos, n_targets)
        What each stored photo is known to have.
    n_neighbors : int
        How many stored photos vote.
    """

    def __init__(self, mean, scale, components, center, points, targets, n_neighbors):
        self.mean = np.asarray(mean)
        self.scale = np.asarray(scale)
        self.components = None if components is None else np.asarray(components)
        self.center = None if center is None else np.asarray(center)
        self.points = np.asarray(points)
        self.targets = np.asarray(targets).reshape(len(self.points), -1)
        self.n_neighbors = int(n_neighbors)

    @classmethod
    def from_pipeline(cls, pipeline):
        """The plain form of a fitted :func:`fit_photo_regressor` pipeline."""
        scaler, knn = pipeline[0], pipeline[-1]
        pca = pipeline[1] if len(pipeline) == 3 else None
        # the neighbours' coordinates and targets are the estimator's own (private) arrays:
        # tests compare the two forms' guesses, so a change of layout fails loudly there
        return cls(scaler.mean_, scaler.scale_, None if pca is None else pca.components_,
                   None if pca is None else pca.mean_, knn._fit_X, knn._y, knn.n_neighbors)

    def transform(self, X):
        """Descriptors (n, DESCRIPTOR_SIZE) standardized and projected: (n, n_components)."""
        X = ((np.asarray(X) - self.mean) / self.scale).astype(np.float32)
        if self.components is None:
            return X
        return X @ self.components.T - self.center @ self.components.T

    def predict(self, X):
        """Guesses (n, n_targets) for descriptors (n, DESCRIPTOR_SIZE), float64."""
        Z = np.asarray(self.transform(X), dtype=np.float64)
        dist = np.sqrt(((Z[:, None, :] - self.points.astype(np.float64)[None]) ** 2).sum(-1))
        k = min(self.n_neighbors, len(self.points))
        ind = np.argsort(dist, axis=1, kind="stable")[:, :k]
        dist = np.take_along_axis(dist, ind, axis=1)
        with np.errstate(divide="ignore"):
            weights = 1.0 / dist
        exact = np.isinf(weights)
        weights[exact.any(axis=1)] = exact[exact.any(axis=1)]
        num = (weights[..., None] * self.targets[ind].astype(np.float64)).sum(axis=1)
        return num / weights.sum(axis=1, keepdims=True)


def reference_photos(n_photos, max_photos=2000, random_state=None):
    """Indices (sorted) of at most ``max_photos`` of ``n_photos`` training photos, drawn at
    random: the neighbours :func:`fit_photo_regressor` keeps."""
    from sklearn.utils import check_random_state

    if n_photos <= max_photos:
        return np.arange(n_photos)
    return np.sort(check_random_state(random_state).choice(n_photos, max_photos, replace=False))


def leave_one_out_predict(regressor, targets, descriptors, positions):
    """What :func:`fit_photo_regressor`'s model guesses for training photos, each without
    itself among its neighbours.

    Parameters
    ----------
    regressor : fitted Pipeline from :func:`fit_photo_regressor`
    targets : ndarray, shape (n_fitted, n_targets)
        The targets it was fitted on.
    descriptors : ndarray, shape (n, DESCRIPTOR_SIZE)
        Photos to guess for.
    positions : ndarray of int, shape (n,)
        Each photo's row among the fitted ones, or -1 for a photo it was not fitted on.

    Returns
    -------
    ndarray of float32, shape (n, n_targets)
    """
    knn = regressor[-1]
    k = knn.n_neighbors
    dist, ind = knn.kneighbors(regressor[:-1].transform(descriptors),
                               n_neighbors=min(k + 1, knn.n_samples_fit_))
    # drop each photo itself (else its first k neighbours stay); float rounding puts it a
    # hair away from distance 0, so it is known by position, not by distance
    itself = ind == np.asarray(positions)[:, None]
    order = np.argsort(itself, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(dist, order, axis=1)
    ind = np.take_along_axis(ind, order, axis=1)
    weights = 1 / np.maximum(dist, 1e-12)
    y = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
    guess = (weights[..., None] * y[ind]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    return guess.astype(np.float32)


def guess_palette(regressor, descriptor):
    """A photo's palette guessed from the descriptor of its gray version.

    Parameters
    ----------
    regressor : fitted Pipeline from :func:`fit_photo_regressor`, or its NeighborsRegressor
        Fitted on the training photos' codebook histograms.
    descriptor : ndarray of float32, shape (DESCRIPTOR_SIZE,)
        :func:`lightness_descriptor` of the photo.

    Returns
    -------
    ndarray of float32, shape (K,)
        Non-negative, summing to one (turn it into weights with :func:`palette_weights`).
    """
    q = np.clip(regressor.predict(descriptor[None])[0], 0, None)
    return (q / max(q.sum(), 1e-12)).astype(np.float32)


def guess_scale(regressor, descriptor, column=0):
    """A photo's chroma scale guessed from the descriptor of its gray version.

    Parameters
    ----------
    regressor : fitted Pipeline from :func:`fit_photo_regressor`, or its NeighborsRegressor
        Fitted on the training photos' :func:`least_squares_scale` factors, one column
        per decoder.
    descriptor : ndarray of float32, shape (DESCRIPTOR_SIZE,)
        :func:`lightness_descriptor` of the photo.
    column : int, default=0
        The decoder's column.

    Returns
    -------
    float
        In [0, 1].
    """
    return float(np.clip(regressor.predict(descriptor[None])[0, column], 0, 1))


def least_squares_scale(truth, decoded):
    """The factor in [0, 1] that best brings decoded chroma onto the true chroma.

    ``argmin_s |truth - s * decoded|^2``, clipped to [0, 1]: 1 where the colorizer's
    colors are right, smaller where they tend to be wrong (a shrinkage toward gray, which
    lowers the squared error of an unsure guess).

    Parameters
    ----------
    truth, decoded : ndarray, shape (n, 2)
        (u, v) of the same pixels.

    Returns
    -------
    float
    """
    den = float((decoded * decoded).sum())
    return float(np.clip((truth * decoded).sum() / den, 0, 1)) if den > 0 else 1.0


def palette_weights(palette, frequencies, strength, floor=0.02):
    """Per-color weights that shift a classifier's distributions toward a photo's palette.

    The classifier's output ``p(c | patch)`` already carries the training set's color
    frequencies ``pi(c)``; for a photo whose palette is ``q(c)`` Bayes' rule gives
    ``p(c | patch) q(c) / pi(c)`` (Saerens et al. 2002). ``strength`` tempers that
    shift, since ``q`` is itself a guess: the weights are ``(q / pi) ** strength``.

    Parameters
    ----------
    palette : ndarray, shape (K,)
        The photo's (guessed) distribution over the codebook.
    frequencies : ndarray, shape (K,)
        The training pixels' distribution over the codebook.
    strength : float >= 0
        0 leaves the distributions as they are.
    floor : float, default=0.02
        Share of a uniform distribution mixed into ``palette``, so no color is ruled out.

    Returns
    -------
    ndarray of float32, shape (K,)
        Multiply a distribution by it and re-normalize (:func:`reweight`).
    """
    q = np.clip(np.asarray(palette, dtype=np.float64), 0, None)
    q = (1 - floor) * q / max(q.sum(), 1e-12) + floor / len(q)
    pi = np.asarray(frequencies, dtype=np.float64)
    w = (q / np.maximum(pi, 1e-6)) ** strength
    return (w / w.max()).astype(np.float32)


# ------------------------------------------------------- applying guidance
def reweight(proba, *priors):
    """Distributions multiplied by each prior in turn, re-normalized after each.

    Parameters
    ----------
    proba : ndarray of float32, shape (..., K)
        Per-pixel distributions over the K codebook colors.
    *priors : ndarray of float32, shape (K,) or broadcastable to ``proba``, or None
        Non-negative weights: a global prior (K,) (:func:`palette_weights`,
        :func:`histogram_prior`) or a per-pixel one (:func:`hint_prior`). None is
        skipped.

    Returns
    -------
    ndarray of float32, shape of ``proba``
        A new array; ``proba`` itself when every prior is None.
    """
    for prior in priors:
        if prior is not None:
            proba = proba * prior
            proba /= proba.sum(axis=-1, keepdims=True)
    return proba


# --------------------------------------------------------------- reference
def histogram_prior(labels, n_colors, floor=0.02):
    """Codebook histogram of reference colors, mixed with a uniform ``floor``.

    Multiplying a pixel's distribution by this prior (then re-normalizing) is the global
    histogram transfer of Melas-Kyriazi & Han (2017, section 4.2). The floor keeps every
    color possible, so a pixel the classifier is sure about is not forced into a
    reference color.

    Parameters
    ----------
    labels : array-like of int
        Codebook labels of the reference's pixels, any shape.
    n_colors : int
        K.
    floor : float, default=0.02

    Returns
    -------
    ndarray of float32, shape (K,)

    Raises
    ------
    ValueError
        ``labels`` is empty.
    """
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        raise ValueError("the reference holds no colors")
    h = np.bincount(labels, minlength=n_colors).astype(np.float32) / labels.size
    return ((1 - floor) * h + floor / n_colors).astype(np.float32)


def reference_prior(reference, quantizer, n_colors):
    """The :func:`histogram_prior` of a reference image or of a list of RGB colors.

    Parameters
    ----------
    reference : color image, or array-like of shape (n, 3)
        An RGB(A) image in any dtype the colorizer takes, or a list of RGB colors: floats
        in [0, 1], or integers in 0-255.
    quantizer : fitted quantizer
        Maps (n, 2) chroma (u, v) to codebook labels (``predict``).
    n_colors : int
        K.

    Returns
    -------
    ndarray of float32, shape (K,)

    Raises
    ------
    ValueError
        The reference is no color image, or integer colors lie outside 0-255.
    """
    ref = np.asarray(reference)
    if ref.ndim == 2 and ref.shape[1] == 3:  # n x 3 colors: one 1-pixel-high image
        ref = ref[None]
        if np.issubdtype(ref.dtype, np.integer) and ref.dtype not in (np.uint8, np.uint16):
            # a color list typed as Python ints means 0-255
            if ref.min() < 0 or ref.max() > 255:
                raise ValueError("reference colors given as integers must be in 0-255")
            ref = ref.astype(np.uint8)
    pixels, _ = check_images(ref, require_color=True)[0]
    chroma = rgb2luv(pixels)[..., 1:].reshape(-1, 2)
    return histogram_prior(quantizer.predict(chroma), n_colors)


# ------------------------------------------------------------------- hints
def hint_labels(hints, quantizer, shape=None, *, name="hints"):
    """Codebook labels of the pixels an RGBA hint image marks.

    Parameters
    ----------
    hints : RGBA image, array-like of shape (H, W, 4)
        Any dtype the colorizer takes; pixels with alpha > 0.5 are hinted with their RGB.
    quantizer : fitted quantizer
        Maps (n, 2) chroma (u, v) to codebook labels (``predict``).
    shape : tuple of 2 int, optional
        ``(H, W)`` of the image the hints are for.
    name : str
        How the hints are called in error messages.

    Returns
    -------
    ndarray of intp, shape (H, W)
        The hinted codebook color of each pixel, -1 where there is no hint.

    Raises
    ------
    ValueError
        ``hints`` is no RGBA image, or its size differs from ``shape``.
    """
    rgb, alpha = check_image(hints, name=name)
    if alpha is None or rgb.ndim != 3:
        raise ValueError(f"{name} must be an RGBA image whose alpha marks the hinted pixels")
    if shape is not None and rgb.shape[:2] != tuple(shape[:2]):
        raise ValueError(f"{name} have shape {rgb.shape[:2]}, the image {tuple(shape[:2])}")
    clamp = np.full(rgb.shape[:2], -1, dtype=np.intp)
    marked = alpha > 0.5
    if marked.any():
        clamp[marked] = quantizer.predict(rgb2luv(rgb[marked])[:, 1:])
    return clamp


def hint_prior(L, clamp, n_colors, scale=30.0, strength=50.0, edge=0.25):
    """Per-pixel multiplicative prior over the codebook from hinted pixels.

    A hint raises the probability of its codebook color at pixels that a cheap path joins
    to it, where a path's cost is its length plus the lightness edges it crosses: the
    geodesic distance of scikit-image's ``MCP_Geometric`` over the cost image
    ``1 + |grad L| / edge``. The prior multiplies the classifier's distribution
    (Melas-Kyriazi & Han's "unary x histogram" rule, made local), so a hint recolors its
    own region and fades across edges and with distance, while confident pixels elsewhere
    keep their colors. (A Potts mean field started from a uniform field does not diffuse
    one clamped pixel: it orders spontaneously into whatever color the coupling favours;
    we measured that.)

    Parameters
    ----------
    L : ndarray, shape (H, W)
        Lightness L* in [0, 100].
    clamp : ndarray of int, shape (H, W)
        Hinted codebook color per pixel, -1 where there is no hint (:func:`hint_labels`).
    n_colors : int
    scale : float
        Geodesic distance (in pixels of flat image) over which a hint's effect falls by e.
    strength : float
        How many times likelier a hint's color becomes right at the hint.
    edge : float
        Lightness step (L* units, through the Sobel gradient) that costs as much as one
        extra pixel of distance: smaller keeps hints more strictly inside their region.

    Returns
    -------
    prior : ndarray of float32, shape (H, W, n_colors), ones where no hint reaches.
    """
    prior = np.ones(L.shape + (n_colors,), dtype=np.float32)
    cost = 1.0 + sobel(np.asarray(L, np.float64)) / edge
    for label in np.unique(clamp[clamp >= 0]):
        starts = np.argwhere(clamp == label)
        dist, _ = MCP_Geometric(cost).find_costs(starts)
        prior[..., label] += strength * np.exp(-dist / scale).astype(np.float32)
    return prior


def clamp_hints(proba, clamp):
    """Distributions with each hinted pixel's set to its hint's color (in place).

    Parameters
    ----------
    proba : ndarray of float32, shape (n, K)
        Distributions of n pixels.
    clamp : ndarray of int, shape (n,), or None
        Hinted codebook color per pixel, -1 where free; None leaves ``proba`` as it is.

    Returns
    -------
    ndarray, ``proba``
    """
    if clamp is not None:
        hinted = np.flatnonzero(clamp >= 0)
        proba[hinted] = 0
        proba[hinted, clamp[hinted]] = 1
    return proba
