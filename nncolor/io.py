"""Image files in and out: reading them as they are displayed, finding them, and writing
results safely (atomically, and never over an existing file unless asked).

* :func:`read_image` reads a photo upright (EXIF orientation applied) and in sRGB (an
  embedded ICC profile applied) at its own bit depth, after checking the size its header
  declares against :data:`MAX_PIXELS`.
* :func:`find_images` expands a file, a folder or a glob pattern into image files.
* :func:`save_image`, :func:`save_table`, :func:`save_figure` write through
  :func:`atomic_path`, so an interrupted run leaves no half-written file; images are
  marked as sRGB.
"""
import glob
import os
import re
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import defaults
# to_bit_depth: an array conversion the estimators use too, kept below them; offered here too
from ._images import to_bit_depth
from .formats import IMAGE_EXTENSIONS, why_not_image, writable_extensions
from .icc import ProfileWarning, cmyk_to_srgb, color_space, embedded_profile, srgb_profile, to_srgb

#: The most pixels (width x height) :func:`read_image` decodes unless told otherwise:
#: 2**28 = 268 435 456, room for a 16 000 x 16 000 scan. A file declaring more is refused
#: from its header, before any decoding: a few kilobytes of compressed data can declare
#: billions of pixels (a "decompression bomb") and exhaust memory. Change it for one call
#: with ``read_image(path, max_pixels=...)``, for the process by assigning
#: ``nncolor.io.MAX_PIXELS``, or with the command line's ``--max-pixels``.
MAX_PIXELS = defaults.MAX_PIXELS


class ImageTooLargeError(ValueError):
    """An image file declares more pixels than the limit (see :data:`MAX_PIXELS`)."""


#: Extensions :func:`save_image` can write with 16 bits per channel.
SIXTEEN_BIT_SUFFIXES = (".png", ".tif", ".tiff")

_JPEG_SUFFIXES = (".jpg", ".jpeg")
_PNG_SRGB_INTENT = b"\x00"  # the sRGB chunk's rendering intent: perceptual
_ORIENTATION_TAG = 0x0112  # EXIF "Orientation"
# EXIF orientation -> numpy steps that make the stored pixels upright (what
# PIL.ImageOps.exif_transpose does, for arrays PIL cannot hold: 16-bit color)
_UPRIGHT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}


# atomic_path's temporary names: "." + stem + "." + mkstemp's 8 random characters + suffix
_TEMPORARY_NAME = re.compile(r"^\.(.*)\.[a-z0-9_]{8}(\.[^.]*|)$")


@contextmanager
def atomic_path(path, overwrite=False):
    """Yield a temporary path beside ``path``; move it into place only on success.

    A crash or an exception leaves no partial file at ``path``; an existing ``path`` is
    an error unless ``overwrite``.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or allow overwriting")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual mode
        _publish(tmp, path, overwrite)
    except OSError as exc:
        # a full disk says "File too large" but not which file (our own messages have no
        # errno, and keep their text)
        if exc.errno is not None and exc.filename is None:
            exc.filename = str(path)
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def leftover_temporaries(paths):
    """The temporary files :func:`atomic_path` made for any of ``paths`` and did not remove.

    Only a process killed while writing (SIGKILL, out of memory) leaves one; a batch that
    lost a worker removes them with this.

    Parameters
    ----------
    paths : iterable of str or Path
        Outputs (their folders are listed once each).

    Returns
    -------
    list of Path
    """
    wanted = {}
    for path in map(Path, paths):
        wanted.setdefault(path.parent, set()).add((path.stem, path.suffix))
    found = []
    for folder, names in wanted.items():
        try:
            entries = os.listdir(folder)
        except OSError:  # gone or unreadable: nothing of ours to find there
            continue
        for name in entries:
            match = _TEMPORARY_NAME.match(name)
            if match and match.groups() in names:
                found.append(folder / name)
    return found


def _publish(tmp, path, overwrite):
    """Move ``tmp`` to ``path``; without ``overwrite``, never over a file made meanwhile."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if path exists, even one created since the first check
    except FileExistsError:
        raise FileExistsError(f"{path} exists; choose another name or allow overwriting") from None
    except OSError:  # a file system without hard links: check, then move
        if os.path.exists(path):
            raise FileExistsError(f"{path} exists; choose another name or allow overwriting")
        os.replace(tmp, path)
    # the finally of atomic_path removes tmp when the link kept it


