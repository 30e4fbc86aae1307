"""Model files: a fitted colorizer saved with its model card, and the model nncolor ships.

The card is a plain dict stored on the colorizer as ``model_card_`` (versions, parameters,
training data, held-out metrics). Keeping it an attribute, rather than wrapping the model
in another object, keeps every model file a plain joblib'd :class:`SOMColorizer`:
``joblib.load(path).predict(gray)`` works on it as on any other, and
:func:`load_model` reads files saved with or without a card.

Loading refuses a model made by another nncolor ``major.minor`` (the fitted attributes
may differ), a file that is not a fitted colorizer, and names the file in every message.
Model files are pickles: load only files you trust.
"""
import pickle
import time
import warnings
import zlib
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import __version__
from .colorizer import SOMColorizer

#: Where the default model lives inside the installed package.
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "default.joblib"

#: The name that means the default model wherever a model path is asked for.
DEFAULT_MODEL_NAME = "default"

CARD_FORMAT = 1

# the per-image metric columns of nncolor.metrics.evaluate summarized in a card
_METRICS = ("psnr", "rmse_uv", "accuracy", "colorfulness", "splotchiness")

# what unpickling a file that is not a model raises (text: UnpicklingError, empty: EOFError,
# other bytes: KeyError and the like; a damaged compressed stream: zlib.error or OSError)
_UNPICKLE_ERRORS = (pickle.UnpicklingError, zlib.error, EOFError, OSError, ValueError, KeyError,
                    IndexError, TypeError)


class ModelFileError(ValueError):
    """The file is not a usable nncolor model (not a pickle, not a fitted colorizer)."""


class IncompatibleModelError(ModelFileError):
    """The model was made by an nncolor version of another ``major.minor``."""


# --------------------------------------------------------------------- cards
def model_params(colorizer):
    """The settings of a colorizer as :func:`nncolor.make_colorizer` names them.

    Returns
    -------
    dict
        ``patch_size``, ``som_shape``, ``hidden_layer_sizes``, ``n_samples``,
        ``max_iter``, ``som_iterations``, ``decoder``, ``temperature``, ``random_state``;
        a setting the colorizer's steps do not have (another classifier) is left out.
        Plain Python values (tuples as lists), ready for JSON.
    """
    deep = colorizer.get_params(deep=True)
    names = {
        "patch_size": "features__patch_size", "som_shape": "quantizer__shape",
        "hidden_layer_sizes": "classifier__hidden_layer_sizes",
        "n_samples": "features__n_samples", "max_iter": "classifier__max_iter",
        "som_iterations": "quantizer__n_iterations", "decoder": "decoder",
        "temperature": "temperature", "random_state": "random_state",
    }
    return {name: _plain(deep[key]) for name, key in names.items() if key in deep}


def summarize_metrics(table):
    """Mean metrics per method of an :func:`nncolor.metrics.evaluate` table.

    Returns
    -------
    dict of str -> dict
        ``{method: {"psnr": ..., "rmse_uv": ..., ..., "n_images": n}}`` in the table's
        method order; a metric that is NaN for a method (accuracy of the baselines) is
        left out.
    """
    out = {}
    for method, rows in table.groupby("method", sort=False):
        means = rows[list(_METRICS)].mean()
        out[method] = {k: round(float(v), 4) for k, v in means.items() if np.isfinite(v)}
        out[method]["n_images"] = len(rows)
    return out


def make_card(colorizer, *, sources=None, n_photos=None, held_out=None, split=None,
              command=None, fit_seconds=None):
    """A model card for a fitted colorizer: versions, settings, data and held-out metrics.

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    sources : dict of str -> int, optional
        Where the training photos came from (folder, pattern or file as given) and how
        many photos each gave (training and held-out together).
    n_photos : int, optional
        Photos the colorizer was trained on.
    held_out : pandas.DataFrame, optional
        :func:`nncolor.metrics.evaluate` on the held-out photos; stored as means per method.
    split : dict, optional
        How the photos were split, e.g. ``{"by": "split_by_name", "test_size": 0.25,
        "seed": 0}``.
    command : str, optional
        The command that made the model.
    fit_seconds : float, optional

    Returns
    -------
    dict
        Plain Python values (JSON-ready).
    """
    import sklearn

    card = {
        "format": CARD_FORMAT,
        "nncolor_version": __version__,
        "sklearn_version": sklearn.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017 (3.10)
        "command": command,
        "params": model_params(colorizer),
        "n_colors": int(colorizer.n_colors_),
        "training_data": {
            "sources": dict(sources or {}),
            "n_photos": n_photos,
            "n_pixels": int(colorizer.n_training_pixels_),
        },
        "split": split,
        "fit_seconds": None if fit_seconds is None else round(float(fit_seconds), 1),
        "held_out": None if held_out is None else summarize_metrics(held_out),
    }
    return card


def fit_and_evaluate(colorizer, images, names, *, test_size=0.25, seed=0):
    """Fit on the training side of a split by image name and measure the held-out side.

    Parameters
    ----------
    colorizer : SOMColorizer
    images : list of color images
    names : list of str
        Unique names of the images (file names): the split hashes them
        (:func:`nncolor.datasets.split_by_name`), so a photo stays on its side whatever
        other photos are added.
    test_size : float in (0, 1), int >= 1, or 0
        0 trains on every photo and measures nothing.
    seed : int
        Seeds the split.

    Returns
    -------
    held_out : pandas.DataFrame or None
        :func:`nncolor.metrics.evaluate` on the held-out photos.
    info : dict
        ``n_photos`` (trained on), ``split`` and ``fit_seconds``, for :func:`make_card`.
    """
    from .datasets import split_by_name
    from .metrics import evaluate

    if test_size:
        train, test = split_by_name(names, test_size=test_size, seed=seed)
    else:
        train, test = np.arange(len(images)), np.arange(0)
    start = time.perf_counter()
    colorizer.fit([images[i] for i in train])
    fit_seconds = time.perf_counter() - start
    held_out = None
    if len(test):
        held_out = evaluate(colorizer, [images[i] for i in test], [names[i] for i in test])
    split = {"by": "nncolor.datasets.split_by_name", "test_size": test_size, "seed": seed,
             "n_train": len(train), "n_test": len(test)}
    return held_out, {"n_photos": len(train), "split": split, "fit_seconds": fit_seconds}


