"""Fast inference from a fitted scikit-learn ``MLPClassifier``'s weights.

``MLPClassifier.predict`` validates its input, computes a softmax and decodes labels for
every call; on a megapixel of patches that overhead more than doubles the time of the
matrix products. The colorizer calls the functions here instead, on cache-sized blocks:
same weights, same arithmetic order, so the same labels (the tests check it).
:class:`MLPWeights` holds those weights without scikit-learn, for a colorizer's inference
form (:mod:`nncolor.inference`).
"""
import numpy as np

from .device import namespace


#: ``MLPClassifier``'s hidden activations, as array-API functions ``f(xp, h)`` of the
#: namespace and the pre-activations: the CPU path calls them with NumPy, the device path
#: (:mod:`nncolor.gpu`) with CuPy's namespace.
ACTIVATIONS = {
    "relu": lambda xp, h: xp.maximum(h, 0.0),
    "tanh": lambda xp, h: xp.tanh(h),
    "logistic": lambda xp, h: 1 / (1 + xp.exp(-h)),
    "identity": lambda xp, h: h,
}


def softmax(z, xp=None):
    """Softmax over the last axis, with the largest term factored out (no overflow).

    Parameters
    ----------
    z : array, shape (..., n)
        NumPy or any array-API array of logits.
    xp : array-API namespace, optional
        Default: the namespace of ``z`` (:func:`nncolor.device.namespace`).

    Returns
    -------
    array of the dtype of ``z``, shape (..., n)
        Non-negative, summing to one over the last axis.
    """
    xp = namespace(z) if xp is None else xp
    z = xp.exp(z - xp.max(z, axis=-1, keepdims=True))
    z /= xp.sum(z, axis=-1, keepdims=True)
    return z


def class_probabilities(logits, xp=None):
    """``MLPClassifier.predict_proba`` from its output pre-activations.

    Parameters
    ----------
    logits : array, shape (..., n_classes), or (..., 1) for a binary classifier
        NumPy or any array-API array (:func:`mlp_logits`, or the device path's).
    xp : array-API namespace, optional
        Default: the namespace of ``logits``.

    Returns
    -------
    array, shape (..., n_classes)
        The softmax of the logits, or for a binary classifier's single logistic output
        ``[1 - p, p]``.
    """
    xp = namespace(logits) if xp is None else xp
    if logits.shape[-1] == 1:
        p1 = ACTIVATIONS["logistic"](xp, logits)
        return xp.concat([1 - p1, p1], axis=-1)
    return softmax(logits, xp)


def is_fast_mlp(estimator):
    """True if ``estimator`` is a fitted plain ``MLPClassifier`` we can evaluate directly,
    or the :class:`MLPWeights` of one.

    Parameters
    ----------
    estimator : object
        Any estimator (or None).

    Returns
    -------
    bool
        True for :class:`MLPWeights`, and for a fitted (``coefs_``) ``MLPClassifier`` or
        :class:`~nncolor.stepdecay.StepDecayMLPClassifier` (which trains differently and
        predicts the same); False for any other subclass, whose inference may differ.
    """
    if type(estimator) is MLPWeights:
        return True
    # imported here: a process that only colorizes with MLPWeights never loads scikit-learn
    from sklearn.neural_network import MLPClassifier

    from .stepdecay import StepDecayMLPClassifier

    return (type(estimator) in (MLPClassifier, StepDecayMLPClassifier)
            and hasattr(estimator, "coefs_"))


