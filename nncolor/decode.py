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


#: The decoders :func:`decode` knows, by name. (The colorizer's ``"mrf"`` decoder smooths
#: the distributions first, then decodes them by one of these: ``PottsMRF.decode``.)
PROBABILITY_DECODERS = {
    "mode": decode_mode,
    "expectation": decode_expectation,
    "annealed": decode_annealed,
}


def decode(proba, codebook, decoder, temperature=0.38):
    """Chroma of distributions by the decoder named.

    Parameters
    ----------
    proba : array, shape (..., K)
        Distributions over the K codebook colors (NumPy or any array-API array).
    codebook : array, shape (K, 2)
        (u, v) of each codebook color, in the namespace of ``proba``.
    decoder : {"mode", "expectation", "annealed"}
        See :data:`PROBABILITY_DECODERS`.
    temperature : float, default=0.38
        Temperature of ``"annealed"``; the others ignore it.

    Returns
    -------
    array of float32, shape (..., 2)

    Raises
    ------
    ValueError
        ``decoder`` is none of the names above.
    """
    if decoder not in PROBABILITY_DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}: decode() takes "
                         f"{', '.join(map(repr, PROBABILITY_DECODERS))} (the colorizer's "
                         "'mrf' smooths the distributions first, then decodes them by one of "
                         "these)")
    if decoder == "annealed":
        return decode_annealed(proba, codebook, temperature)
    return PROBABILITY_DECODERS[decoder](proba, codebook)


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
