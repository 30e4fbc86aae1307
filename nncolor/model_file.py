"""Model files: a fitted colorizer saved with its model card, and the model nncolor ships.

The card (:mod:`nncolor.card`) is a plain dict stored on the colorizer as ``model_card_``,
so every model file is a plain :class:`SOMColorizer` (or a
:class:`~nncolor.mixture.MixtureOfExperts`, such as the shipped ``auto``, which stores
its gate and names its experts), and :func:`load_model` reads files saved with or
without a card. Training a model and writing its card is
:func:`nncolor.training.train_and_evaluate`.

Two formats, picked by the file name when saving and by the content when loading:

* **skops** (``.skops``, the default; ``nncolor train`` writes it): a zip of JSON and NumPy
  arrays read by ``skops.io`` without unpickling. Loading builds only the types of an
  allow-list (:data:`SAFE_TYPES`: nncolor's estimators, scikit-learn's and NumPy's);
  a file naming any other type is refused before anything is built, so a shared model
  file cannot run code.
* **joblib** (``.joblib``, ``.pkl``, ``.pickle``): a pickle, convenient in notebooks
  (``joblib.load(path).predict(gray)``). Unpickling runs whatever code the file names, so
  :func:`load_model` reads one only with ``trusted=True`` (``--trust-model`` on the
  command line).

Loading refuses a model made by another nncolor ``major.minor`` (the fitted attributes
may differ), a damaged or truncated file, a file that is not a fitted colorizer, and names
the file in every message.
"""
import copy
import json
import pickle
import struct
import warnings
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from . import __version__
# the card has its own module; its names stay importable from here, where they were
from .card import CARD_FORMAT, make_card, model_card, model_params  # noqa: F401
from .defaults import MODEL_SUFFIXES, MODELS_DIR, shipped_model_files
from .evaluation import summarize_metrics  # noqa: F401

# MODELS_DIR: the folder of the models that ship with nncolor (each ``NAME.skops`` in it
# is the model called NAME, :func:`shipped_models`), kept importable from here.

#: Where the default model lives inside the installed package.
DEFAULT_MODEL_PATH = MODELS_DIR / "default.skops"

#: File name endings saved as joblib pickles; every other name is saved as skops.
PICKLE_SUFFIXES = tuple(s for s in MODEL_SUFFIXES if s != ".skops")

#: The types, besides those skops trusts by default (scikit-learn's estimators, NumPy
#: arrays and scalars, Python containers), that a skops model file may hold: nncolor's
#: own estimators and the MLP's optimizer state. Each is built from its stored
#: attributes (``__new__`` and ``__setstate__``), none runs code named by the file.
SAFE_TYPES = (
    "nncolor.colorizer.SOMColorizer",
    "nncolor.mixture.MixtureOfExperts",
    "nncolor.color.LuvConverter",
    "nncolor.som.SOMQuantizer",
    "nncolor.patches.PatchExtractor",
    "nncolor.mrf.PottsMRF",
    "nncolor.cnn.CNNClassifier",
    "nncolor.stepdecay.StepDecayMLPClassifier",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
)

#: The name that means the default model wherever a model path is asked for.
DEFAULT_MODEL_NAME = "default"

# what unpickling a file that is not a model raises (text: UnpicklingError, empty: EOFError,
# other bytes: KeyError and the like; a damaged compressed stream: zlib.error or OSError)
# (struct.error: a pickle cut inside a frame header)
_UNPICKLE_ERRORS = (pickle.UnpicklingError, zlib.error, EOFError, OSError, ValueError, KeyError,
                    IndexError, TypeError, struct.error)
# what skops raises on a damaged archive or schema (a truncated zip: BadZipFile; a schema
# that lacks a key or names an unknown node: KeyError, TypeError; bad JSON: ValueError)
_SKOPS_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                 IndexError, TypeError)

