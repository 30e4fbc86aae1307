"""A per-user cache of the models that ship with nncolor, as pickles that load in milliseconds.

Reading a skops file imports ``skops.io``, which lists every scikit-learn estimator on
import (it imports all of scikit-learn), then rebuilds the model node by node: about
0.25 s on an idle 2-core machine, more than the rest of loading together. After the first
such load of a shipped model (:func:`nncolor.model_file.shipped_models`),
:func:`nncolor.model_file.load_model` keeps the built colorizer as a pickle in the user's
cache folder (:func:`cache_dir`) and, in later processes, unpickles it instead: it needs
only the classes already imported by ``nncolor.model_file``.

Trust: this pickle is written by nncolor itself, from a model that passed the skops
allow-list, into a folder of the user's own (made private, ``0o700``); a file there that
another user owns, or that others may write, is ignored. Unpickling it is the same trust as
Python's own ``__pycache__`` bytecode and numba's cached machine code (``*.nbi``/``*.nbc``,
pickles too): whoever can write into the user's cache folder can already run code as the
user. Files the user gives (``--model my.skops``) are never cached: they are read by skops,
without unpickling, every time.

The cache is keyed by the model file's SHA-256 and the versions of nncolor, scikit-learn,
NumPy and Python (a pickle holds the fitted attributes as these versions lay them out), so
a new model file or an upgrade makes a new entry and never reads a stale one. Every failure
(no home folder, a read-only or full disk, a damaged entry) is silent: the model is then
read from its skops file, as without a cache.

The folder is ``$NNCOLOR_CACHE_DIR`` when set (the tests point it at a temporary folder),
else ``$XDG_CACHE_HOME/nncolor`` or ``~/.cache/nncolor`` (``%LOCALAPPDATA%\\nncolor\\cache``
on Windows, ``~/Library/Caches/nncolor`` on macOS); an empty ``NNCOLOR_CACHE_DIR`` turns
the cache off.
"""
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

#: The environment variable naming the cache folder; set but empty, no cache is used.
CACHE_ENV = "NNCOLOR_CACHE_DIR"
#: The forms of a model an entry may hold (:func:`entry_path`).
FORMS = ("colorizer", "inference")


def cache_dir():
    """The folder the model pickles go in, or None when the cache is turned off.

    Returns
    -------
    Path or None
        ``$NNCOLOR_CACHE_DIR`` if set (None if set to ""), else the platform's per-user
        cache folder followed by ``nncolor``.
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "nncolor" / "cache" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "nncolor"
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "nncolor"


def entry_path(model_path, form="colorizer"):
    """The cache file of a model file: named by its stem and a hash of its bytes and the
    library versions (None when the cache is off or the model file cannot be read).

    Parameters
    ----------
    model_path : str or Path
        The model file (a shipped ``.skops`` file); its bytes are read and hashed.
    form : {"colorizer", "inference"}, default="colorizer"
        Which form of the model the entry holds: the colorizer itself, or its inference
        form (:class:`nncolor.inference.FittedColorizer`, plain objects: its layout does
        not depend on scikit-learn's version, which is then neither hashed nor imported).

    Returns
    -------
    Path or None
        ``<cache_dir>/<stem>-<hash>.pickle`` (``<stem>.inference-<hash>.pickle`` for the
        inference form), the hash the first 32 hex digits of the SHA-256 of the file's
        bytes and the nncolor, (scikit-learn,) NumPy and Python versions; nothing is
        created. None when the cache is off (:func:`cache_dir`), there is no home folder,
        or the file cannot be read.

    Raises
    ------
    ValueError
        ``form`` is neither of the above.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}; got {form!r}")
    try:
        folder = cache_dir()
    except RuntimeError:  # no home directory to find (Path.home): no cache
        return None
    if folder is None:
        return None
    try:
        digest = hashlib.sha256(Path(model_path).read_bytes())
    except OSError:
        return None
    digest.update(_versions(with_sklearn=form == "colorizer").encode())
    stem = Path(model_path).stem + ("" if form == "colorizer" else f".{form}")
    return folder / f"{stem}-{digest.hexdigest()[:32]}.pickle"


def load(model_path, form="colorizer"):
    """The model cached for ``model_path``, or None (no entry, or one that cannot be read).

    Parameters
    ----------
    model_path : str or Path
        The model file (a shipped ``.skops`` file) the entry was made from.
    form : {"colorizer", "inference"}, default="colorizer"
        Which form of it (:func:`entry_path`).

    Returns
    -------
    object or None
        What :func:`store` kept; the caller checks it as it would a freshly read model.
    """
    entry = entry_path(model_path, form)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as f:
            if not _own_private_file(f.fileno()):
                return None
            return pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 (a damaged entry of any kind: read the skops file)
        return None


def store(model_path, model, form="colorizer"):
    """Keep ``model``, just read from ``model_path``, in the cache; True if it was written.

    Written atomically (a temporary file renamed into place), so a process reading the
    cache at the same time sees the whole entry or none. Nothing is raised: an unwritable
    folder or full disk leaves the cache as it was.

    Parameters
    ----------
    model_path : str or Path
        The model file ``model`` was read from; it names the entry (:func:`entry_path`).
    form : {"colorizer", "inference"}, default="colorizer"
        Which form of it ``model`` is (:func:`entry_path`).
    model : object
        The model to keep; pickled with the highest protocol.

    Returns
    -------
    bool
        True if the entry was written (a file of mode ``0o600``, in a cache folder made
        with mode ``0o700`` when missing); False when the cache is off, the model file
        cannot be read, or the entry cannot be written or ``model`` cannot be pickled.
    """
    entry = entry_path(model_path, form)
    if entry is None:
        return False
    tmp = None
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.stem}.", suffix=".tmp", dir=entry.parent)
        with os.fdopen(fd, "wb") as f:  # mkstemp: 0600, the user's alone
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
        tmp = None
        return True
    except Exception:  # noqa: BLE001 (OSError, or an object pickle refuses: no cache)
        return False
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _versions(with_sklearn=True):
    """What the pickled layout of a model depends on, as one string."""
    import numpy

    from . import __version__

    sklearn_version = ""
    if with_sklearn:
        import sklearn

        sklearn_version = f"sklearn={sklearn.__version__};"
    return (f"nncolor={__version__};{sklearn_version}numpy={numpy.__version__};"
            f"python={sys.version_info[0]}.{sys.version_info[1]}")


def _own_private_file(fd):
    """Whether an open cache entry is the user's own and writable by no one else (always
    true where the OS has no owners, as on Windows)."""
    if not hasattr(os, "getuid"):
        return True
    status = os.fstat(fd)
    return status.st_uid == os.getuid() and not status.st_mode & 0o022
