"""Colorizing files in a batch: one set of rules for the command line and the cluster.

A batch plans every output before it starts, then colorizes file by file:

1. :func:`expand_inputs`: files, folders and glob patterns (recursive or not) to image
   files, each once; items that name nothing and files a folder scan passes over listed.
2. :func:`drop_earlier_outputs`: files an earlier run wrote (found in a folder, named with
   the suffix) are not colorized again.
3. :func:`plan_outputs`: one output path per input (a suffix, a format or the input's own,
   sub-folders mirrored), the output folders checked writable, and never an input, never
   two inputs onto one output, never an existing file unless asked
   (:func:`output_problem`): an input whose output exists is left out, so that a batch
   run again after it stopped early goes on where it stopped. A batch that cannot start
   raises :class:`BatchError`.
4. :func:`colorize_file`: read with the pixel limit, colorize in tiles when large, write
   atomically, so that one bad file is reported and the others go on.

``nncolor colorize`` runs it locally and :func:`nncolor.distributed.colorize_folder` on
Dask workers: the same plan for the same inputs.
"""
import errno
import warnings
from collections import namedtuple
from pathlib import Path

from .defaults import OUTPUT_FORMATS  # noqa: F401 (public here too)

# errno values of a write that found no room: why, in words a user can act on
_NO_ROOM = {errno.ENOSPC: "no space left on the disk", errno.EDQUOT: "disk quota exceeded",
            errno.EFBIG: "file too large for this disk or for the file-size limit"}