def save_image(path, image, overwrite=False, bit_depth=8):
    """Save an image (float in [0, 1], or uint8/uint16) atomically, marked as sRGB.

    The pixels are taken as sRGB (what :func:`read_image` returns and the colorizer
    writes) and the file says so: PNG files carry an sRGB chunk, color JPEG, TIFF, WebP
    and AVIF files an sRGB ICC profile (formats without room for one, like BMP and GIF,
    are sRGB by convention; gray JPEG and TIFF files carry none).

    Parameters
    ----------
    path : str or Path
        The format follows the extension (PNG, JPEG, TIFF, ...).
    image : array-like
        ``H x W`` gray, ``H x W x 3`` RGB or ``H x W x 4`` RGBA. JPEG has no alpha: an
        alpha channel is dropped there.
    overwrite : bool, default=False
        Replace an existing file; otherwise an existing ``path`` raises ``FileExistsError``.
    bit_depth : {8, 16}, default=8
        Bits per channel. 16 needs a format that holds them (:data:`SIXTEEN_BIT_SUFFIXES`).

    Returns
    -------
    Path
    """
    suffix = Path(path).suffix.lower()
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16; got {bit_depth!r}")
    if bit_depth == 16 and suffix not in SIXTEEN_BIT_SUFFIXES:
        raise ValueError(f"{path}: {suffix or 'this'} files hold 8 bits per channel; save "
                         f"16-bit images as {' or '.join(SIXTEEN_BIT_SUFFIXES[:2])}")
    if suffix not in (".png", ".tif", ".tiff"):
        _check_writable(path, suffix)
    image = np.asarray(image)
    if suffix in _JPEG_SUFFIXES and image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    data = to_bit_depth(image, bit_depth)
    with atomic_path(path, overwrite) as tmp:
        if suffix == ".png":
            _write_png(tmp, data)
        elif suffix in (".tif", ".tiff"):
            _write_tiff(tmp, data)
        else:
            _write_pil(tmp, data, suffix)
    return Path(path)


def _write_png(path, data):
    """A PNG file (8 or 16 bits) with an sRGB chunk: the pixels are sRGB, for gray too."""
    with open(path, "wb") as f:
        _write_png_to(f, data)


def _write_tiff(path, data):
    """A TIFF (8 or 16 bits); color ones carry the sRGB ICC profile (TIFF has no marker)."""
    import tifffile

    color = data.ndim == 3
    tifffile.imwrite(path, data, photometric="rgb" if color else "minisblack",
                     iccprofile=srgb_profile() if color else None)


def _check_writable(path, suffix):
    """Refuse, before writing, a format Pillow reads but cannot write (PSD, say)."""
    if suffix not in writable_extensions():
        raise ValueError(f"{path}: cannot write {suffix or 'extension-less'} files; save as "
                         ".png, .jpg or .tif (the command line's --format png, jpg or tif)")


def _write_pil(path, data, suffix):
    """Any other format Pillow writes; color ones carry the sRGB ICC profile where the
    format has room for one (JPEG, WebP, AVIF, ...; BMP and GIF have none)."""
    from PIL import Image

    options = {"quality": 95} if suffix in _JPEG_SUFFIXES else {}  # not the default 75
    if data.ndim == 3:
        options["icc_profile"] = srgb_profile()
    Image.fromarray(data).save(path, **options)


