"""A convolutional classifier of whole lightness images, for the colorizer's classifier slot.

:class:`CNNClassifier` learns, from lightness images ``L`` (H x W, L* in [0, 100]) and their
codebook label maps (H x W ints), the per-pixel probability of every codebook color, at
full resolution for any H, W (inputs are padded to a multiple of the network's stride and
the output is cropped back). Two architectures:

* ``"simple"``: the first model of Avery & Amin (2018, section 4.2), a plain stack of 3x3
  convolutions with three stride-2 downsamplings, widths ``width, 2 width, 4 width, 8 width`` (the
  paper's 64 ... 512 is ``width=64``), then three 2x upsamplings back to full resolution
  and a softmax over the codebook instead of the paper's tanh regression.
* ``"fusion"``: Iizuka, Simo-Serra & Ishikawa (2016): shared low-level features, a
  mid-level branch at 1/4 resolution, a global branch on a fixed-size resize of the input (``global_size``)
  ending in a vector, and the fusion layer (the global vector tiled over the mid-level
  map, concatenated, a 1x1 convolution), then the upsampling colorization network.

torch is an optional dependency (``pip install 'nncolor[cnn]'``); it is imported only when a
network is built, so ``import nncolor`` works without it.
"""
import contextlib
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .mlp import softmax

# labels of padded pixels: the loss skips them
_IGNORE = -1


def require_torch():
    """Import torch, or raise an ImportError that says how to install it."""
    try:
        import torch
    except ImportError as exc:  # also raised when sys.modules["torch"] is None
        raise ImportError(
            "the CNN backend needs PyTorch, which is not installed: "
            "pip install 'nncolor[cnn]'"
        ) from exc
    return torch


# ------------------------------------------------------------------ networks
def _conv(nn, c_in, c_out, stride=1):
    # padding 1 keeps H, W (or halves them exactly with stride 2 on even sizes)
    return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.ReLU(inplace=True)]


def _up(nn, c_in, c_out):
    return [nn.Upsample(scale_factor=2, mode="nearest"), *_conv(nn, c_in, c_out)]