def describe(exc):
    """One line for an exception: its message, with the type only for unexpected ones.

    Parameters
    ----------
    exc : BaseException
        The error a file's colorization raised.

    Returns
    -------
    str
        One line, whitespace collapsed: for a write that found no room (``ENOSPC``,
        ``EDQUOT``, ``EFBIG``) what to act on; for another ``OSError`` with a file name,
        ``"<file>: <reason>"``; for ``OSError``, ``ValueError`` and ``ImportError`` their
        message; for any other type, its name and message and a pointer to ``--debug``.
    """
    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        where = f"cannot write {exc.filename}: " if exc.filename else "cannot write: "
        return f"{where}{_NO_ROOM[exc.errno]}; nothing partial was left"
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    # the library's own errors (ModelFileError is a ValueError) carry a message to show;
    # so does a missing optional library (it names the `pip install` that adds it)
    if isinstance(exc, (OSError, ValueError, ImportError)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"
    return " ".join(text.split())


def quiet_pillow_bomb_warning():
    """Drop Pillow's warning about a huge image: read_image refuses such a file itself,
    with an error that says what to do, so the warning would only repeat it.

    Adds an ``ignore`` filter for ``PIL.Image.DecompressionBombWarning`` to this
    process's warning filters.

    Raises
    ------
    ImportError
        Pillow is not installed.
    """
    from PIL import Image

    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def is_earlier_output(path, item, suffix):
    """``path`` is an output of an earlier run, found in a folder or by a pattern ``item``
    (a file named on its own is always an input).

    Parameters
    ----------
    path : Path
        A file found for ``item``.
    item : str or Path
        The file, folder or glob pattern that named ``path``.
    suffix : str
        The suffix outputs are named with (e.g. ``"_colorized"``); empty: no earlier
        outputs are recognized.

    Returns
    -------
    bool
        True when ``suffix`` is not empty, the stem of ``path`` ends with it and ``item``
        is not itself a file.
    """
    return bool(suffix) and path.stem.endswith(suffix) and not Path(item).is_file()


def output_problem(src, dst, inputs, planned, overwrite, how_to_overwrite="pass --overwrite"):
    """Why ``dst`` must not be written for ``src``, or None.

    ``inputs``: the resolved paths of every input; ``planned``: {resolved output: input}
    of the outputs already planned; ``how_to_overwrite`` ends the message about an
    existing file.

    Parameters
    ----------
    src : Path
        The input.
    dst : Path
        Its planned output.
    inputs : set of Path
        The resolved paths of every input of the batch.
    planned : dict of Path -> Path
        Resolved output -> input, for the outputs already planned.
    overwrite : bool
        An existing ``dst`` (other than another input) may be replaced.
    how_to_overwrite : str, default="pass --overwrite"
        Ends the message about an existing file.

    Returns
    -------
    str or None
        One line naming ``dst`` and what to do: ``dst`` is already planned for another
        input, is another input, is a folder, or exists (or is ``src`` itself) without
        ``overwrite``; None when it may be written.
    """
    key = dst.resolve()
    if key in planned:
        return f"{dst} would be written for both {planned[key]} and {src}; give the " \
               "outputs different names (the format 'same' keeps each input's extension)"
    if key in inputs and key != src.resolve():
        return f"{dst} is one of the inputs; it will not be overwritten by {src}"
    if dst.is_dir():
        return f"{dst} is a folder; no output file can replace it"
    if dst.exists() and not overwrite:
        what = "is the input itself" if key == src.resolve() else "exists"
        return f"{dst} {what}; {how_to_overwrite} to replace it"
    return None


def colorize_file(model, src, dst, hints=None, reference=None, overwrite=False, debug=False,
                  max_pixels=None):
    """Colorize one file into ``dst``: ``(src, None)`` on success, ``(src, message)`` on
    failure (the message names the file; with ``debug``, the traceback).

    Large images are colorized in tiles (:func:`nncolor.tiling.colorize_image`); 16-bit
    inputs keep 16 bits where the output format has them; ``dst`` appears whole or not at
    all (:func:`nncolor.io.save_image`).

    Parameters
    ----------
    model : fitted SOMColorizer
    src : Path
        The image to colorize (any format :func:`nncolor.io.read_image` reads).
    dst : Path
        The image file to write; its extension picks the format.
    hints : str or Path, optional
        An RGBA image file of color hints for ``src`` (pixels with alpha > 0.5 are
        hinted), as :meth:`~nncolor.SOMColorizer.predict` takes it once read.
    reference : color image or array of shape (n, 3) of RGB colors, optional
        Its color histogram guides the colors (:meth:`~nncolor.SOMColorizer.predict`).
    overwrite : bool, default=False
        Replace an existing ``dst``.
    debug : bool, default=False
        On failure, return the full traceback instead of one line.
    max_pixels : int, optional
        Refuse an image (or hint image) with more pixels than this
        (:func:`nncolor.io.read_image`).

    Returns
    -------
    src : Path
        The input, as given.
    message : str or None
        None on success; else one line that names the file (:func:`describe`), or the
        traceback with ``debug``.

    Notes
    -----
    Nothing is raised for a bad file: every ``Exception`` becomes the message, so that a
    batch goes on with the other files.
    """
    import traceback

    from .io import SIXTEEN_BIT_SUFFIXES, bit_depth, read_image, save_image
    from .tiling import colorize_image

    quiet_pillow_bomb_warning()  # also in a worker process, which has its own filters
    try:
        image = read_image(src, max_pixels=max_pixels)
        hint_image = None if hints is None else read_image(hints, max_pixels=max_pixels)
        out = colorize_image(model, image, reference=reference, hints=hint_image)
        depth = bit_depth(image) if dst.suffix.lower() in SIXTEEN_BIT_SUFFIXES else 8
        save_image(dst, out, overwrite=overwrite, bit_depth=depth)
    except Exception as exc:  # noqa: BLE001 (one bad file must not stop the batch)
        if debug:
            return src, traceback.format_exc()
        message = describe(exc)
        named = str(src) in message or (hints is not None and str(hints) in message)
        return src, message if named else f"{src}: {message}"
    return src, None


# ------------------------------------------------------------------ planning
class BatchError(ValueError):
    """A batch that cannot start as asked: one message for the whole batch (an output that
    names one file for several inputs, an unknown format, an unwritable output folder)."""


class FolderError(BatchError):
    """Files cannot be written into a folder (it is a file, or not writable)."""


# (collections.namedtuple, not typing.NamedTuple: the parser imports this module's
# names, and `nncolor --help` should not pay for importing typing)
class Inputs(namedtuple("Inputs", "found missing passed_over")):
    """What :func:`expand_inputs` found.

    Attributes
    ----------
    found : list of (Path, Path, item)
        Each image file with its path relative to the folder searched and the item that
        named it: each file once, in the items' order.
    missing : list of (item, str)
        Each item that named no file, and why.
    passed_over : list of (Path, str)
        Each file (or sub-folder) a folder scan passed over, and why.
    """

    __slots__ = ()


class Plan(namedtuple("Plan", "jobs refused existing", defaults=((),))):
    """What :func:`plan_outputs` decided: the files to write, the inputs refused, and
    those whose output exists already.

    Attributes
    ----------
    jobs : list of (Path, Path)
        ``(src, dst)`` per input whose output may be written, in input order.
    refused : list of (Path, str)
        ``(src, message)`` per input whose output must not be written, in input order.
    existing : list of (Path, str)
        ``(src, message)`` per input whose output is an existing file (without
        ``overwrite``), in input order: done by an earlier run, or a file of the user's;
        not in ``refused``. Empty (``()``) when not given.
    """

    __slots__ = ()


def expand_inputs(items, recursive=False):
    """The image files that files, folders and glob patterns name, each once.

    Parameters
    ----------
    items : str, Path, or list of them
        As :func:`nncolor.io.find_images` takes them.
    recursive : bool, default=False
        Search sub-folders of folders.

    Returns
    -------
    Inputs
        A file named twice (a folder and a pattern) comes once, at its first place;
        items that named no file and files passed over are listed, not raised.
    """
    from .io import find_images

    items = [items] if isinstance(items, (str, Path)) else list(items)
    found, seen, missing, passed_over = [], set(), [], []
    for item in items:
        try:
            files = find_images(item, recursive=recursive, skipped=passed_over)
        except (FileNotFoundError, NotADirectoryError) as exc:
            missing.append((item, str(exc)))
            continue
        for path, rel in files:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append((path, rel, item))
    return Inputs(found, missing, passed_over)


def drop_earlier_outputs(found, suffix):
    """Split ``found`` into the inputs and the outputs of an earlier run (found in a folder
    or by a pattern, their stem ending in ``suffix``): ``(inputs, earlier paths)``.

    Parameters
    ----------
    found : list of (Path, Path, item)
        :attr:`Inputs.found`: each file, its path relative to the folder searched and the
        item that named it.
    suffix : str
        The suffix outputs are named with; empty: nothing is dropped
        (:func:`is_earlier_output`).

    Returns
    -------
    inputs : list of (Path, Path, item)
        The entries of ``found`` to colorize, in their order.
    earlier : list of Path
        The files taken for outputs of an earlier run, in their order.
    """
    earlier = [path for path, _, item in found if is_earlier_output(path, item, suffix)]
    dropped = set(earlier)
    return [f for f in found if f[0] not in dropped], earlier


def check_folder(folder):
    """Create ``folder`` if needed and make sure files can be written into it.

    Parameters
    ----------
    folder : str or Path
        Made with its parents when missing; a temporary file is written into it and
        removed.

    Raises
    ------
    FolderError
        ``folder`` is a file, or cannot be created or written into (the reason given).
    """
    import tempfile

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except FileExistsError:
        raise FolderError(f"cannot write into {folder}: it is a file, not a folder") from None
    except OSError as exc:
        raise FolderError(f"cannot write into folder {folder}: "
                          f"{exc.strerror or exc}") from None


def output_path(src, rel, output=None, suffix="_colorized", format="png"):
    """Where the output of ``src`` goes: ``<stem><suffix><ext>`` next to it (``output``
    None) or in ``output`` under the folders of ``rel``; ``format`` "same" keeps its
    extension.

    Parameters
    ----------
    src : str or Path
        The input file.
    rel : str or Path
        ``src`` relative to the folder searched (:attr:`Inputs.found`); its folders are
        mirrored under ``output``.
    output : str or Path, optional
        The output folder; None: next to ``src``.
    suffix : str, default="_colorized"
        Added to the stem.
    format : {"png", "jpg", "tif", "same"}, default="png"
        A key of ``OUTPUT_FORMATS`` (its extension), or "same" for ``src``'s extension.

    Returns
    -------
    Path
        Nothing is checked or created (:func:`plan_outputs` does that).

    Raises
    ------
    KeyError
        ``format`` is neither "same" nor a key of ``OUTPUT_FORMATS``.
    """
    ext = Path(src).suffix if format == "same" else OUTPUT_FORMATS[format]
    folder = Path(src).parent if output is None else Path(output) / Path(rel).parent
    return folder / f"{Path(src).stem}{suffix}{ext}"


def plan_outputs(found, output=None, *, suffix="_colorized", format="png", overwrite=False,
                 how_to_overwrite="pass --overwrite"):
    """Plan one output per input, before anything is colorized.

    Parameters
    ----------
    found : list of (path, relative path, item)
        :attr:`Inputs.found`, earlier outputs dropped (:func:`drop_earlier_outputs`).
    output : Path, optional
        None: next to each input. A folder (made if missing): sub-folders of a folder
        input are mirrored. An image file name (an extension nncolor writes, not an
        existing folder): the output of the one input.
    suffix : str, default="_colorized"
        Added to each output's stem.
    format : {"png", "jpg", "tif", "same"}, default="png"
    overwrite : bool, default=False
        Replace existing outputs (never an input, never one output for two inputs).
    how_to_overwrite : str
        Ends the message about an existing output.

    Returns
    -------
    Plan
        The inputs whose output exists are in its ``existing``, not its ``jobs``.

    Raises
    ------
    BatchError
        An unknown format; ``output`` names one file for several inputs, or has an
        extension that is not an image format.
    FolderError
        ``output`` (or the folder of an output file) cannot be written into.
    """
    from .datasets import IMAGE_EXTENSIONS
    from .formats import writable_extensions

    if format != "same" and format not in OUTPUT_FORMATS:
        raise BatchError(f"format must be one of {', '.join(OUTPUT_FORMATS)} or same; "
                         f"got {format!r}")
    output = None if output is None else Path(output)
    names_file = (output is not None and not output.is_dir()
                  and output.suffix.lower() in writable_extensions())
    if names_file and len(found) > 1:
        raise BatchError(f"-o {output} names one image file for {len(found)} inputs; "
                         "give a folder")
    if output is not None and not output.exists() and not names_file and output.suffix:
        # `-o out.xyz`: a typo'd format, not a folder name
        raise BatchError(f"-o {output}: {output.suffix} is not an image format "
                         f"({', '.join(IMAGE_EXTENSIONS)}); give an image file or a folder")
    if output is not None:  # an unwritable output is one error, not one per input
        check_folder(output.parent if names_file else output)
    inputs = {path.resolve() for path, _, _ in found}
    jobs, refused, existing, planned, folders = [], [], [], {}, {}
    for path, rel, _ in found:
        dst = output if names_file else output_path(path, rel, output, suffix, format)
        problem = output_problem(path, dst, inputs, planned, overwrite, how_to_overwrite)
        key = dst.resolve()
        if problem is not None and key not in planned and key not in inputs and dst.is_file():
            # it exists, and that is all that is wrong: done by an earlier run. Planned
            # all the same, so that another input with the same output is still refused
            existing.append((path, problem))
            planned[key] = path
            continue
        if problem is None:
            if dst.parent not in folders:
                folders[dst.parent] = _folder_problem(dst.parent)
            problem = folders[dst.parent]
        if problem:
            refused.append((path, problem))
        else:
            planned[key] = path
            jobs.append((path, dst))
    return Plan(jobs, refused, existing)


def _folder_problem(folder):
    try:
        check_folder(folder)
    except FolderError as exc:
        return str(exc)
    return None
