"""Scale out on a Dask cluster: grid search, batch colorization and films.

Nothing here changes how a model is built or fitted: scikit-learn parallelizes through
joblib, and joblib's distributed backend is Dask, so a grid search moves to a cluster by
running it inside :func:`dask_backend` (or joblib's own ``parallel_backend("dask")``).
Batches of files and the frames of a film are mapped over the workers with
``dask.distributed`` futures:

* **Grid search** (:func:`dask_backend`): the training images are scattered to every
  worker once, before the search; each fit task then carries a reference to them, not a
  pickled copy (a plain list is not weak-referenceable, so joblib would otherwise pickle
  it into every task).
* **Files** (:func:`colorize_files`, :func:`colorize_folder`): each worker loads the model
  once (a model file is loaded by a per-process cache keyed by its path and
  modification time; a fitted colorizer is scattered to all workers once), reads its
  file, colorizes it (in tiles when it is large, :mod:`nncolor.tiling`) and writes the
  output atomically, never over an existing file unless asked: the same code as the
  local ``nncolor colorize``. A file that fails is reported and skipped; the rest are
  written.
* **Films** (:func:`map_frames`, used by ``colorize_frames(..., client=...)``): the
  temporal smoother of :mod:`nncolor.video` is sequential (each frame's colors depend on
  the previous frame's smoothed state), so the workers compute each frame's
  probabilities (the classifier: most of the cost), a bounded window of frames in
  flight, and the client re-assembles them in order and smooths, decodes and encodes
  them there. The output equals the local one exactly.

Point it at a real cluster with a scheduler address (``dask scheduler`` on one machine,
``dask worker tcp://HOST:8786`` on the others, every machine with nncolor installed)::

    from dask.distributed import Client
    client = Client("tcp://scheduler-host:8786")

dask.distributed is an optional dependency: ``pip install 'nncolor[dask]'``.
"""
import functools
import os
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from .batch import (
    colorize_file,
    drop_earlier_outputs,
    expand_inputs,
    plan_outputs,
)

_INSTALL = "pip install 'nncolor[dask]'"


def require_distributed():
    """Import dask.distributed, or raise an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:  # also raised when sys.modules["distributed"] is None
        raise ImportError(
            f"running on a Dask cluster needs dask.distributed, which is not installed "
            f"({exc}); install it with `{_INSTALL}`") from exc
    return distributed


# ------------------------------------------------------------------- client
@contextmanager
def cluster_client(scheduler=None, n_workers=None):
    """A ``dask.distributed.Client`` for the duration of a ``with`` block.

    Parameters
    ----------
    scheduler : str or Client, optional
        Address of a running scheduler (``"tcp://host:8786"``), or a client to use as it
        is (it is not closed on exit).
    n_workers : int, optional
        Start a local cluster of this many worker processes (one thread each), closed on
        exit. Give exactly one of ``scheduler`` and ``n_workers``.

    Yields
    ------
    distributed.Client
    """
    distributed = require_distributed()
    if (scheduler is None) == (n_workers is None):
        raise ValueError("give either a scheduler address or a number of local workers")
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if n_workers is not None:
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
            raise ValueError(f"n_workers must be a positive integer, got {n_workers!r}")
        # processes: the colorizer is NumPy/numba code that holds the GIL in places
        client = distributed.Client(n_workers=n_workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None)
    else:
        try:
            client = distributed.Client(str(scheduler))
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()


def _n_workers(client):
    return max(1, len(client.scheduler_info().get("workers", {})))


# -------------------------------------------------------------- grid search
@contextmanager
def dask_backend(*data, client=None):
    """joblib's Dask backend, with ``data`` scattered once to every worker.

    Inside the block, everything scikit-learn runs through joblib (``GridSearchCV``,
    ``cross_validate``, ...) runs on the cluster; results are the same as a local run
    with the same seeds.

    Parameters
    ----------
    *data : objects
        Passed to the estimator's ``fit`` (the list of training images): sent to every
        worker once, and referred to by the tasks instead of being pickled into each.
    client : distributed.Client, optional
        The cluster; by default the current client (the last one created).

    Notes
    -----
    With a scheduler running at ``scheduler-host`` (see the module notes)::

        client = Client("tcp://scheduler-host:8786")
        with dask_backend(images, client=client):
            search = GridSearchCV(make_colorizer(random_state=0), grid).fit(images)
    """
    require_distributed()
    from joblib import parallel_backend

    with parallel_backend("dask", scatter=list(data) or None, client=client):
        yield


# -------------------------------------------------------------------- files
class _ModelFile(NamedTuple):
    """A model file, named so that each worker loads it once (see :func:`_cached_model`)."""

    path: str
    mtime: float
    trusted: bool


@functools.lru_cache(maxsize=4)
def _cached_model(path, mtime, trusted):
    """The model in ``path``, loaded once per worker process (``mtime``: a changed file is
    loaded again)."""
    from .model_file import load_model

    return load_model(path, trusted=trusted)


def model_loads():
    """How many times this process loaded a model file for :func:`colorize_files`.

    Run it on the workers (``client.run(model_loads)``) to see that each loaded its
    model once.
    """
    return _cached_model.cache_info().misses


def _model_argument(client, model, trusted):
    """What the tasks receive: a model file's name, or the future of a scattered colorizer.

    A model file is loaded here once first, so that a refused, damaged or incompatible
    file is one error before any task starts, not one per image on the workers.
    """
    from sklearn.utils.validation import check_is_fitted

    from .inference import ColorizerInference, check_fitted
    from .mixture import MixtureOfExperts
    from .model_file import load_model, resolve_model_path

    if isinstance(model, (ColorizerInference, MixtureOfExperts)):
        # a colorizer, its inference form, or a mixture of models (whose named experts
        # each worker loads from its own installation, as it would a model file)
        (check_is_fitted if isinstance(model, MixtureOfExperts) else check_fitted)(model)
        return client.scatter(model, broadcast=True, hash=False)
    path = resolve_model_path(model)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    load_model(path, trusted=trusted)
    # workers see the same file system (the usual set-up of a shared archive)
    return _ModelFile(str(path.resolve()), os.path.getmtime(path), trusted)


def _colorize_task(model, src, dst, hints, reference, overwrite, max_pixels):
    """On a worker: colorize one file by the local command's own rules."""
    if isinstance(model, _ModelFile):
        try:
            model = _cached_model(*model)
        except Exception as exc:  # noqa: BLE001 (reported for this file, like a bad image)
            return src, f"{src}: cannot load the model on this worker: {exc}"
    return colorize_file(model, src, dst, hints, reference, overwrite, False, max_pixels)


