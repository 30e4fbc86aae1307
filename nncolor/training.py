"""Training a colorizer the way nncolor's shipped models and ``nncolor train`` are made:
fit on one side of a split by file name, measure the other side against the baselines,
and write the model card.

:func:`train_and_evaluate` is the whole workflow (the command line's ``train`` and
``python -m pipelines.default_model`` both call it); :func:`fit_and_evaluate` is its
first half, without the card; :func:`measure_held_out` measures a fitted model again on
the held-out side of the same split (:func:`nncolor.card.held_out_figures` turns that into
the card's figures).
"""
import sys
import time
import warnings
from typing import NamedTuple

import numpy as np

from .card import make_card
from .datasets import evenly_spaced, split_by_name
from .evaluation import WeakModelWarning, evaluate, verdict
from .progress import fit_progress


class TrainedModel(NamedTuple):
    """What :func:`train_and_evaluate` returns."""

    #: The fitted colorizer (the one passed in), its card stored as ``model_card_``.
    model: object
    #: The model card (:func:`nncolor.card.make_card`), JSON-ready.
    card: dict
    #: :func:`nncolor.evaluation.evaluate` on the held-out photos (a ``folder`` column
    #: when trained per folder), or None when nothing was held out.
    held_out: object
    #: The verdict line (:func:`nncolor.evaluation.verdict`), or None.
    verdict: object
    #: Whether the model beat both baselines, or None when nothing was held out.
    better: object


def train_and_evaluate(colorizer, images, names, *, test_size=0.25, seed=0, folders=None,
                       max_held_out=None, sources=None, command=None, description=None,
                       verbose=False, prefix="nncolor", y=None):
    """Fit a colorizer on a split by file name, measure the held-out photos, make its card.

    Parameters
    ----------
    colorizer : SOMColorizer
        Unfitted; fitted in place.
    images : list of color images
        uint8, uint16 or floats in [0, 1], RGB(A), any sizes.
    names : list of str
        The images' file names (unique, or unique within each folder of ``folders``): the
        split hashes them (:func:`nncolor.datasets.split_by_name`), so a photo stays on
        its side whatever other photos are added.
    test_size : float in (0, 1), int >= 1, or 0, default=0.25
        Share (or count) of photos held out; 0 trains on every photo and measures nothing.
    seed : int, default=0
        Seeds the split.
    folders : list of str, optional
        The folder each image came from. Each folder is split on its own (a photo that
        two folders share by name, such as a scene and its thumbnail, lands on the same
        side in both), measured on its own, and its figures are stored in the card as
        ``held_out_by_folder``.
    max_held_out : int, optional
        Measure at most this many held-out photos (per folder with ``folders``), spread
        evenly over the given order (names often begin with the kind of photo); the
        others are still left out of training.
    sources : dict of str -> int, optional
        Where the photos came from and how many each gave, for the card.
    command : str, optional
        The command that made the model, for the card.
    description : str, optional
        One line on what the model is for, stored in the card as ``description``.
    verbose : bool, default=False
        Print progress and the verdict line to stderr (:func:`fit_and_evaluate`).
    prefix : str, default="nncolor"
        Starts each printed line.
    y : list, optional
        One label per image, passed to ``fit`` for the training photos: the kind of each
        photo for a :class:`~nncolor.mixture.MixtureOfExperts`.

    Returns
    -------
    TrainedModel
        ``(model, card, held_out, verdict, better)``; the card is also stored on the model
        as ``model_card_``, so :func:`nncolor.model_file.save_model` writes it.

    Raises
    ------
    ValueError
        Names and images of different lengths, repeated names (within a folder), or a
        ``test_size`` that leaves no photo to train on.

    Warns
    -----
    WeakModelWarning
        The model does not beat the gray and mean-color baselines on the held-out photos.

    Examples
    --------
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> photos = [data.coffee()[::16, ::16], data.astronaut()[::16, ::16],
    ...           data.chelsea()[::16, ::16]]
    >>> col = make_colorizer(patch_size=3, som_shape=(2, 2), n_samples=50, max_iter=3,
    ...                      som_iterations=100, random_state=0)
    >>> result = train_and_evaluate(col, photos, ["coffee", "astronaut", "chelsea"],
    ...                             test_size=0)
    >>> result.card["training_data"]["n_photos"], result.held_out is None
    (3, True)
    """
    held_out, info = fit_and_evaluate(colorizer, images, names, test_size=test_size,
                                      seed=seed, folders=folders, max_held_out=max_held_out,
                                      verbose=verbose, prefix=prefix, y=y)
    card = make_card(colorizer, sources=sources, n_photos=info["n_photos"], held_out=held_out,
                     split=info["split"], command=command, fit_seconds=info["fit_seconds"])
    if description is not None:
        card["description"] = description
    colorizer.model_card_ = card
    return TrainedModel(colorizer, card, held_out, info.get("verdict"), info.get("better"))


