"""The colorize path on a device: every step from gray input to RGB output on the GPU.

Lightness, the patch features fused with the MLP's first layer, the rest of the forward
pass from the fitted weights, decoding and L*u*v* -> RGB, with one copy of the image in
and one of the result out. The code is array-API code (:mod:`nncolor.device`): with CuPy
arrays it runs on a GPU; the tests run it on ``array_api_strict`` arrays on the CPU and
compare it with the CPU path, which stays on NumPy, numba and BLAS because those measured
faster there.

The first layer needs no patch matrix: its pre-activation at a pixel is
``b1 + sum over offsets (di, dj) of W1[di * p + dj] * L[y + di, x + dj] / 100``, so it is
accumulated from ``p * p`` shifted views of the padded lightness, a block of rows at a
time. (A fused CUDA kernel for this sum and for the MRF update is what remains of the GPU
work; it needs a GPU to be written against and measured.)
"""
import numpy as np

from .luv import lightness, luv2rgb
from .decode import decode
from .device import to_numpy
from .guidance import reweight
from .mlp import ACTIVATIONS, class_probabilities, is_fast_mlp


def pad_index(n, r, mode):
    """Source indices of a side of n pixels padded by r (``numpy.pad`` modes, any n >= 1)."""
    return np.pad(np.arange(n), r, mode=mode)


def padded(xp, L, r, mode):
    """``L`` padded by r on every side as ``numpy.pad(L, r, mode)``, by two gathers."""
    rows = xp.asarray(pad_index(L.shape[0], r, mode))
    cols = xp.asarray(pad_index(L.shape[1], r, mode))
    return xp.take(xp.take(L, rows, axis=0), cols, axis=1)


def first_layer(xp, Lp, p, W1, b1):
    """Pre-activations (rows, W, n1) of the first layer from padded lightness rows ``Lp``
    of shape (rows + p - 1, W + p - 1): the patch product without the patches."""
    rows, width = Lp.shape[0] - p + 1, Lp.shape[1] - p + 1
    h = xp.zeros((rows, width, W1.shape[1]), dtype=xp.float32)
    h += b1
    for di in range(p):
        for dj in range(p):
            h += Lp[di:di + rows, dj:dj + width, None] * W1[di * p + dj, :]
    return h