# the first bytes of the files load_model tells apart: a zip (skops), a pickle (protocol
# 2 and up), and the compressors joblib writes pickles with (zlib, gzip, bz2, xz, lzma, lz4)
_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_MAGIC = (b"\x80", b"\x78", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x5d\x00\x00",
                 b"\x04\x22\x4d\x18")


class ModelFileError(ValueError):
    """The file is not a usable nncolor model (not a pickle, not a fitted colorizer)."""


class IncompatibleModelError(ModelFileError):
    """The model was made by an nncolor version of another ``major.minor``."""


class UntrustedModelError(ModelFileError):
    """Loading the file could run code: a pickle not marked trusted, or a skops file
    naming types outside :data:`SAFE_TYPES`."""


# ------------------------------------------------------------------- versions
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
def model_format(path):
    """The format :func:`save_model` writes for a file name: ``"joblib"`` or ``"skops"``.

    ``.joblib``, ``.pkl`` and ``.pickle`` files are joblib pickles; every other name
    (``.skops`` above all) gets the safe skops format.
    """
    return "joblib" if Path(path).suffix.lower() in PICKLE_SUFFIXES else "skops"


def save_model(colorizer, path, card=None, overwrite=False):
    """Save a fitted colorizer with its card, atomically, in the format its name asks for.

    Parameters
    ----------
    colorizer : fitted SOMColorizer or MixtureOfExperts
    path : str or Path
        ``model.skops`` (or any name not ending in :data:`PICKLE_SUFFIXES`): skops, safe to
        share and to load from strangers. ``model.joblib``: a zlib-compressed joblib
        pickle, for your own notebooks (loading one runs code: trusted files only).
    card : dict, optional
        Stored as the saved model's ``model_card_``; None keeps the colorizer's card, or
        makes a minimal one (nncolor and scikit-learn versions, and parameters). The
        colorizer given is not changed: the card goes onto a shallow copy.
    overwrite : bool, default=False
        Replace an existing file; otherwise it raises ``FileExistsError``.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from skimage import data
    >>> from nncolor import make_colorizer
    >>> col = make_colorizer(patch_size=3, n_samples=200, max_iter=5, som_iterations=200,
    ...                      random_state=0).fit([data.coffee()[::8, ::8]])
    >>> path = save_model(col, tempfile.mkdtemp() + "/model.skops")
    >>> load_model(path).model_card_["nncolor_version"] == __version__
    True
    """
    from sklearn.utils.validation import check_is_fitted

    from .io import atomic_path

    fitted = _fitted_attribute(colorizer)
    if fitted is None:
        raise TypeError(f"save_model saves an nncolor colorizer, not a "
                        f"{type(colorizer).__name__}")
    check_is_fitted(colorizer, fitted)
    # a shallow copy shares the fitted arrays: saving must not change the caller's object
    saved = copy.copy(colorizer)
    saved.model_card_ = card if card is not None else (
        model_card(colorizer) or make_card(colorizer))
    with atomic_path(path, overwrite) as tmp:
        if model_format(path) == "joblib":
            import joblib

            joblib.dump(saved, tmp, compress=3)
        else:
            _import_skops().dump(saved, tmp, compression=zipfile.ZIP_DEFLATED)
    return Path(path)


def shipped_models():
    """The models that ship with nncolor, by name: the ``*.skops`` files of
    :data:`MODELS_DIR`, named by their stem (``default``, ...).

    Returns
    -------
    dict of str -> Path
        Sorted by name.

    Examples
    --------
    >>> "default" in shipped_models()
    True
    """
    return {path.stem: path for path in shipped_model_files(MODELS_DIR)}


def resolve_model_path(model):
    """The file a model argument names: a file path, or the name of a shipped model.

    An existing file wins over a shipped model of the same name; None means
    ``"default"``. A name that is neither raises ``FileNotFoundError`` naming the shipped
    models and the nearest one (:func:`shipped_models`).
    """
    if model is None:
        return DEFAULT_MODEL_PATH
    path = Path(model)
    if path.exists():
        return path
    shipped = shipped_models()
    if str(model) in shipped:
        return shipped[str(model)]
    if str(model) == DEFAULT_MODEL_NAME:  # the message below would not say "not installed"
        return DEFAULT_MODEL_PATH
    raise FileNotFoundError(_not_found(model, shipped))


