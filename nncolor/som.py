"""Color quantization with a Self-Organizing Map (MiniSom), as a scikit-learn estimator."""
import time
from numbers import Integral, Real

import numpy as np
from minisom import MiniSom
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from .nearest import VoronoiGrid, brute_force_argmin

# Errors are measured on at most this many samples (seeded): MiniSom's error functions
# compare every sample with every node, and a subsample gives the same figure to 3 digits.
_ERROR_SAMPLES = 20_000


class SOMQuantizer(BaseEstimator):
    """Quantize vectors (the (u, v) chroma of pixels) with a Self-Organizing Map.

    The map is trained by MiniSom inside :meth:`fit`; afterwards only NumPy arrays are
    kept (codebook and grid), so the fitted quantizer pickles small and labels fast.

    Parameters
    ----------
    shape : tuple of 2 int, default=(3, 3)
        Rows and columns of the map; ``rows * cols`` codebook colors (the paper used
        3x3, 5x5, 10x10 and 20x20).
    sigma : float or None, default=None
        Initial neighbourhood radius; None means ``max(shape) / 2``.
    learning_rate : float, default=0.5
        Initial learning rate of the map.
    n_iterations : int, default=10000
        Training steps (one randomly drawn sample each).
    neighborhood_function : {"gaussian", "mexican_hat", "bubble", "triangle"}
    initialization : {"pca", "random"}, default="pca"
        Start from the data's principal plane (deterministic, converges faster) or from
        random samples.
    fine_tuning_iterations : int, default=10
        Iterations of Kohonen's batch map that follow MiniSom's training (the
        "convergence phase" after the "ordering phase", Kohonen 2013), with a
        neighbourhood that shrinks geometrically from the ordering phase's final radius to
        0.1. MiniSom's radius only decays to a third of ``sigma``, so on a small map the
        neighbours keep pulling every codeword toward the data's mean: a 3x3 map of photo
        chroma loses its vivid colors. 0 skips the phase (models fitted before it existed).
    random_state : int, RandomState instance or None
        Seeds MiniSom's initialization and sample order.

    Attributes
    ----------
    cluster_centers_ : ndarray of float32, shape (K, n_features)
        The codebook, in the units of ``X``; row ``k`` is node ``grid_[k]``.
    grid_ : ndarray of int, shape (K, 2)
        Row and column of each codebook entry on the map.
    n_colors_ : int
        ``K = rows * cols``.
    quantization_error_ : float
        Mean distance from training samples to their codeword, in the map's training
        units (data centred and divided by its overall standard deviation), comparable to
        the paper's Table I.
    topographic_error_ : float
        Fraction of training samples whose two nearest codewords are not neighbours on
        the map.
    fit_time_ : float
        Seconds spent training the map.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> q = SOMQuantizer(shape=(2, 2), n_iterations=500, random_state=0).fit(X)
    >>> q.cluster_centers_.shape, q.predict(X[:3]).shape
    ((4, 2), (3,))
    """

    _parameter_constraints = {
        "shape": [tuple, list],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_iterations": [Interval(Integral, 1, None, closed="left")],
        "neighborhood_function": [StrOptions({"gaussian", "mexican_hat", "bubble", "triangle"})],
        "initialization": [StrOptions({"pca", "random"})],
        "fine_tuning_iterations": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        shape=(3, 3),
        *,
        sigma=None,
        learning_rate=0.5,
        n_iterations=10_000,
        neighborhood_function="gaussian",
        initialization="pca",
        fine_tuning_iterations=10,
        random_state=None,
    ):
        self.shape = shape
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.neighborhood_function = neighborhood_function
        self.initialization = initialization
        self.fine_tuning_iterations = fine_tuning_iterations
        self.random_state = random_state

    def __setstate__(self, state):
        # maps saved before the convergence phase existed were trained without it
        state.setdefault("fine_tuning_iterations", 0)
        super().__setstate__(state)

    def fit(self, X, y=None):
        """Train the map on ``X`` of shape (n_samples, n_features). Returns self."""
        self._validate_params()
        self._grid_index = None  # the look-up table of an earlier fit is stale
        rows, cols = _check_shape(self.shape)
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        X = X.astype(np.float32, copy=False)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        # One scale for all features keeps the metric isotropic: the nearest codeword in
        # the training space is the nearest in the data's own units.
        self._mean = X.mean(axis=0)
        self._scale = np.float32(X.std() or 1.0)
        Xs = (X - self._mean) / self._scale
        sigma = self.sigma if self.sigma is not None else max(rows, cols) / 2
        som = MiniSom(
            rows, cols, X.shape[1], sigma=sigma, learning_rate=self.learning_rate,
            neighborhood_function=self.neighborhood_function, random_seed=seed,
        )
        start = time.perf_counter()
        if self.initialization == "pca" and X.shape[1] > 1 and len(X) > 1:
            som.pca_weights_init(Xs)
        else:
            som.random_weights_init(Xs)
        som.train(Xs, self.n_iterations, random_order=True)
        weights = som.get_weights().astype(np.float32).reshape(rows * cols, -1)
        grid = np.indices((rows, cols)).reshape(2, -1).T
        if self.fine_tuning_iterations:
            # MiniSom's radius ends at sigma / 3 (its asymptotic decay at t = T)
            weights = batch_map(Xs, weights, grid, self.fine_tuning_iterations, sigma / 3)
        self.fit_time_ = time.perf_counter() - start
        self.cluster_centers_ = weights * self._scale + self._mean
        self.grid_ = grid
        self.n_colors_ = rows * cols
        sub = Xs[np.random.default_rng(seed).permutation(len(Xs))[:_ERROR_SAMPLES]]
        self.quantization_error_ = _quantization_error(sub, weights)
        self.topographic_error_ = _topographic_error(sub, weights, grid)
        return self

    def predict(self, X):
        """Index of the nearest codeword of each row of ``X`` (vectorized, chunked)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        if X.shape[1] == 2:
            return self._index().query(X)
        return brute_force_argmin(X, self.cluster_centers_)

    def fit_predict(self, X, y=None):
        """Fit, then label ``X``."""
        return self.fit(X).predict(X)

    def inverse_transform(self, labels):
        """Codebook vectors of ``labels`` (any shape): shape ``labels.shape + (n_features,)``."""
        check_is_fitted(self)
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_colors_):
            raise ValueError(f"labels must lie in [0, {self.n_colors_ - 1}]")
        return self.cluster_centers_[labels]

    def quantization_error(self, X):
        """Mean distance from rows of ``X`` to their codeword, in the map's training units."""
        labels = self.predict(X)
        X = np.asarray(X, dtype=np.float32)
        return float(np.linalg.norm(X - self.cluster_centers_[labels], axis=1).mean() / self._scale)

    def score(self, X, y=None):
        """Negative quantization error: higher is better."""
        return -self.quantization_error(X)

    def _index(self):
        # Built lazily and not pickled: it is derived state (megabytes) of cluster_centers_.
        if getattr(self, "_grid_index", None) is None:
            lo = self._mean - 4 * self._scale
            hi = self._mean + 4 * self._scale
            bounds = (lo[0], hi[0], lo[1], hi[1])
            self._grid_index = VoronoiGrid(self.cluster_centers_, bounds=bounds)
        return self._grid_index

    def __getstate__(self):
        # a copy: on Python >= 3.11 the base returns the live __dict__ itself
        state = dict(super().__getstate__())
        state.pop("_grid_index", None)
        return state