def fit_and_evaluate(colorizer, images, names, *, test_size=0.25, seed=0, folders=None,
                     max_held_out=None, verbose=False, prefix="nncolor", y=None):
    """Fit on the training side of a split by image name and measure the held-out side.

    The held-out photos are compared with the gray and mean-color baselines
    (:func:`nncolor.evaluation.verdict`); a model not better than both by
    :data:`nncolor.evaluation.MIN_GAIN_DB` gets a
    :class:`nncolor.evaluation.WeakModelWarning` saying so, verbose or not.

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
    folders, max_held_out, y
        See :func:`train_and_evaluate`.
    verbose : bool, default=False
        Print progress to stderr: the SOM, the classifier's epochs (a bar with the loss,
        :func:`nncolor.progress.fit_progress`), the evaluation, and the verdict line.
    prefix : str, default="nncolor"
        Starts each printed line.

    Returns
    -------
    held_out : pandas.DataFrame or None
        :func:`nncolor.evaluation.evaluate` on the held-out photos (with a ``folder``
        column when ``folders`` is given).
    info : dict
        ``n_photos`` (trained on), ``split`` and ``fit_seconds``, for
        :func:`nncolor.card.make_card`; with held-out photos also ``verdict`` (the line)
        and ``better`` (bool).
    """
    if len(names) != len(images):
        raise ValueError(f"{len(names)} names for {len(images)} images")
    if y is not None and len(y) != len(images):
        raise ValueError(f"{len(y)} labels (y) for {len(images)} images")
    train, test = _split(names, folders, test_size, seed)
    start = time.perf_counter()
    with fit_progress(colorizer, len(train), verbose=verbose, prefix=prefix):
        colorizer.fit([images[i] for i in train],
                      *(() if y is None else ([y[i] for i in train],)))
    fit_seconds = time.perf_counter() - start
    split = {"by": "nncolor.datasets.split_by_name" + (", per folder" if folders else ""),
             "test_size": test_size, "seed": seed, "n_train": len(train), "n_test": len(test)}
    info = {"n_photos": len(train), "split": split, "fit_seconds": fit_seconds}
    held_out = _measure(colorizer, images, names, test, folders, max_held_out, verbose, prefix)
    if held_out is None:
        return None, info
    better, line = verdict(held_out)
    info.update(verdict=line, better=better)
    if better and verbose:
        print(f"{prefix}: {line}", file=sys.stderr, flush=True)
    elif not better:
        warnings.warn(line, WeakModelWarning, stacklevel=2)
    return held_out, info


def measure_held_out(colorizer, images, names, *, test_size=0.25, seed=0, folders=None,
                     max_held_out=None, verbose=False, prefix="nncolor"):
    """Measure a fitted colorizer on the held-out side of the split it was trained on.

    The split is :func:`fit_and_evaluate`'s for the same ``names``, ``folders``,
    ``test_size`` and ``seed``, so a model trained by :func:`train_and_evaluate` can be
    measured again (on more photos, say) without refitting it.

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    images : list of color images
    names, test_size, seed, folders, max_held_out, verbose, prefix
        See :func:`train_and_evaluate`.

    Returns
    -------
    pandas.DataFrame or None
        :func:`nncolor.evaluation.evaluate` on the held-out photos (a ``folder`` column
        with ``folders``); None when nothing is held out.

    Raises
    ------
    ValueError
        Names, folders and images of different lengths, or repeated names.
    """
    if len(names) != len(images):
        raise ValueError(f"{len(names)} names for {len(images)} images")
    _, test = _split(names, folders, test_size, seed)
    return _measure(colorizer, images, names, test, folders, max_held_out, verbose, prefix)


def _measure(colorizer, images, names, test, folders, max_held_out, verbose, prefix):
    """:func:`evaluate` on the test positions to measure (:func:`_measured`), or None."""
    measured = _measured(test, folders, max_held_out)
    if not measured:
        return None
    if verbose:
        print(f"{prefix}: colorizing the {len(measured)} held-out photos ...", file=sys.stderr,
              flush=True)
    return _evaluate(colorizer, images, names, measured, folders)


def _split(names, folders, test_size, seed):
    """Train and test positions: one split by name, or one per folder."""
    if not test_size:
        return np.arange(len(names)), np.arange(0)
    if folders is None:
        return split_by_name(names, test_size=test_size, seed=seed)
    if len(folders) != len(names):
        raise ValueError(f"{len(folders)} folders for {len(names)} names")
    train, test = [], []
    for folder in dict.fromkeys(folders):  # in order of first appearance
        where = np.flatnonzero([f == folder for f in folders])
        tr, te = split_by_name([names[i] for i in where], test_size=test_size, seed=seed)
        train.append(where[tr])
        test.append(where[te])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _measured(test, folders, max_held_out):
    """The held-out positions to measure: all, or ``max_held_out`` (per folder) spread
    evenly over them (:func:`nncolor.datasets.evenly_spaced`)."""
    groups = [list(test)] if folders is None else \
        [[i for i in test if folders[i] == f] for f in dict.fromkeys(folders[i] for i in test)]
    return sorted(g[j] for g in groups for j in evenly_spaced(len(g), max_held_out))


def _evaluate(colorizer, images, names, positions, folders):
    """:func:`evaluate` on the photos at ``positions``; per folder with a folder column."""
    if folders is None:
        return evaluate(colorizer, [images[i] for i in positions], [names[i] for i in positions])
    import pandas as pd

    tables = []
    for folder in dict.fromkeys(folders[i] for i in positions):
        mine = [i for i in positions if folders[i] == folder]
        table = evaluate(colorizer, [images[i] for i in mine], [names[i] for i in mine])
        table.insert(0, "folder", folder)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