def _simple_net(torch, n_classes, width, depth):
    """Avery & Amin's (2018) conv stack; stride 8."""
    nn = torch.nn
    w = width
    layers = [*_conv(nn, 1, w), *_conv(nn, w, w, 2), *_conv(nn, w, 2 * w),
              *_conv(nn, 2 * w, 2 * w, 2), *_conv(nn, 2 * w, 4 * w),
              *_conv(nn, 4 * w, 4 * w, 2)]
    layers += _conv(nn, 4 * w, 8 * w)
    for _ in range(depth - 1):
        layers += _conv(nn, 8 * w, 8 * w)
    layers += [*_up(nn, 8 * w, 4 * w), *_up(nn, 4 * w, 2 * w), *_up(nn, 2 * w, w),
               *_conv(nn, w, max(1, w // 2)), nn.Conv2d(max(1, w // 2), n_classes, 1)]
    net = nn.Sequential(*layers)
    net.stride = 8
    return net


def _fusion_net(torch, n_classes, width, depth, global_size):
    """Iizuka et al.'s low-level / mid-level / global / fusion network; stride 4."""
    nn = torch.nn
    F = torch.nn.functional
    w = width

    class Fusion(nn.Module):
        stride = 4

        def __init__(self):
            super().__init__()
            # shared by both paths, as in the paper (same weights on the resized input)
            self.low = nn.Sequential(*_conv(nn, 1, w, 2), *_conv(nn, w, 2 * w),
                                     *_conv(nn, 2 * w, 2 * w, 2), *_conv(nn, 2 * w, 4 * w))
            mid = []
            for _ in range(depth):
                mid += _conv(nn, 4 * w, 4 * w)
            self.mid = nn.Sequential(*mid)
            side = global_size // 16  # low (/4), then two stride-2 convs
            self.glob = nn.Sequential(*_conv(nn, 4 * w, 4 * w, 2), *_conv(nn, 4 * w, 4 * w, 2),
                                      nn.Flatten(), nn.Linear(4 * w * side * side, 8 * w),
                                      nn.ReLU(inplace=True), nn.Linear(8 * w, 4 * w),
                                      nn.ReLU(inplace=True))
            self.fuse = nn.Sequential(nn.Conv2d(8 * w, 4 * w, 1), nn.ReLU(inplace=True))
            self.color = nn.Sequential(*_conv(nn, 4 * w, 2 * w), *_up(nn, 2 * w, w),
                                       *_up(nn, w, max(1, w // 2)),
                                       nn.Conv2d(max(1, w // 2), n_classes, 1))

        def forward(self, x):
            small = F.interpolate(x, size=(global_size, global_size), mode="bilinear",
                                  align_corners=False)
            g = self.glob(self.low(small))
            m = self.mid(self.low(x))
            g = g[:, :, None, None].expand(-1, -1, m.shape[2], m.shape[3])
            return self.color(self.fuse(torch.cat([m, g], dim=1)))

    return Fusion()


# ----------------------------------------------------------------- estimator
class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Per-pixel codebook classifier of whole lightness images, a small CNN in PyTorch.

    ``fit(X, y)`` takes lightness images and label maps (not patch rows): the colorizer
    hands it whole images when its classifier is a CNN (:class:`nncolor.SOMColorizer`).

    Parameters
    ----------
    architecture : {"simple", "fusion"}, default="simple"
        Avery & Amin's (2018) conv stack, or Iizuka et al.'s fusion network (module docstring).
    width : int, default=8
        Channels of the first layer; deeper layers have 2, 4 or 8 times as many.
    depth : int, default=1
        Convolutions at the bottleneck ("simple") or in the mid-level branch ("fusion").
    global_size : int, default=64
        Side of the resized input of the fusion network's global branch (multiple of 16).
    epochs : int, default=10
        Passes over the training images (each pass draws new random crops).
    learning_rate : float, default=1e-3
        Adam's step size.
    batch_size : int, default=8
        Crops per gradient step.
    crop_size : int, default=64
        Side of the random training crops (images smaller than that are padded, and
        padded pixels do not count in the loss).
    class_weight : {"balanced"} or None, default=None
        "balanced" weighs each codebook color's loss by the inverse of its pixel
        frequency (``n / (n_classes * count)``), so rare colors are not drowned out.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the images and stop when their pixel accuracy
        has not improved by ``tol`` for ``n_iter_no_change`` epochs; the best epoch's
        weights are kept.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=3
    tol : float, default=1e-4
    warm_start : bool, default=False
        ``fit`` continues from the current weights (for more epochs) instead of
        starting again; see also :meth:`partial_fit`.
    verbose : int, default=0
        1 prints one line per epoch (loss, validation accuracy, seconds).
    device : str, default="cpu"
        torch device to train and predict on ("cpu", "cuda", ...); the fitted weights
        are kept on the CPU either way, so a model trained on a GPU loads anywhere.
    n_threads : int, default=1
        torch CPU threads during fit and predict. One thread makes runs reproducible
        bit for bit (together with ``torch.use_deterministic_algorithms``).
    random_state : int, RandomState instance or None
        Seeds the weights, the crops and the validation split.

    Attributes
    ----------
    classes_ : ndarray of int
        Labels seen in training; ``predict_proba``'s last axis follows them.
    state_ : dict of str to ndarray
        The network's weights, as float32 NumPy arrays (what joblib stores).
    loss_curve_ : list of float
        Mean training loss of every epoch.
    validation_scores_ : list of float
        Validation pixel accuracy of every epoch (with ``early_stopping``).
    n_epochs_ : int
        Epochs trained so far.
    fit_time_ : float
        Seconds spent in the last ``fit`` or ``partial_fit``.
    """

    _parameter_constraints = {
        "architecture": [StrOptions({"simple", "fusion"})],
        "width": [Interval(Integral, 1, None, closed="left")],
        "depth": [Interval(Integral, 1, None, closed="left")],
        "global_size": [Interval(Integral, 16, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "crop_size": [Interval(Integral, 8, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, architecture="simple", *, width=8, depth=1, global_size=64, epochs=10,
        learning_rate=1e-3, batch_size=8, crop_size=64, class_weight=None,
        early_stopping=False, validation_fraction=0.1, n_iter_no_change=3, tol=1e-4,
        warm_start=False, verbose=0, device="cpu", n_threads=1, random_state=None,
    ):
        self.architecture = architecture
        self.width = width
        self.depth = depth
        self.global_size = global_size
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.crop_size = crop_size
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    # ------------------------------------------------------------ training
    def fit(self, X, y):
        """Train on lightness images ``X`` and label maps ``y`` (lists of H x W arrays).

        Returns
        -------
        self
        """
        self._validate_params()
        if self.global_size % 16:
            raise ValueError(f"global_size must be a multiple of 16, got {self.global_size}")
        warm = self.warm_start and hasattr(self, "state_")
        return self._train(X, y, self.epochs, warm=warm)

    def partial_fit(self, X, y):
        """One more epoch on ``X, y`` (the first call starts from fresh weights)."""
        self._validate_params()
        return self._train(X, y, 1, warm=hasattr(self, "state_"))

    def _train(self, X, y, n_epochs, warm):
        torch = require_torch()
        images, maps = _check_pairs(X, y)
        if not warm:
            self.classes_ = np.unique(np.concatenate([m.ravel() for m in maps]))
            for attr in ("state_", "_net", "_optim"):
                self.__dict__.pop(attr, None)
            self.loss_curve_, self.validation_scores_, self.n_epochs_ = [], [], 0
        targets = [_encode(m, self.classes_) for m in maps]
        rng = check_random_state(self.random_state if not warm else
                                 _epoch_seed(self.random_state, self.n_epochs_))
        train, val = self._split(len(images), rng)
        start = time.perf_counter()
        with _torch_context(torch, self.n_threads):
            torch.manual_seed(rng.randint(2**31))
            net = self._network(torch)
            optim = self.__dict__.get("_optim") or torch.optim.Adam(
                net.parameters(), lr=self.learning_rate)
            optim.param_groups[0]["lr"] = self.learning_rate  # a grid may change it on warm start
            loss_fn = torch.nn.CrossEntropyLoss(
                weight=self._class_weights(torch, [targets[i] for i in train]),
                ignore_index=_IGNORE)
            best, best_state, stale = -np.inf, None, 0
            for _ in range(n_epochs):
                loss = self._epoch(torch, net, optim, loss_fn, [images[i] for i in train],
                                   [targets[i] for i in train], rng)
                self.loss_curve_.append(loss)
                self.n_epochs_ += 1
                score = None
                if val is not None:
                    score = self._accuracy(torch, net, [images[i] for i in val],
                                           [targets[i] for i in val])
                    self.validation_scores_.append(score)
                self._report(loss, score, time.perf_counter() - start)
                if val is None:
                    continue
                if score > best + self.tol:
                    best, stale = score, 0
                    best_state = _to_numpy(net.state_dict())
                else:
                    stale += 1
                    if stale >= self.n_iter_no_change:
                        break
        self.state_ = best_state if best_state is not None else _to_numpy(net.state_dict())
        net.load_state_dict(_to_torch(torch, self.state_))
        self._optim = optim
        self.fit_time_ = time.perf_counter() - start
        return self

    def _split(self, n, rng):
        """Train and validation image indices (validation None without early stopping)."""
        if not self.early_stopping or n < 2:
            return np.arange(n), None
        n_val = min(n - 1, max(1, int(round(self.validation_fraction * n))))
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])

    def _class_weights(self, torch, targets):
        if self.class_weight is None:
            return None
        flat = np.concatenate([t.ravel() for t in targets])
        counts = np.bincount(flat[flat >= 0], minlength=len(self.classes_)).astype(np.float64)
        # unseen classes get the largest weight of a seen one (never infinite)
        weights = np.where(counts > 0, counts.sum() / (len(counts) * np.maximum(counts, 1)), 0)
        weights[counts == 0] = weights.max()
        return torch.as_tensor(weights, dtype=torch.float32, device=self.device)

    def _epoch(self, torch, net, optim, loss_fn, images, targets, rng):
        """One pass of random crops over the images; returns the mean loss."""
        net.train()
        order = rng.permutation(len(images))
        losses = []
        for b in range(0, len(order), self.batch_size):
            crops = [_random_crop(images[i], targets[i], self.crop_size, rng)
                     for i in order[b:b + self.batch_size]]
            x = torch.from_numpy(np.stack([c[0] for c in crops])[:, None]).to(self.device)
            t = torch.from_numpy(np.stack([c[1] for c in crops])).to(self.device)
            optim.zero_grad()
            loss = loss_fn(net(x), t)
            loss.backward()
            optim.step()
            losses.append(float(loss.detach()))
        return float(np.mean(losses))

    def _accuracy(self, torch, net, images, targets):
        hits = total = 0
        for L, t in zip(images, targets):
            pred = self._logits(torch, net, L).argmax(-1)
            hits += int(np.sum(pred == t))
            total += t.size
        return hits / total

    def _report(self, loss, score, seconds):
        if not self.verbose:
            return
        val = "" if score is None else f"  val_accuracy {score:.4f}"
        print(f"epoch {self.n_epochs_:3d}  loss {loss:.4f}{val}  {seconds:.1f}s", flush=True)

    # ----------------------------------------------------------- inference
    def predict_proba(self, X):
        """Per-pixel probabilities over ``classes_``.

        Parameters
        ----------
        X : ndarray of shape (H, W), or list of them
            Lightness L* in [0, 100].

        Returns
        -------
        ndarray of float32, shape (H, W, n_classes), or a list of them
        """
        check_is_fitted(self, "state_")
        torch = require_torch()
        single = np.ndim(X) == 2
        images = [X] if single else list(X)
        with _torch_context(torch, self.n_threads):
            net = self._network(torch)
            out = [softmax(self._logits(torch, net, _check_image(L)), np)
                   .astype(np.float32, copy=False) for L in images]
        return out[0] if single else out

    def predict(self, X):
        """Most probable label of every pixel: (H, W) ints, or a list of them."""
        proba = self.predict_proba(X)
        if isinstance(proba, np.ndarray):
            return self.classes_[proba.argmax(-1)]
        return [self.classes_[p.argmax(-1)] for p in proba]

    def score(self, X, y, sample_weight=None):
        """Pixel accuracy over all pixels of the images ``X`` against label maps ``y``."""
        pred = self.predict(X)
        pred, y = ([pred], [y]) if isinstance(pred, np.ndarray) else (pred, y)
        hits = sum(int(np.sum(p == np.asarray(t))) for p, t in zip(pred, y))
        return hits / sum(np.asarray(t).size for t in y)

    def _logits(self, torch, net, L):
        """(H, W, n_classes) float32 logits of one image: padded to the stride, cropped."""
        net.eval()
        h, w = L.shape
        s = net.stride
        padded = np.pad(_normalize(L), ((0, -h % s), (0, -w % s)), mode="reflect"
                        if min(h, w) > 1 else "edge")
        with torch.no_grad():
            z = net(torch.from_numpy(padded[None, None]).to(self.device))
        return z[0, :, :h, :w].permute(1, 2, 0).cpu().numpy()

    def _network(self, torch):
        """The torch module, built from ``state_`` on first use after fit or unpickling."""
        net = self.__dict__.get("_net")
        if net is None:
            k = len(self.classes_)
            if self.architecture == "simple":
                net = _simple_net(torch, k, self.width, self.depth)
            else:
                net = _fusion_net(torch, k, self.width, self.depth, self.global_size)
            if hasattr(self, "state_"):
                net.load_state_dict(_to_torch(torch, self.state_))
            self._net = net
        return net.to(self.device)

    def __getstate__(self):
        # torch objects stay out of the pickle: weights travel as NumPy in state_
        state = super().__getstate__()
        for attr in ("_net", "_optim"):
            state.pop(attr, None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        # it learns from whole lightness images (a list of H x W arrays), not from rows of
        # features: the colorizer feeds it L images (nncolor.colorizer.takes_images)
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags


# ------------------------------------------------------------------ helpers
@contextlib.contextmanager
def _torch_context(torch, n_threads):
    """Deterministic algorithms and a fixed thread count, restored afterwards."""
    was_det = torch.are_deterministic_algorithms_enabled()
    threads = torch.get_num_threads()
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was_det)
        torch.set_num_threads(threads)


def _epoch_seed(random_state, epoch):
    """A seed for a continued run: a function of the seed and the epochs done."""
    base = random_state if isinstance(random_state, Integral) else 0
    return (int(base) * 1_000_003 + epoch) % 2**31


def _normalize(L):
    # L* in [0, 100] to about [-0.5, 0.5]: centered inputs train faster
    return (np.asarray(L, dtype=np.float32) / np.float32(100) - np.float32(0.5))


def _check_image(L):
    L = np.asarray(L, dtype=np.float32)
    if L.ndim != 2:
        raise ValueError(f"expected a lightness image of shape (H, W), got shape {L.shape}")
    return L


def _check_pairs(X, y):
    images = [_check_image(L) for L in ([X] if np.ndim(X) == 2 else X)]
    maps = [np.asarray(m) for m in ([y] if np.ndim(y) == 2 else y)]
    if len(images) != len(maps) or any(L.shape != m.shape for L, m in zip(images, maps)):
        raise ValueError("X and y must be lists of images and label maps of the same shapes")
    return images, maps


def _encode(labels, classes):
    return np.searchsorted(classes, labels).astype(np.int64)


def _random_crop(L, t, size, rng):
    """A size x size crop of image and targets; small images padded (targets ignored)."""
    h, w = L.shape
    ph, pw = max(0, size - h), max(0, size - w)
    if ph or pw:
        L = np.pad(L, ((0, ph), (0, pw)), mode="edge")
        t = np.pad(t, ((0, ph), (0, pw)), constant_values=_IGNORE)
    r = rng.randint(L.shape[0] - size + 1)
    c = rng.randint(L.shape[1] - size + 1)
    return _normalize(L[r:r + size, c:c + size]), t[r:r + size, c:c + size]


def _to_numpy(state):
    return {k: v.detach().cpu().numpy().copy() for k, v in state.items()}


def _to_torch(torch, state):
    return {k: torch.from_numpy(np.asarray(v)) for k, v in state.items()}