def _not_found(model, shipped):
    """"not found" with the shipped models and the nearest name (difflib)."""
    from difflib import get_close_matches

    names = sorted(shipped, key=lambda name: name != DEFAULT_MODEL_NAME)  # default first
    if not names:
        return f"model file not found: {model} (and no models ship with this installation)"
    stem = Path(str(model)).stem if Path(str(model)).suffix == ".skops" else str(model)
    # shipped names are compared without case: --model AUTO means auto
    lower = {name.lower(): name for name in names}
    near = get_close_matches(stem.lower(), list(lower), n=1, cutoff=0.5)
    hint = f"; did you mean {lower[near[0]]}?" if near else ""
    return (f"model file not found: {model}; the models that ship with nncolor are "
            f"{', '.join(names)} (give the name alone){hint}")


def load_model(path=None, *, check=True, trusted=False, inference_only=False):
    """Load a fitted colorizer saved with :func:`save_model`, ``skops.io.dump`` or
    ``joblib.dump``.

    The format is told by the content, not the name: a skops file is read without
    unpickling and may hold only :data:`SAFE_TYPES` (and what skops trusts by default);
    a joblib/pickle file is read only with ``trusted=True``, as unpickling runs any code
    the file names. A ``.skops`` file is never unpickled, whatever it holds. The models
    that ship with nncolor are the one exception: after their first skops read they are
    kept in the user's cache folder as pickles nncolor wrote itself, and read from there
    in milliseconds (:mod:`nncolor.model_cache`, which says why that is safe).

    Parameters
    ----------
    path : str, Path or None
        The model file, or the name of a model that ships with nncolor
        (:func:`shipped_models`: ``"default"``, ...); None loads ``"default"``.
    check : bool, default=True
        Refuse a model whose card names another nncolor ``major.minor``. A model without a
        card (a plain ``joblib.dump``) cannot be checked and is accepted.
    trusted : bool, default=False
        Load a pickle (joblib) file. Only for files you made or whose source you trust.
    inference_only : bool, default=False
        Return the model's inference form (:class:`nncolor.inference.FittedColorizer`):
        it colorizes as the colorizer, without fitting or the scikit-learn API, and a
        shipped model's loads from the cache without importing scikit-learn (about 1.5 s
        less on 2 cores: what ``nncolor colorize`` uses).

    Returns
    -------
    SOMColorizer, or FittedColorizer with ``inference_only``
        Or a :class:`~nncolor.mixture.MixtureOfExperts` (``"auto"``), with or without
        ``inference_only``: it has no plain form (its gate is a scikit-learn model).

    Raises
    ------
    FileNotFoundError
        No such file (or the default model is not installed).
    UntrustedModelError
        A pickle without ``trusted``, or a skops file naming types outside the allow-list.
    ModelFileError
        Empty, damaged or truncated, not a model file, a file of an incompatible library
        version, not a colorizer, or an unfitted one.
    IncompatibleModelError
        Made by another nncolor ``major.minor`` (with ``check``).
    NoInferenceFormError
        With ``inference_only``, a colorizer that has none (a CNN's).
    """
    path = resolve_model_path(path)
    if not path.is_file():
        if path == DEFAULT_MODEL_PATH:
            raise FileNotFoundError(
                f"the default model is not installed ({path}); reinstall nncolor, or train "
                "one with `python -m pipelines.default_model`")
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder, not a model file")
        raise FileNotFoundError(_not_found(path, shipped_models()))
    kind = _file_kind(path)
    if inference_only:  # a shipped model's inference form, cached before: no scikit-learn
        from .inference import FittedColorizer

        model = _cached_shipped_model(path, "inference") if kind == "skops" else None
        if isinstance(model, FittedColorizer):
            _check_card(model, path, check)
            return model
    model, clean = _read_colorizer(path, kind, check, trusted)
    if not inference_only or not hasattr(model, "classifier_"):  # a mixture is its own form
        return model
    model = FittedColorizer(model)
    if clean:
        _cache_shipped_model(path, model, "inference")
    return model