class MLPWeights:
    """The weights of a fitted ``MLPClassifier``: all :func:`mlp_predict_proba` needs.

    A plain object (no scikit-learn), so that a model holding it loads without importing
    scikit-learn; :func:`mlp_logits`, :func:`mlp_predict` and :func:`mlp_predict_proba`
    give the same results as on the classifier it was taken from.

    Parameters
    ----------
    coefs : list of ndarray
        Each layer's weights, shape (n_in, n_out), as ``MLPClassifier.coefs_``.
    intercepts : list of ndarray
        Each layer's biases, shape (n_out,), as ``intercepts_``.
    activation : {"relu", "tanh", "logistic", "identity"}
        The hidden layers' activation.
    classes : ndarray, shape (n_classes,)
        The class labels, as ``classes_``.

    Attributes
    ----------
    coefs_, intercepts_, activation, classes_
        As the parameters, under ``MLPClassifier``'s names; the layers as float32.
    """

    def __init__(self, coefs, intercepts, activation, classes):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got "
                             f"{activation!r}")
        self.coefs_ = [np.asarray(W, dtype=np.float32) for W in coefs]
        self.intercepts_ = [np.asarray(b, dtype=np.float32) for b in intercepts]
        self.activation = activation
        self.classes_ = np.asarray(classes)

    @classmethod
    def from_mlp(cls, mlp):
        """The weights of a classifier for which :func:`is_fast_mlp` is true.

        Raises
        ------
        ValueError
            ``mlp`` is not a fitted plain ``MLPClassifier``.
        """
        if not is_fast_mlp(mlp):
            raise ValueError(f"expected a fitted MLPClassifier; got {type(mlp).__name__}")
        return cls(mlp.coefs_, mlp.intercepts_, mlp.activation, mlp.classes_)


# Rows per forward pass: a block's activations (2048 x 50 floats, 400 KB) stay in the L2
# cache from one layer to the next. Measured on 1M x 25 patches, one thread: 2048-4096
# rows took 0.78x the time of 16384.
_ROWS = 2048


def mlp_logits(mlp, X):
    """Output-layer pre-activations of a fitted ``MLPClassifier``, float32.

    Shape (n, n_classes), or (n, 1) for a binary classifier (sklearn's logistic output).

    Parameters
    ----------
    mlp : fitted MLPClassifier
        One for which :func:`is_fast_mlp` is true.
    X : array-like, shape (n, n_features)
        Converted to float32 (the weights are used as float32 too).

    Returns
    -------
    ndarray of float32, shape (n, n_classes) or (n, 1)

    Raises
    ------
    KeyError
        ``mlp.activation`` is not one of :data:`ACTIVATIONS`.
    ValueError
        ``X`` does not have ``n_features`` columns (from the matrix product).
    """
    X = np.asarray(X, dtype=np.float32)
    layers = [(W.astype(np.float32, copy=False), b.astype(np.float32, copy=False))
              for W, b in zip(mlp.coefs_, mlp.intercepts_)]
    hidden = ACTIVATIONS[mlp.activation]
    out = np.empty((len(X), layers[-1][0].shape[1]), dtype=np.float32)
    for start in range(0, len(X), _ROWS):
        h = X[start:start + _ROWS]
        for W, b in layers[:-1]:
            h = h @ W
            h += b
            h = hidden(np, h)
        W, b = layers[-1]
        np.matmul(h, W, out=out[start:start + _ROWS])
        out[start:start + _ROWS] += b
    return out


def mlp_predict(mlp, X):
    """Class labels, as ``mlp.predict(X)``.

    Parameters
    ----------
    mlp : fitted MLPClassifier
        One for which :func:`is_fast_mlp` is true.
    X : array-like, shape (n, n_features)
        Converted to float32.

    Returns
    -------
    ndarray, shape (n,)
        Entries of ``mlp.classes_`` (its dtype): the largest logit's class, or for a
        binary classifier the second class where its logit is positive.

    Raises
    ------
    KeyError, ValueError
        As :func:`mlp_logits`.
    """
    z = mlp_logits(mlp, X)
    index = (z[:, 0] > 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)
    return mlp.classes_[index]


def mlp_predict_proba(mlp, X):
    """Class probabilities, as ``mlp.predict_proba(X)``, float32.

    Parameters
    ----------
    mlp : fitted MLPClassifier
        One for which :func:`is_fast_mlp` is true.
    X : array-like, shape (n, n_features)
        Converted to float32.

    Returns
    -------
    ndarray of float32, shape (n, n_classes)
        Columns in the order of ``mlp.classes_``; each row sums to one.

    Raises
    ------
    KeyError, ValueError
        As :func:`mlp_logits`.
    """
    return class_probabilities(mlp_logits(mlp, X), np)