def _write_png_to(f, data, compress_level=6):
    """Write a uint8 or uint16 gray, gray+alpha, RGB or RGBA array as a PNG into a binary file.

    pypng, not Pillow: Pillow writes 16-bit gray PNG only, not RGB(A); and for 8 bits it
    first copies the image into its own 4-bytes-a-pixel buffer (400 MB for a 10 000 x
    10 000 RGB scan) and took 11 s to encode one, where pypng streams the array's rows to
    zlib in 3.7 s. pypng has no option for the sRGB chunk, so it goes in as the header
    passes by (:class:`_AfterHeader`).
    """
    import png

    h, w = data.shape[:2]
    planes = 1 if data.ndim == 2 else data.shape[2]
    bits = 16 if data.dtype == np.uint16 else 8
    writer = png.Writer(w, h, bitdepth=bits, greyscale=planes <= 2, alpha=planes in (2, 4),
                        compression=compress_level)
    # PNG stores big-endian samples; packed rows let pypng skip its per-sample Python loop
    rows = np.ascontiguousarray(data, dtype=">u2" if bits == 16 else np.uint8)
    writer.write_packed(_AfterHeader(f, _png_chunk(b"sRGB", _PNG_SRGB_INTENT)),
                        rows.reshape(h, -1).view(np.uint8))


# a PNG starts with its 8-byte signature and its 25-byte header chunk (IHDR)
_PNG_HEADER_BYTES = 33


class _AfterHeader:
    """A binary file that slips ``extra`` bytes in right after a PNG's header chunk."""

    def __init__(self, f, extra):
        self._f, self._extra, self._seen = f, extra, 0

    def write(self, data):
        if self._extra is not None and self._seen + len(data) >= _PNG_HEADER_BYTES:
            cut = _PNG_HEADER_BYTES - self._seen
            self._f.write(data[:cut])
            self._f.write(self._extra)
            self._extra, data = None, data[cut:]
        self._seen += len(data)
        return self._f.write(data)


def _png_chunk(kind, body):
    import struct
    import zlib

    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png_bytes(image, bit_depth=8, compress_level=6):
    """An image encoded as a PNG file in memory: for a web page or a download.

    Parameters
    ----------
    image : array-like
        ``H x W`` gray, ``H x W x 3`` RGB or ``H x W x 4`` RGBA; float in [0, 1], uint8 or
        uint16 (converted as :func:`save_image` does).
    bit_depth : {8, 16}, default=8
        Bits per channel of the PNG.
    compress_level : int, default=6
        zlib level (0-9; 1 is much faster for previews).

    Returns
    -------
    bytes
        With an sRGB chunk, as :func:`save_image` writes PNG files.

    Examples
    --------
    >>> import numpy as np
    >>> png_bytes(np.zeros((2, 2, 3), np.float32))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    from io import BytesIO

    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16; got {bit_depth!r}")
    buffer = BytesIO()
    _write_png_to(buffer, to_bit_depth(np.asarray(image), bit_depth), compress_level)
    return buffer.getvalue()


def save_table(path, table, overwrite=False):
    """Save a pandas DataFrame as CSV, atomically."""
    with atomic_path(path, overwrite) as tmp:
        table.to_csv(tmp, index=False)
    return Path(path)


def save_figure(path, figure, overwrite=False, dpi=100):
    """Save a matplotlib figure, atomically."""
    with atomic_path(path, overwrite) as tmp:
        figure.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return Path(path)


# ------------------------------------------------------------------ reading
def read_image(path, *, require_color=False, max_pixels=None):
    """Read an image file upright, in sRGB and at its own bit depth.

    EXIF orientation is applied (``PIL.ImageOps.exif_transpose``) and an embedded ICC
    profile (gray, RGB or CMYK) is converted to sRGB by little-CMS (:mod:`nncolor.icc`),
    so the array is the photo as a color-managed viewer shows it; a profile that cannot
    be used is ignored with a :class:`nncolor.icc.ProfileWarning`. 8-bit files give uint8; 16-bit files (gray or color PNG and
    TIFF) give uint16, so a 16-bit scan keeps its precision. An animated file (GIF, APNG,
    multi-page TIFF) gives its first frame.

    Parameters
    ----------
    path : str or Path
    require_color : bool, default=False
        Raise ``ValueError`` for a gray file, or an RGB file whose channels are equal
        everywhere (training and evaluating need true colors).
    max_pixels : int, optional
        Refuse a file whose header declares more pixels (width x height) than this,
        before decoding it. None: :data:`MAX_PIXELS` (2**28). Pillow's own guard
        (``PIL.Image.MAX_IMAGE_PIXELS``) is raised to at least this limit, so that it
        does not refuse what this limit allows (it may still warn, with a
        ``DecompressionBombWarning``, about a file this call then refuses).

    Returns
    -------
    ndarray of uint8 or uint16 (float32 in [0, 1] for floating-point TIFFs)
        ``H x W`` gray, ``H x W x 3`` RGB or ``H x W x 4`` RGBA (gray with alpha becomes
        RGBA; palette, CMYK and YCbCr files become RGB or RGBA).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        No such file, or a folder.
    ImageTooLargeError
        More pixels than ``max_pixels`` (a ``ValueError``).
    ValueError
        Not an image, a damaged or truncated one, or (``require_color``) a gray one. The
        message names the file.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from PIL import Image
    >>> path = tempfile.mkdtemp() + "/scan.png"
    >>> Image.fromarray(np.full((2, 3), 40000, np.uint16)).save(path)
    >>> image = read_image(path)
    >>> image.dtype.name, image.shape, int(image[0, 0])
    ('uint16', (2, 3), 40000)
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    limit = _pixel_limit(max_pixels)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not an image file")
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise ValueError(f"cannot read {path}: the file is empty")
    try:
        with Image.open(path) as im:  # reads the header only
            _check_size(path, im.size, limit)
            profile = embedded_profile(im.info, path)
            wide = _read_wide_color(path, im)
            if wide is not None:
                array = _upright(wide, im.getexif().get(_ORIENTATION_TAG, 1))
            else:
                # upright already: no transposed copy (a 10 000 px scan is 100 MB a copy)
                upright = im if im.getexif().get(_ORIENTATION_TAG, 1) in (0, 1) \
                    else ImageOps.exif_transpose(im)
                if profile is not None and upright.mode == "CMYK":
                    upright, profile = _cmyk(upright, profile, path), None
                array = _pil_array(upright, path)
            if profile is not None:
                array = _displayed(array, profile, im.mode, path)
    except UnidentifiedImageError:
        raise ValueError(f"cannot read {path}: not an image file (or a format Pillow "
                         "cannot read)") from None
    except ImageTooLargeError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's guard met first
        raise _too_large(path, _declared_pixels(exc), limit) from None
    except (OSError, SyntaxError, ValueError, EOFError, _png_errors()) as exc:
        raise ValueError(f"cannot read image {path}: {_reason(exc)}") from exc
    if require_color and not _has_color(array):
        raise ValueError(f"{path} is grayscale; a color photo is needed here")
    return np.ascontiguousarray(array)


