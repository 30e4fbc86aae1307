"""The model card: what a fitted colorizer says about itself.

A card is a plain dict (JSON-ready) stored on the colorizer as ``model_card_``: the
nncolor and scikit-learn versions that made it, its settings, its training data and its
held-out metrics (:func:`nncolor.evaluation.summarize_metrics`). Keeping it an attribute,
rather than wrapping the model in another object, keeps every model file a plain
:class:`~nncolor.SOMColorizer` (:mod:`nncolor.model_file` saves and loads it).
"""
from datetime import datetime, timezone

import numpy as np

from . import __version__
from .evaluation import summarize_metrics

#: The layout of a card; a reader that meets a higher number may miss new keys.
CARD_FORMAT = 1


def model_params(colorizer):
    """The settings of a colorizer as :func:`nncolor.make_colorizer` names them.

    Returns
    -------
    dict
        ``patch_size``, ``som_shape``, ``hidden_layer_sizes``, ``n_samples``,
        ``max_iter``, ``som_iterations``, ``decoder``, ``temperature``, ``global_prior``,
        ``chroma_shrinkage``, ``face_prior``, ``face_feather``, ``face_size``,
        ``working_size``,
        ``random_state``;
        a setting the colorizer's steps do not have (another classifier) is left out.
        Plain Python values (tuples as lists), ready for JSON.
    """
    deep = colorizer.get_params(deep=True)
    names = {
        "patch_size": "features__patch_size", "som_shape": "quantizer__shape",
        "hidden_layer_sizes": "classifier__hidden_layer_sizes",
        "n_samples": "features__n_samples", "max_iter": "classifier__max_iter",
        "som_iterations": "quantizer__n_iterations", "decoder": "decoder",
        "temperature": "temperature", "global_prior": "global_prior",
        "chroma_shrinkage": "chroma_shrinkage", "face_prior": "face_prior",
        "face_feather": "face_feather", "face_size": "face_size",
        "working_size": "working_size",
        "random_state": "random_state",
    }
    return {name: _plain(deep[key]) for name, key in names.items() if key in deep}


def make_card(colorizer, *, sources=None, n_photos=None, held_out=None, split=None,
              command=None, fit_seconds=None):
    """A model card for a fitted colorizer: versions, settings, data and held-out metrics.

    Parameters
    ----------
    colorizer : fitted SOMColorizer or MixtureOfExperts
        A mixture's card has no codebook size or pixel count (None), names its experts
        (``experts``: kind -> model name, or the expert's class) and records when each
        named expert was made (``experts_created``: kind -> its card's ``created``).
    sources : dict of str -> int, optional
        Where the training photos came from (folder, pattern or file as given) and how
        many photos each gave (training and held-out together).
    n_photos : int, optional
        Photos the colorizer was trained on.
    held_out : pandas.DataFrame, optional
        :func:`nncolor.evaluation.evaluate` on the held-out photos; stored as means per
        method, and per folder when it has a ``folder`` column (:func:`held_out_figures`).
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
        # a mixture of models (nncolor.mixture) has neither: None
        "n_colors": _int_or_none(getattr(colorizer, "n_colors_", None)),
        "training_data": {
            "sources": dict(sources or {}),
            # a mixture counts the photos its gate was fitted on
            "n_photos": n_photos if n_photos is not None else
            _int_or_none(getattr(colorizer, "n_training_photos_", None)),
            "n_pixels": _int_or_none(getattr(colorizer, "n_training_pixels_", None)),
        },
        "split": split,
        "fit_seconds": None if fit_seconds is None else round(float(fit_seconds), 1),
        "held_out": None,
    }
    experts = getattr(colorizer, "experts", None)
    if experts is not None:  # a mixture of models (nncolor.mixture): kind -> expert
        card["experts"] = {str(kind): expert if isinstance(expert, str) else
                           type(expert).__name__ for kind, expert in experts}
        # when each named expert's file was made: the held-out figures hold for those
        card["experts_created"] = {
            str(kind): (model_card(colorizer.expert(kind)) or {}).get("created")
            for kind, expert in experts if isinstance(expert, str)}
    if held_out is not None:
        card.update(held_out_figures(held_out))
    return card


def held_out_figures(held_out):
    """The figures a model card keeps of a held-out table: means per method, and per
    folder when the table has a ``folder`` column.

    Parameters
    ----------
    held_out : pandas.DataFrame
        :func:`nncolor.evaluation.evaluate`'s table, or
        :func:`nncolor.training.measure_held_out`'s (with a ``folder`` column).

    Returns
    -------
    dict
        ``{"held_out": ..., "held_out_by_folder": ...}`` (the second only with folders),
        plain values (:func:`nncolor.evaluation.summarize_metrics`), to update a card with.
    """
    figures = {"held_out": summarize_metrics(held_out)}
    if "folder" in held_out.columns:
        figures["held_out_by_folder"] = {
            folder: summarize_metrics(rows)
            for folder, rows in held_out.groupby("folder", sort=False)}
    return figures


def model_card(colorizer):
    """The card stored on a colorizer, or None for one saved without a card.

    Parameters
    ----------
    colorizer : SOMColorizer
        Any object; its ``model_card_`` attribute is read if present.

    Returns
    -------
    dict or None
        ``colorizer.model_card_`` (as :func:`make_card` made it) when it is a dict, else
        None. The stored dict itself, not a copy.
    """
    card = getattr(colorizer, "model_card_", None)
    return card if isinstance(card, dict) else None


def _int_or_none(value):
    return None if value is None else int(value)


def _plain(value):
    """A parameter value as JSON-ready Python: tuples as lists, numpy scalars as numbers."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
