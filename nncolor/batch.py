"""Colorizing files in a batch: one set of rules for the command line and the cluster.

A batch plans every output before it starts (:func:`output_problem`: never an input, never
two inputs onto one output, never an existing file unless asked) and then colorizes file
by file (:func:`colorize_file`: read with the pixel limit, colorize in tiles when large,
write atomically), so that one bad file is reported and the others go on.
``nncolor colorize`` runs it locally and :mod:`nncolor.distributed` on Dask workers.
"""
import errno
import traceback
import warnings
from pathlib import Path

# errno values of a write that found no room: why, in words a user can act on
_NO_ROOM = {errno.ENOSPC: "no space left on the disk", errno.EDQUOT: "disk quota exceeded",
            errno.EFBIG: "file too large for this disk or for the file-size limit"}


def describe(exc):
    """One line for an exception: its message, with the type only for unexpected ones."""
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
    with an error that says what to do, so the warning would only repeat it."""
    from PIL import Image

    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def is_earlier_output(path, item, suffix):
    """``path`` is an output of an earlier run, found in a folder or by a pattern ``item``
    (a file named on its own is always an input)."""
    return bool(suffix) and path.stem.endswith(suffix) and not Path(item).is_file()


def output_problem(src, dst, inputs, planned, overwrite, how_to_overwrite="pass --overwrite"):
    """Why ``dst`` must not be written for ``src``, or None.

    ``inputs``: the resolved paths of every input; ``planned``: {resolved output: input}
    of the outputs already planned; ``how_to_overwrite`` ends the message about an
    existing file.
    """
    key = dst.resolve()
    if key in planned:
        return f"{dst} would be written for both {planned[key]} and {src}; give the " \
               "outputs different names (a suffix, a format or another folder)"
    if key in inputs and key != src.resolve():
        return f"{dst} is one of the inputs; it will not be overwritten by {src}"
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
    """
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