def batch_map(X, weights, grid, n_iterations, sigma_start, sigma_end=0.1):
    """Kohonen's batch map: each codeword becomes the neighbourhood-weighted mean of the data.

    One iteration labels every sample with its nearest codeword, then moves codeword
    ``k`` to ``sum_i h(k, bmu_i) x_i / sum_i h(k, bmu_i)`` with a Gaussian neighbourhood
    ``h`` on the map; the radius shrinks geometrically from ``sigma_start`` to
    ``sigma_end``. As the radius tends to zero this is Lloyd's k-means step, so the
    codebook ends close to the data's own clusters while keeping the map's order.

    Parameters
    ----------
    X : ndarray of float32, shape (n, d)
    weights : ndarray of float32, shape (K, d)
        The codebook after the ordering phase.
    grid : ndarray of int, shape (K, 2)
        Map position of each codeword.
    n_iterations : int
    sigma_start, sigma_end : float
        Neighbourhood radius, in map units, of the first and last iterations.

    Returns
    -------
    ndarray of float32, shape (K, d)

    References
    ----------
    Kohonen, T. (2013). Essentials of the self-organizing map. Neural Networks 37, 52-65.
    """
    weights = weights.copy()
    d2 = ((grid[:, None, :] - grid[None, :, :]) ** 2).sum(-1).astype(np.float32)
    for sigma in np.geomspace(max(sigma_start, sigma_end), sigma_end, n_iterations):
        h = np.exp(-d2 / np.float32(2 * sigma**2))  # (K, K), symmetric
        labels = brute_force_argmin(X, weights)
        counts = np.bincount(labels, minlength=len(weights))
        sums = np.stack([np.bincount(labels, X[:, j], minlength=len(weights))
                         for j in range(X.shape[1])], axis=1)
        den = h @ counts
        keep = den > 1e-12  # a codeword with no data near it on the map stays put
        weights[keep] = ((h @ sums)[keep] / den[keep, None]).astype(np.float32)
    return weights


def _quantization_error(X, weights):
    """Mean distance from rows of X to their nearest codeword (MiniSom's definition)."""
    return float(np.linalg.norm(X - weights[brute_force_argmin(X, weights)], axis=1).mean())


def _topographic_error(X, weights, grid):
    """Fraction of rows whose two nearest codewords are not adjacent on the map (the eight
    neighbours count as adjacent, as in MiniSom's rectangular topology)."""
    if len(X) < 2:
        return 0.0
    d = ((X[:, None, :] - weights[None]) ** 2).sum(-1)
    first, second = np.argsort(d, axis=1)[:, :2].T
    return float((np.abs(grid[first] - grid[second]).max(axis=1) > 1).mean())


def _check_shape(shape):
    if (
        len(shape) != 2
        or not all(isinstance(s, Integral) and s >= 1 for s in shape)
        or shape[0] * shape[1] < 2
    ):
        raise ValueError(f"shape must be two positive integers with at least 2 nodes; got {shape!r}")
    return int(shape[0]), int(shape[1])
