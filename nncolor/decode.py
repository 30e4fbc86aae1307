"""From per-pixel codebook probabilities to chroma: mode, expectation, annealed mean.

All functions take probabilities with the codebook on the last axis, ``(..., K)``, and a
codebook ``(K, 2)`` of (u, v), and return ``(..., 2)`` float32 chroma. The three decoders
take NumPy or any array-API arrays (CuPy on a GPU: see :mod:`nncolor.device`).
"""
import numpy as np

from .defaults import DECODERS  # noqa: F401 (defined without NumPy, for the parser)
from .device import namespace


def decode_mode(proba, codebook):
    """The most probable codebook color (the paper's choice): vivid but splotchy."""
    xp = namespace(proba)
    labels = xp.argmax(proba, axis=-1)
    return xp.reshape(xp.take(codebook, xp.reshape(labels, (-1,)), axis=0),
                      labels.shape + (codebook.shape[-1],))


def decode_expectation(proba, codebook):
    """The mean chroma under the distribution: smooth but desaturated where it is unsure."""
    xp = namespace(proba)
    return xp.astype(proba @ codebook, xp.float32, copy=False)


def anneal(proba, temperature):
    """Re-normalized ``proba ** (1 / T)``: T = 1 keeps it, T -> 0 tends to the mode."""
    xp = namespace(proba)
    # in log space, and with the largest term factored out, so small T cannot overflow
    logp = xp.log(xp.maximum(proba, 1e-30)) / float(temperature)
    out = xp.exp(logp - xp.max(logp, axis=-1, keepdims=True))
    out /= xp.sum(out, axis=-1, keepdims=True)
    return out


def decode_annealed(proba, codebook, temperature=0.38):
    """The annealed mean of Zhang et al. (T = 0.38), as Larsson et al. (2016) discuss:
    the expectation of the distribution sharpened by temperature T, between the two above."""
    return decode_expectation(anneal(proba, temperature), codebook)


def decode(proba, codebook, decoder, temperature=0.38):
    """Chroma by the decoder named: ``"annealed"`` (at ``temperature``), ``"expectation"``,
    or the mode otherwise (``"mode"``; ``"mrf"`` after its smoothing)."""
    if decoder == "annealed":
        return decode_annealed(proba, codebook, temperature)
    if decoder == "expectation":
        return decode_expectation(proba, codebook)
    return decode_mode(proba, codebook)


def entropy(proba):
    """Per-pixel uncertainty: entropy of the distribution divided by log K, in [0, 1]."""
    k = proba.shape[-1]
    p = np.maximum(proba, np.float32(1e-30))
    return (-(proba * np.log(p)).sum(axis=-1) / np.float32(np.log(k))).astype(np.float32)


def sample_labels(proba, rng):
    """One codebook label per pixel drawn from its distribution (inverse CDF, vectorized)."""
    cdf = np.cumsum(proba, axis=-1)
    u = rng.random(proba.shape[:-1] + (1,), dtype=np.float32) * cdf[..., -1:]
    # <=: a draw of exactly 0 must not pick a leading color of probability 0
    return np.minimum((cdf <= u).sum(axis=-1), proba.shape[-1] - 1)


def histogram_prior(labels, n_colors, floor=0.02):
    """Codebook histogram of reference colors, mixed with a uniform ``floor``.

    Multiplying a pixel's distribution by this prior (then re-normalizing) is the global
    histogram transfer of Melas-Kyriazi & Han (2017, section 4.2). The floor keeps every
    color possible, so a pixel the classifier is sure about is not forced into a reference color.
    """
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        raise ValueError("the reference holds no colors")
    h = np.bincount(labels, minlength=n_colors).astype(np.float32) / labels.size
    return ((1 - floor) * h + floor / n_colors).astype(np.float32)


def reweight(proba, prior):
    """``proba * prior`` re-normalized over the last axis."""
    out = proba * prior
    out /= out.sum(axis=-1, keepdims=True)
    return out