def _pixel_limit(max_pixels):
    """The limit in force, with Pillow's own guard raised to match it."""
    from numbers import Integral

    from PIL import Image

    limit = MAX_PIXELS if max_pixels is None else max_pixels
    if isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1:
        raise ValueError(f"max_pixels must be a positive integer; got {max_pixels!r}")
    # Pillow warns above its limit and refuses above twice it, at open: below ours it
    # would refuse (or warn about) images this limit allows. Only ever raised, never
    # lowered, so a limit someone set on Pillow for the whole process is kept.
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < limit:
        Image.MAX_IMAGE_PIXELS = int(limit)
    return int(limit)


def check_pixel_count(path, size, max_pixels=None):
    """Refuse an image (or a video's frames) of ``size`` (width, height) over the pixel
    limit (``max_pixels``, or :data:`MAX_PIXELS`), before anything is decoded.

    Raises
    ------
    ImageTooLargeError
    """
    _check_size(path, size, _pixel_limit(max_pixels))


def _check_size(path, size, limit):
    width, height = size
    if width * height > limit:
        raise _too_large(path, f"{width} x {height} = {width * height:,}", limit)


def _too_large(path, declared, limit):
    return ImageTooLargeError(
        f"refusing to read {path}: it declares {declared} pixels, over the limit of "
        f"{limit:,} (a guard against decompression bombs); if you trust the file, raise "
        "the limit with --max-pixels or read_image(..., max_pixels=...)")


def _declared_pixels(exc):
    """The pixel count in Pillow's DecompressionBombError message ("Image size (N pixels)")."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    return f"{int(found.group(1)):,}" if found else "too many"


def _png_errors():
    """pypng's exceptions (a damaged 16-bit PNG), which derive from Exception only."""
    import png

    return png.Error