def colorize_files(client, files, model=None, *, reference=None, overwrite=False,
                   max_pixels=None, trusted=False):
    """Colorize files on the workers; yield ``(src, error)`` as each one finishes.

    Parameters
    ----------
    client : distributed.Client
    files : iterable of (src, dst) or (src, dst, hints)
        Input image, output file (its extension picks the format), and an optional RGBA
        hints image. Paths must be valid on the workers (a shared file system).
    model : path, ``"default"``, None or fitted SOMColorizer (or its FittedColorizer)
        A model file is loaded once by each worker; a colorizer is scattered once to
        every worker. None: the model shipped with nncolor.
    reference : color image, optional
        For :meth:`~nncolor.SOMColorizer.predict`'s ``reference``; sent once to every worker.
    overwrite : bool, default=False
        Replace existing outputs; otherwise an existing ``dst`` is reported for its file.
    max_pixels : int, optional
        Largest image a worker decodes (:func:`nncolor.io.read_image`); None: the
        default, ``nncolor.io.MAX_PIXELS`` as the workers have it.
    trusted : bool, default=False
        Allow a pickle (joblib) model file, as :func:`nncolor.model_file.load_model`
        does; a ``.skops`` file needs no trust.

    Yields
    ------
    (Path, str or None)
        Each input, with None when its output was written, else the reason it was not
        (the other files go on).
    """
    distributed = require_distributed()
    model = _model_argument(client, model, trusted)
    if reference is not None:
        reference = client.scatter(reference, broadcast=True, hash=False)
    futures = {}
    for item in files:
        src, dst, hints = (tuple(item) + (None,))[:3]
        src, dst = Path(src), Path(dst)
        hints = None if hints is None else Path(hints)
        future = client.submit(_colorize_task, model, src, dst, hints, reference, overwrite,
                               max_pixels, pure=False)
        futures[future] = src
    for future in distributed.as_completed(futures):
        try:
            yield future.result()
        except Exception as exc:  # noqa: BLE001 (a lost worker fails its file, not the batch)
            yield futures[future], f"{futures[future]}: failed on the cluster: {exc}"


class BatchReport(NamedTuple):
    """What :func:`colorize_folder` did: outputs written, inputs that failed, with why, and
    the files passed over (not images, outputs of an earlier run, or inputs whose output
    exists), with why."""

    written: list
    failed: dict
    skipped: dict = {}