def _read_colorizer(path, kind, check, trusted):
    """The fitted colorizer in a model file (from the cache if a shipped one was read
    before), and whether it was read without warnings (then a shipped one is cached)."""
    # a shipped model read before: unpickled from the user's cache (nncolor.model_cache)
    model = _cached_shipped_model(path) if kind == "skops" else None
    caught = None
    if model is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if kind == "skops":
                model = _load_skops(path, check)
            else:
                model = _load_pickle(path, trusted)
        _warn_once(caught, path)
    fitted = _fitted_attribute(model)
    if fitted is None:
        raise ModelFileError(f"{path} holds a {type(model).__name__}, not an nncolor colorizer")
    if not hasattr(model, fitted):
        raise ModelFileError(f"{path} holds a colorizer that was never fitted")
    _check_card(model, path, check)
    clean = kind == "skops" and not caught  # from the cache, or read without a warning
    if clean and caught is not None:  # read cleanly just now: cache it if shipped
        _cache_shipped_model(path, model)
    return model, clean


# the classes a model file may hold (or their subclasses), with the attribute each has
# once fitted; by name, as nncolor.mixture imports this module (its experts by name)
_MODEL_CLASSES = {"nncolor.colorizer.SOMColorizer": "classifier_",
                  "nncolor.mixture.MixtureOfExperts": "gate_"}


def _fitted_attribute(model):
    """The fitted attribute of a model class :func:`save_model` saves, or None."""
    for cls in type(model).__mro__:
        name = _MODEL_CLASSES.get(f"{cls.__module__}.{cls.__qualname__}")
        if name is not None:
            return name
    return None


def _check_card(model, path, check):
    card = model_card(model)
    if check and card is not None:
        check_version(card, path)


def _file_kind(path):
    """``"skops"`` or ``"pickle"`` from a file's first bytes; ModelFileError otherwise."""
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise ModelFileError(f"cannot load {path}: the file is empty")
    if head.startswith(_ZIP_MAGIC):
        return "skops"
    if Path(path).suffix.lower() == ".skops":  # never unpickle what claims to be safe
        raise ModelFileError(f"cannot load {path}: not a skops model file (damaged, or "
                             "another kind of file renamed)")
    if head.startswith(_PICKLE_MAGIC):
        return "pickle"
    raise ModelFileError(f"cannot load {path}: not an nncolor model file (neither skops nor "
                         "joblib)")


# scikit-learn's copy of array-api-compat has one sub-package per array library; each
# imports its library (torch alone takes 1-2 s and ~500 MB)
_ARRAY_API_BACKENDS = {"torch": "torch", "dask": "dask", "cupy": "cupy"}


def _import_skops():
    """``skops.io``, imported without importing torch, Dask or CuPy.

    On import, skops lists scikit-learn's estimators (``sklearn.utils.all_estimators``) to
    make its allow-list. That walk imports every package under ``sklearn``, among them
    ``sklearn.externals.array_api_compat.torch``, ``.dask`` and ``.cupy``, which import
    those libraries when installed, though the walk then skips ``externals`` (they hold no
    estimator). Marking these three packages as absent (``None`` in ``sys.modules``) for
    the walk makes it skip them without importing them; the allow-list is the same. A
    library the program already imported is left alone.
    """
    import sys

    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    masked = [f"sklearn.externals.array_api_compat.{name}"
              for name, library in _ARRAY_API_BACKENDS.items() if library not in sys.modules]
    masked = [name for name in masked if name not in sys.modules]
    for name in masked:
        sys.modules[name] = None
    try:
        import skops.io
    finally:
        for name in masked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return skops.io