def model_card(colorizer):
    """The card stored on a colorizer, or None for one saved without a card."""
    card = getattr(colorizer, "model_card_", None)
    return card if isinstance(card, dict) else None


def check_version(card, path="model"):
    """Raise :class:`IncompatibleModelError` if the card's nncolor ``major.minor`` differs.

    Models carry fitted attributes whose layout may change between minor versions; a
    patch release keeps them.
    """
    made = str(card.get("nncolor_version", "unknown"))
    if _major_minor(made) != _major_minor(__version__):
        raise IncompatibleModelError(
            f"{path} was made by nncolor {made}; this is nncolor {__version__}, which reads "
            f"models of {'.'.join(_major_minor(__version__))}.x only: retrain it with "
            f"`nncolor train`, or use nncolor {'.'.join(_major_minor(made))}.x"
        )


def _major_minor(version):
    return tuple(version.split(".")[:2])


# ----------------------------------------------------------------- save, load
def save_model(colorizer, path, card=None, overwrite=False):
    """Save a fitted colorizer with its card, atomically (joblib, zlib-compressed).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    path : str or Path
    card : dict, optional
        Stored as ``colorizer.model_card_``; None keeps the colorizer's card, or makes a
        minimal one (versions and parameters).
    overwrite : bool, default=False
        Replace an existing file; otherwise it raises ``FileExistsError``.

    Returns
    -------
    Path
    """
    import joblib
    from sklearn.utils.validation import check_is_fitted

    from .io import atomic_path

    check_is_fitted(colorizer, "classifier_")
    colorizer.model_card_ = card if card is not None else (
        model_card(colorizer) or make_card(colorizer))
    with atomic_path(path, overwrite) as tmp:
        joblib.dump(colorizer, tmp, compress=3)
    return Path(path)


def resolve_model_path(model):
    """The file a model argument names: a path, or ``"default"`` for the shipped model."""
    if model is None or (str(model) == DEFAULT_MODEL_NAME and not Path(model).exists()):
        return DEFAULT_MODEL_PATH
    return Path(model)


def load_model(path=None, *, check=True):
    """Load a fitted colorizer saved with :func:`save_model` or ``joblib.dump``.

    Parameters
    ----------
    path : str, Path or None
        The model file; None or ``"default"`` loads the model that ships with nncolor.
    check : bool, default=True
        Refuse a model whose card names another nncolor ``major.minor``. A model without a
        card (a plain ``joblib.dump``) cannot be checked and is accepted.

    Returns
    -------
    SOMColorizer

    Raises
    ------
    FileNotFoundError
        No such file (or the default model is not installed).
    ModelFileError
        Not a joblib/pickle file, a file of an incompatible library version, not a
        colorizer, or an unfitted one.
    IncompatibleModelError
        Made by another nncolor ``major.minor`` (with ``check``).
    """
    import joblib

    path = resolve_model_path(path)
    if not path.is_file():
        if path == DEFAULT_MODEL_PATH:
            raise FileNotFoundError(
                f"the default model is not installed ({path}); reinstall nncolor, or train "
                "one with `python -m pipelines.default_model`")
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = joblib.load(path)
    except (PermissionError, IsADirectoryError):
        raise
    except (ImportError, AttributeError) as exc:  # a class or module that moved or went
        raise ModelFileError(
            f"cannot load {path}: it was saved by an nncolor or scikit-learn version that "
            f"this one cannot read ({type(exc).__name__}: {exc}); retrain it with "
            "`nncolor train`") from exc
    except _UNPICKLE_ERRORS as exc:
        raise ModelFileError(f"cannot load {path}: not an nncolor model file "
                             f"({type(exc).__name__}: {exc})") from exc
    _warn_once(caught, path)
    if not isinstance(model, SOMColorizer):
        raise ModelFileError(f"{path} holds a {type(model).__name__}, not an nncolor colorizer")
    if not hasattr(model, "classifier_"):
        raise ModelFileError(f"{path} holds a colorizer that was never fitted")
    card = model_card(model)
    if check and card is not None:
        check_version(card, path)
    return model


def _warn_once(caught, path):
    """Re-issue the warnings of unpickling, scikit-learn's one per estimator as one line."""
    from sklearn.exceptions import InconsistentVersionWarning

    versions = set()
    for w in caught:
        if issubclass(w.category, InconsistentVersionWarning):
            versions.add(w.message.original_sklearn_version)
        else:
            warnings.warn(w.message, w.category, stacklevel=3)
    if versions:
        import sklearn

        warnings.warn(f"{path} was saved with scikit-learn {', '.join(sorted(versions))}; "
                      f"this is {sklearn.__version__}: results may differ (retrain the model "
                      "if in doubt)", UserWarning, stacklevel=3)


def load_default_model():
    """The colorizer that ships with nncolor (``nncolor/models/default.joblib``).

    Trained by ``python -m pipelines.default_model``; its card (``model_card_``) says on
    what and how well it did on held-out photos.
    """
    return load_model(DEFAULT_MODEL_PATH)


def _plain(value):
    """A parameter value as JSON-ready Python: tuples as lists, numpy scalars as numbers."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
