"""Which files are images: every format the installed Pillow, and its plugins, decodes.

The list is not fixed here: it is what ``PIL.Image.registered_extensions()`` maps to a
format Pillow can open, so a newer Pillow (recent releases decode AVIF themselves) or an
installed plugin (``pillow-heif`` for HEIC/HEIF photos from phones, registered on first
use) adds its formats without a change to nncolor. :func:`why_not_image` says, for a file a
folder scan passes over, why.
"""
from functools import lru_cache
from pathlib import Path

#: The common image file extensions, named in messages and accepted for output names.
#: Folders are read in every format the installed Pillow decodes
#: (:func:`image_extensions`), these and more.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif")

#: Extensions of films (``nncolor video`` colorizes them), named as such when a folder scan
#: passes over them.
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mkv", ".mov", ".avi", ".webm", ".mpg", ".mpeg",
                    ".wmv", ".flv", ".ts", ".mts", ".m2ts", ".3gp", ".ogv", ".vob", ".dv")

# Pillow formats that identify a file but do not decode pictures from it: MPEG video
# headers, and the stub formats (BUFR, GRIB, HDF5, WMF without a handler) whose classes
# derive from StubImageFile and are checked below.
_NOT_DECODED = {"MPEG"}


@lru_cache(maxsize=1)
def register_plugins():
    """Register the optional Pillow plugins that are installed (``pillow-heif``: HEIC,
    HEIF); True if any was. Called once, before the formats are listed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def image_extensions():
    """The file extensions (lower case, with the dot) of the formats Pillow decodes here.

    Returns
    -------
    tuple of str
        Sorted, e.g. ``(".apng", ".avif", ".blp", ".bmp", ...)``.
    """
    return tuple(sorted(_decoded_formats()))


def writable_extensions():
    """The extensions of the formats Pillow here both writes and reads back (an output
    :func:`nncolor.io.save_image` can write): ``.png``, ``.jpg``, ``.tif``, ``.webp``, ...

    Returns
    -------
    tuple of str
    """
    from PIL import Image

    return tuple(sorted(ext for ext, fmt in _decoded_formats().items() if fmt in Image.SAVE))


def _decoded_formats():
    """{extension: format} of the formats Pillow (with its plugins) can decode."""
    from PIL import Image, ImageFile

    register_plugins()
    Image.init()
    found = {}
    for ext, fmt in Image.registered_extensions().items():
        opener = Image.OPEN.get(fmt)
        if opener is None or fmt in _NOT_DECODED:
            continue
        if isinstance(opener[0], type) and issubclass(opener[0], ImageFile.StubImageFile):
            continue
        found[ext.lower()] = fmt
    return found


def is_image_name(relative):
    """An image file name by extension (any case), not hidden nor in a hidden folder."""
    relative = Path(relative)
    return relative.suffix.lower() in _decoded_formats() and not any(
        part.startswith(".") for part in relative.parts)


def why_not_image(relative):
    """Why a folder scan does not take the file ``relative`` (its path in the folder).

    Returns
    -------
    str or None
        A reason in a few words, or None for a file it takes.
    """
    relative = Path(relative)
    if any(part.startswith(".") for part in relative.parts):
        return "a hidden file"
    suffix = relative.suffix.lower()
    if suffix in _decoded_formats():
        return None
    if suffix in VIDEO_EXTENSIONS:
        return "a film: colorize it with `nncolor video`"
    if not suffix:
        return "no extension to tell an image format by (name the file itself to try it)"
    return (f"{suffix} is not an image format this Pillow decodes (name the file itself "
            "to try it)")