def _reason(exc):
    """Why a file could not be decoded: a decoder's own words (Pillow's "broken data
    stream", pypng's "chunk too short") say the file is damaged; ours say what is wrong."""
    text = str(exc) or type(exc).__name__
    if type(exc) is ValueError:  # raised here, about the pixel values
        return text
    return f"the file is damaged or truncated ({text})"


def _pil_array(im, path):
    """The pixels of a PIL image as uint8/uint16 gray, RGB or RGBA."""
    mode = im.mode
    if mode.startswith("I;16"):
        return np.asarray(im).astype(np.uint16)  # I;16B is big-endian: make it native
    if mode == "I":  # 16-bit gray as 32-bit ints (older Pillow, some TIFFs)
        a = np.asarray(im)
        if a.min() < 0 or a.max() > 65535:
            raise ValueError("32-bit integer image with values outside 0-65535")
        return a.astype(np.uint16)
    if mode == "F":
        a = np.asarray(im, dtype=np.float32)
        if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise ValueError("floating-point image with values outside [0, 1]")
        return a
    if mode == "L":
        return np.asarray(im)
    if mode == "1":
        return np.asarray(im.convert("L"))
    if mode in ("RGB", "RGBA"):
        return np.asarray(im)
    if mode in ("LA", "PA") or (mode == "P" and "transparency" in im.info):
        return np.asarray(im.convert("RGBA"))
    return np.asarray(im.convert("RGB"))


def _cmyk(im, profile, path):
    """A CMYK image through its CMYK profile to sRGB (any other profile is ignored: Pillow's
    plain conversion then)."""
    if color_space(profile) == "CMYK":
        return cmyk_to_srgb(im, profile)
    warnings.warn(f"{path}: ignoring its embedded {color_space(profile)} ICC profile, which "
                  "does not fit its CMYK pixels", ProfileWarning, stacklevel=4)
    return im.convert("RGB")


def _displayed(array, profile, mode, path):
    """Pixels converted through the file's embedded ICC profile to sRGB (nncolor.icc)."""
    if mode in ("LA", "La") and color_space(profile) == "GRAY":
        # gray with alpha was widened to RGBA: convert the gray, keep the alpha
        gray = to_srgb(np.ascontiguousarray(array[..., 0]), profile, path)
        return np.dstack([gray, gray, gray, array[..., 3]])
    return to_srgb(array, profile, path)


def _read_wide_color(path, im):
    """16-bit RGB(A) pixels of a PNG or TIFF (Pillow would cut them to 8 bits), or None."""
    if im.mode not in ("RGB", "RGBA") or im.format not in ("PNG", "TIFF"):
        return None
    if im.format == "PNG":
        import png

        reader = png.Reader(filename=str(path))
        reader.preamble()
        if reader.bitdepth != 16:
            return None
        width, height, rows, info = reader.asDirect()
        planes = info["planes"]
        return np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(
            height, width, planes)
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if tif.pages[0].dtype != np.uint16:
            return None
        return tif.pages[0].asarray()


def _upright(array, orientation):
    """Apply an EXIF orientation (1 to 8) to an array, as exif_transpose does to images."""
    step = _UPRIGHT.get(orientation)
    return array if step is None else np.ascontiguousarray(step(array))


#: Gray files (Pillow modes): no colors to lose.
_GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


def is_color_file(path, *, side=256, tolerance=8):
    """Whether an image file holds colors, judged on a small copy (cheap on big files).

    A file stored as RGB whose channels are equal, or nearly so (a gray photo saved as a
    JPEG in RGB), is not in color. Used by ``nncolor colorize`` to warn that a color
    input's colors are replaced.

    Parameters
    ----------
    path : str or Path
    side : int
        The copy's longest side in pixels (JPEGs are decoded at that scale directly).
    tolerance : int
        Channel differences up to this many 8-bit levels are compression noise, not color.

    Returns
    -------
    bool
        False also for a file Pillow cannot read (reading it properly reports that).
    """
    from PIL import Image

    try:
        with Image.open(path) as im:
            if im.mode in _GRAY_MODES:
                return False
            im.draft("RGB", (side, side))
            im.thumbnail((side, side))
            rgb = np.asarray(im.convert("RGB"), dtype=np.int16)
    except Exception:  # noqa: BLE001 (unreadable: the colorizing itself says why)
        return False
    spread = rgb.max(axis=-1) - rgb.min(axis=-1)
    return bool(np.mean(spread > tolerance) > 0.001)