def colorize_folder(client, inputs, output, model=None, *, suffix="_colorized", format="png",
                    recursive=False, reference=None, overwrite=False, max_pixels=None,
                    trusted=False):
    """Colorize every image that ``inputs`` name into ``output``, on the cluster.

    The batch is planned by :mod:`nncolor.batch`, as ``nncolor colorize`` plans it: each
    file once, however many items name it; earlier outputs skipped; outputs never over an
    input, never two onto one file, never over an existing file unless ``overwrite``; the
    output folders checked writable before any work.

    Parameters
    ----------
    client : distributed.Client
    inputs : path, glob pattern, or list of them
        Files, folders and patterns, as ``nncolor colorize`` takes them
        (:func:`nncolor.io.find_images`).
    output : path or None
        Output folder (made if missing; sub-folders of a folder input are mirrored), an
        image file name for a single input, or None: next to each input.
    model : path, ``"default"``, None or fitted SOMColorizer (or its FittedColorizer)
        See :func:`colorize_files`.
    suffix : str, default="_colorized"
        Added to each output's stem.
    format : {"png", "jpg", "tif", "same"}, default="png"
        "same": each output in its input's format.
    recursive : bool, default=False
        Search sub-folders of folders.
    reference : path or color image, optional
        Colors to lean towards (``predict``'s ``reference``).
    overwrite : bool, default=False
        Replace existing outputs (never an input).
    max_pixels, trusted
        See :func:`colorize_files`.

    Returns
    -------
    BatchReport
        ``written``: outputs, in input order; ``failed``: {input or item: message} (items
        that name no file, inputs whose output may not be written, files that failed);
        ``skipped``: {file passed over: why}, earlier outputs among them, and the
        inputs whose output exists (without ``overwrite``: a batch run again goes on
        where it stopped).

    Raises
    ------
    nncolor.batch.BatchError
        The batch cannot start: ``output`` names one file for several inputs or is not
        writable (:class:`nncolor.batch.FolderError`), or an unknown ``format``.
    """
    from .io import read_image

    # read before planning: the planner creates the output folders (and checks the format)
    if isinstance(reference, (str, Path)):
        reference = read_image(reference, require_color=True, max_pixels=max_pixels)
    found, missing, passed_over = expand_inputs(inputs, recursive=recursive)
    found, earlier = drop_earlier_outputs(found, suffix)
    plan = plan_outputs(found, None if output is None else Path(output), suffix=suffix,
                        format=format, overwrite=overwrite,
                        how_to_overwrite="pass overwrite=True")
    failed = {str(item): message for item, message in missing}
    failed.update(plan.refused)
    skipped = dict(passed_over)
    skipped.update((path, f"an earlier output (its name ends in {suffix})") for path in earlier)
    skipped.update(plan.existing)
    done = set()
    for src, error in colorize_files(client, plan.jobs, model, reference=reference,
                                     overwrite=overwrite, max_pixels=max_pixels,
                                     trusted=trusted):
        if error:
            failed[src] = error
        else:
            done.add(src)
    return BatchReport([dst for src, dst in plan.jobs if src in done], failed, skipped)


# ------------------------------------------------------------------- frames
def _proba_task(colorizer, frame):
    # the lightness (full and working) is computed again where the frame was read
    _, _, proba, scale = colorizer.working_probabilities(frame)
    return proba, scale


def map_frames(client, colorizer, frames, *, in_flight=None):
    """Per-frame probabilities computed on the workers, yielded in frame order.

    Parameters
    ----------
    client : distributed.Client
    colorizer : fitted SOMColorizer
        Scattered once to every worker.
    frames : iterable of (frame, pixels)
        Each frame as sent to a worker (uint8 from a video: the smallest transfer) and
        whatever the caller wants back with it (its checked float pixels, say).
    in_flight : int, optional
        Frames submitted ahead of the one being yielded (default: twice the workers):
        bounds the memory of a long film.

    Yields
    ------
    (pixels, (proba, scale))
        ``pixels`` as given, and the frame's distributions at the colorizer's working
        resolution and its chroma scale
        (:meth:`~nncolor.SOMColorizer.working_probabilities`), in order.
    """
    require_distributed()
    in_flight = in_flight or 2 * _n_workers(client)
    model = client.scatter(colorizer, broadcast=True, hash=False)
    pending = deque()
    for frame, pixels in frames:
        pending.append((pixels, client.submit(_proba_task, model, frame, pure=False)))
        if len(pending) >= in_flight:
            pixels, future = pending.popleft()
            yield pixels, future.result()
    while pending:
        pixels, future = pending.popleft()
        yield pixels, future.result()