class DeviceModel:
    """A fitted colorizer's arrays on a device, copied there once per ``predict`` call.

    Parameters
    ----------
    colorizer : SOMColorizer
        Fitted, with an ``MLPClassifier`` (or a ``StepDecayMLPClassifier``) as its
        classifier.
    xp : array-API namespace
        Where the arrays go (CuPy's for a GPU).

    Raises
    ------
    ValueError
        The colorizer's classifier is not one of those.
    """

    def __init__(self, colorizer, xp):
        mlp = colorizer.classifier_
        if not is_fast_mlp(mlp):
            raise ValueError("device='cuda' colorizes with an MLPClassifier classifier; "
                             f"this colorizer has {type(mlp).__name__}: use device='cpu'")
        self.xp = xp
        self.layers = [(xp.asarray(np.asarray(W, np.float32)), xp.asarray(np.asarray(b, np.float32)))
                       for W, b in zip(mlp.coefs_, mlp.intercepts_)]
        self.activation = ACTIVATIONS[mlp.activation]
        classes = np.asarray(mlp.classes_)
        # codebook rows of the classes the classifier knows, and a 0/1 matrix that spreads
        # their probabilities over all K codebook colors (an unseen color gets 0)
        self.codebook = xp.asarray(colorizer.codebook_[classes].astype(np.float32))
        spread = np.zeros((len(classes), colorizer.n_colors_), np.float32)
        spread[np.arange(len(classes)), classes] = 1
        self.spread = xp.asarray(spread)
        self.classes = classes
        self.patch_size = colorizer.features_.patch_size
        self.padding = colorizer.features_.padding
        self.block_pixels = colorizer.features_.chunk_pixels

    def logits(self, L):
        """Output pre-activations (H, W, n_classes) of the MLP on every pixel of ``L``."""
        xp, p = self.xp, self.patch_size
        h, w = L.shape
        Lp = padded(xp, L / 100, p // 2, self.padding)
        step = max(1, self.block_pixels // w)  # rows per block: bounded memory, as on the CPU
        (W1, b1), rest = self.layers[0], self.layers[1:]
        blocks = []
        for y in range(0, h, step):
            rows = min(step, h - y)
            z = first_layer(xp, Lp[y:y + rows + p - 1, :], p, W1, b1)
            z = xp.reshape(z, (rows * w, z.shape[-1]))
            for W, b in rest:
                z = self.activation(xp, z) @ W + b
            blocks.append(xp.reshape(z, (rows, w, z.shape[-1])))
        return xp.concat(blocks, axis=0)

    def chroma(self, L, decoder, temperature, weights=None):
        """(u, v) per pixel by ``decoder`` ("mode", "expectation" or "annealed").

        ``weights`` (K,), optional: a prior over the codebook each distribution is
        multiplied by and re-normalized (:func:`nncolor.guidance.palette_weights`).
        """
        xp = self.xp
        proba = class_probabilities(self.logits(L), xp)
        if weights is not None:
            proba = proba * xp.asarray(np.asarray(weights, np.float32)[self.classes])
            proba = proba / xp.sum(proba, axis=-1, keepdims=True)
        return decode(proba, self.codebook, decoder, temperature)

    def proba(self, L):
        """Probabilities (H, W, K) over the whole codebook."""
        return class_probabilities(self.logits(L), self.xp) @ self.spread


def colorize(model, pixels, decoder, temperature, weights=None, scale=1.0):
    """RGB (H, W, 3) of a gray or color image ``pixels`` in [0, 1], on ``model``'s device.

    ``pixels`` is moved to the device, and the result is returned there: the caller copies
    it back. ``decoder`` is "mode", "expectation" or "annealed"; ``weights`` as in
    :meth:`DeviceModel.chroma`; ``scale`` multiplies the chroma (the learned chroma scale).
    """
    xp = model.xp
    L = lightness(xp.asarray(pixels, dtype=xp.float32))
    chroma = model.chroma(L, decoder, temperature, weights) * float(scale)
    return luv2rgb(xp.concat([L[..., None], chroma], axis=-1))


def colorize_image(colorizer, model, pixels, alpha=None):
    """What ``colorizer.predict`` gives for one image, computed on ``model``'s device.

    The colorizer's stages, with the classifier and the decoder on the device: its
    :meth:`~nncolor.SOMColorizer.guidance` (from a decimated copy, on the CPU), then
    :func:`colorize` with one copy of the image in and one of the result out. The
    ``"mrf"`` decoder's smoothing runs on the CPU: the probabilities come back for it
    (:meth:`~nncolor.SOMColorizer.decode_proba`, :meth:`~nncolor.SOMColorizer.to_rgb`).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    model : DeviceModel
        The colorizer's arrays on a device.
    pixels : ndarray of float32, shape (H, W) or (H, W, 3)
        A gray or RGB image, float32 in [0, 1] (as ``predict`` checks it).
    alpha : ndarray of float32, shape (H, W), optional
        Passed through as a fourth channel.

    Returns
    -------
    ndarray of float32, shape (H, W, 3), or (H, W, 4) with ``alpha``
        RGB in [0, 1], on the host.
    """
    prior, scale = colorizer.guidance(pixels)
    if colorizer.decoder != "mrf":
        rgb = to_numpy(colorize(model, pixels, colorizer.decoder, colorizer.temperature,
                                prior, scale))
        return rgb if alpha is None else np.dstack([rgb, alpha])
    L = colorizer.color_space_.lightness(pixels)
    proba = reweight(to_numpy(model.proba(model.xp.asarray(L))), prior)
    return colorizer.to_rgb(L, colorizer.decode_proba(proba, L, scale=scale), alpha)