def _has_color(array):
    if array.ndim != 3:
        return False
    rgb = array[..., :3]
    return not ((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def bit_depth(image):
    """16 for uint16 images, else 8: the depth an output should keep."""
    return 16 if np.asarray(image).dtype == np.uint16 else 8


# ------------------------------------------------------------------ finding
def find_images(item, recursive=False, skipped=None):
    """Expand one command-line item into image files.

    Parameters
    ----------
    item : str or Path
        A file (taken as given, whatever its extension, so a bad file is reported by
        name when read), a folder (its files in any format the installed Pillow decodes,
        :func:`nncolor.formats.image_extensions`, any case; hidden files skipped), or a
        glob pattern (``photos/*.jpg``, ``photos/**/*.png``; its matching files).
    recursive : bool, default=False
        Search sub-folders of a folder.
    skipped : list, optional
        Each file (and sub-folder) a folder scan passes over is appended to it as
        ``(path, reason)``, so that nothing is left out without a word: a text file, a
        film, a hidden file, a sub-folder without ``recursive``. A hidden folder is
        named once, not file by file.

    Returns
    -------
    list of (Path, Path)
        Each file, sorted, with its path relative to the folder searched (its name for a
        file or a glob match): outputs can mirror a folder tree.

    Raises
    ------
    FileNotFoundError
        No such file or folder, a folder without images, or a pattern that matches nothing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.JPG", "a.png", "notes.txt"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> passed_over = []
    >>> [str(rel) for _, rel in find_images(folder, skipped=passed_over)]
    ['a.png', 'b.JPG']
    >>> [(path.name, reason.split(" (")[0]) for path, reason in passed_over]
    [('notes.txt', '.txt is not an image format this Pillow decodes')]
    """
    path = Path(item)
    if path.is_file():
        return [(path, Path(path.name))]
    if path.is_dir():
        found, passed_over = _scan_folder(path, recursive)
        if skipped is not None:
            skipped.extend(passed_over)
        if not found:
            where = "under" if recursive else "in"
            raise FileNotFoundError(f"no image files ({', '.join(IMAGE_EXTENSIONS)}, ...) "
                                    f"{where} {path}")
        return [(p, p.relative_to(path)) for p in found]
    if any(c in str(item) for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(str(item), recursive=True))
        found = [p for p in found if p.is_file()]
        if not found:
            raise FileNotFoundError(f"no files match {item}")
        base = _glob_base(str(item))  # outputs mirror the part the pattern spans
        return [(p, p.relative_to(base)) for p in found]
    raise FileNotFoundError(f"no such file or folder: {item}")


def _scan_folder(folder, recursive):
    """(image files, [(path, reason)] passed over) of a folder, both sorted."""
    found, passed_over = [], []
    for root, dirs, files in os.walk(folder):
        root = Path(root)
        for name in sorted(dirs):
            if name.startswith("."):
                passed_over.append((root / name, "a hidden folder"))
            elif not recursive:
                passed_over.append((root / name, "a sub-folder (pass --recursive to search "
                                                  "sub-folders)"))
        # os.walk descends only into the folders left in ``dirs``
        dirs[:] = sorted(d for d in dirs if recursive and not d.startswith("."))
        for name in files:
            file = root / name
            if not file.is_file():  # a broken link
                passed_over.append((file, "not a readable file (a broken link?)"))
                continue
            reason = why_not_image(file.relative_to(folder))
            if reason is None:
                found.append(file)
            else:
                passed_over.append((file, reason))
    return sorted(found), sorted(passed_over)


def _glob_base(pattern):
    """The folder before a pattern's first wildcard: ``photos/*/x.png`` -> ``photos``."""
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if any(c in part for c in "*?["))
    return Path(*parts[:fixed]) if fixed else Path(".")