def _load_skops(path, check):
    """Read a skops file, building only allow-listed types (and, with ``check``, only a
    model of this nncolor ``major.minor``: its card is read from the schema first)."""
    skops_io = _import_skops()

    try:
        data = Path(path).read_bytes()  # read once: the schema, the type check and the load
        with zipfile.ZipFile(BytesIO(data)) as archive:
            made = _stored_version(json.loads(archive.read("schema.json")))
        if check and made is not None:  # before building what may no longer fit
            check_version({"nncolor_version": made}, path)
        untrusted = skops_io.get_untrusted_types(data=data)
        unknown = sorted(set(untrusted) - set(SAFE_TYPES))
        if unknown:
            raise UntrustedModelError(
                f"refusing to load {path}: it holds types nncolor does not trust "
                f"({', '.join(unknown)}); a colorizer holds only nncolor, scikit-learn and "
                "NumPy types")
        return skops_io.loads(data, trusted=untrusted)
    except ModelFileError:
        raise
    except (ImportError, AttributeError) as exc:  # a type that moved or went
        raise _unreadable(path, exc) from exc
    except _SKOPS_ERRORS as exc:
        raise ModelFileError(f"cannot load {path}: a damaged or truncated skops file "
                             f"({type(exc).__name__}: {exc})") from exc


def _stored_version(schema):
    """The ``nncolor_version`` of the card in a skops schema, or None (no card)."""
    try:
        node = schema["content"]["content"]["model_card_"]["content"]["nncolor_version"]
        return str(json.loads(node["content"]))
    except (KeyError, TypeError, ValueError):
        return None


def _load_pickle(path, trusted):
    """Unpickle a joblib file, if the caller trusts it."""
    import joblib

    if not trusted:
        raise UntrustedModelError(
            f"refusing to load {path}: it is a pickle (joblib) file, and loading one runs "
            "any code it contains. If you made it or trust its source, pass --trust-model "
            "(load_model(path, trusted=True)); to share models, save them as .skops")
    try:
        return joblib.load(path)
    except (PermissionError, IsADirectoryError):
        raise
    except (ImportError, AttributeError) as exc:  # a class or module that moved or went
        raise _unreadable(path, exc) from exc
    except _UNPICKLE_ERRORS as exc:
        raise ModelFileError(f"cannot load {path}: not an nncolor model file, or a damaged or "
                             f"truncated one ({type(exc).__name__}: {exc})") from exc


def _unreadable(path, exc):
    return ModelFileError(
        f"cannot load {path}: it was saved by an nncolor or scikit-learn version that this "
        f"one cannot read ({type(exc).__name__}: {exc}); retrain it with `nncolor train`")


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
    """The colorizer that ships with nncolor (``nncolor/models/default.skops``).

    Trained by ``python -m pipelines.default_model``; its card (``model_card_``) says on
    what and how well it did on held-out photos.
    """
    return load_model(DEFAULT_MODEL_PATH)


# ------------------------------------------------- the cache of shipped models
def _is_shipped(path):
    """Whether ``path`` is one of the models of :data:`MODELS_DIR` (:func:`shipped_models`)."""
    path = Path(path)
    return path.suffix == ".skops" and path.resolve().parent == MODELS_DIR


def _cached_shipped_model(path, form="colorizer"):
    """The colorizer (or its inference ``form``) cached for a shipped model file
    (:mod:`nncolor.model_cache`), or None: not a shipped model, not cached yet, or an entry
    that cannot be read.

    Only the files nncolor ships are cached: a user's own ``.skops`` file is always read
    by skops, never unpickled. A model whose skops reading warned (another scikit-learn
    version) is never cached, so it warns on every load as before.
    """
    if not _is_shipped(path):
        return None
    from . import model_cache

    return model_cache.load(path, form)


def _cache_shipped_model(path, model, form="colorizer"):
    """Keep a shipped model (or its inference ``form``), just read from its skops file, in
    the user's cache."""
    if _is_shipped(path):
        from . import model_cache

        model_cache.store(path, model, form)
