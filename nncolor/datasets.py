"""Photos to train and test on: folders of image files, the package-shipped photos, and a
split by image that is stable under adding files.

* :func:`load_folder` reads a folder of photos (sorted by file name) with errors that name
  the file at fault.
* :func:`sample_photos` returns the color photos that ship inside scikit-image and
  scikit-learn (no downloads).
* :func:`split_by_name` splits photos into train and test by a hash of each file name, so a
  photo stays on its side whatever other files are added or removed.
"""
import fnmatch
import hashlib
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from . import formats
# IMAGE_EXTENSIONS is defined in nncolor.formats, below both this module and nncolor.io,
# which names it in messages too; it stays importable from here
from .formats import IMAGE_EXTENSIONS
from .io import read_image


def load_folder(path, pattern=None, limit=None, *, require_color=True):
    """Read the photos of a folder, sorted by file name.

    Parameters
    ----------
    path : str or Path
        The folder. Sub-folders are not searched.
    pattern : str or sequence of str, optional
        Shell-style pattern(s) for the file names, matched case-insensitively
        (``"*.jpg"``, ``("*.jpg", "*.png")``, ``"opencountry_land*"``). None reads every
        file in a format the installed Pillow decodes
        (:func:`nncolor.formats.image_extensions`).
    limit : int, optional
        Read only the first ``limit`` files (in file-name order).
    require_color : bool, default=True
        Photos to train a colorizer on must have color: a grayscale file (PIL mode ``L``,
        ``I;16``, ...), or an RGB file whose three channels are equal everywhere, raises
        ``ValueError``. With False, such files are returned as ``H x W`` uint8 arrays
        (16-bit and float files are scaled to 0-255), so real black-and-white photos can be
        loaded for colorizing.

    Returns
    -------
    images : list of ndarray of uint8
        ``H x W x 3`` RGB, upright (EXIF orientation applied, as
        :func:`nncolor.io.read_image` reads; palette, CMYK and RGBA files are converted
        to RGB; alpha is dropped).
    names : list of str
        The file names without their extension (``"opencountry_land352"``), in the same
        order.

    Raises
    ------
    FileNotFoundError
        The folder does not exist, or no file in it matches.
    NotADirectoryError
        ``path`` is a file.
    ValueError
        A file cannot be decoded (corrupt, truncated, not an image), a grayscale file with
        ``require_color``, or two files with the same name but different extensions. The
        message names the file.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from PIL import Image
    >>> folder = tempfile.mkdtemp()
    >>> Image.fromarray(np.full((4, 6, 3), (200, 40, 10), np.uint8)).save(f"{folder}/b.png")
    >>> Image.fromarray(np.full((4, 6, 3), (10, 40, 200), np.uint8)).save(f"{folder}/a.png")
    >>> images, names = load_folder(folder)
    >>> names, images[0].shape, images[0].dtype.name, images[0][0, 0].tolist()
    (['a', 'b'], (4, 6, 3), 'uint8', [10, 40, 200])
    """
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"image folder not found: {folder}")
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder: {folder}")
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    files = sorted((p for p in folder.iterdir() if p.is_file() and _matches(p.name, patterns)),
                   key=lambda p: p.name)
    if not files:
        wanted = ", ".join(patterns) if patterns else ", ".join(IMAGE_EXTENSIONS)
        raise FileNotFoundError(f"no image files ({wanted}) in {folder}")
    if limit is not None:
        if not isinstance(limit, Integral) or limit < 1:
            raise ValueError(f"limit must be a positive integer or None; got {limit!r}")
        files = files[:limit]
    names = [p.stem for p in files]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"files in {folder} share a name with different extensions: "
                         f"{', '.join(dup)} (pass a pattern to choose one)")
    return [_read(p, require_color) for p in files], names


def _matches(name, patterns):
    if patterns is None:
        return is_image_name(Path(name))
    return any(fnmatch.fnmatchcase(name.lower(), pat.lower()) for pat in patterns)


def is_image_name(relative):
    """An image file name by extension (any format the installed Pillow decodes, any
    case), not hidden nor in a hidden folder (:func:`nncolor.formats.is_image_name`)."""
    return formats.is_image_name(relative)


def _read(file, require_color):
    array = read_image(file)  # upright; errors name the file
    if array.dtype == np.uint16:  # 16-bit scans: the 0-255 scale the colorizer trains on
        array = np.round(array / 257.0).astype(np.uint8)
    elif array.dtype != np.uint8:  # floating-point TIFF in [0, 1]
        array = np.round(array * 255.0).astype(np.uint8)
    if array.ndim == 3:
        array = array[..., :3]  # alpha dropped
        if (array[..., 0] == array[..., 1]).all() and (array[..., 1] == array[..., 2]).all():
            array = array[..., 0]  # RGB with three equal channels is a gray photo
    if array.ndim == 2 and require_color:
        raise ValueError(f"{file} is not a color photo (its R, G and B are equal "
                         "everywhere); pass require_color=False to load gray photos")
    return np.ascontiguousarray(array)


def sample_photos():
    """The color photos that ship with scikit-image and scikit-learn, by name.

    No downloads: ``astronaut``, ``chelsea``, ``coffee`` and ``rocket`` come from
    ``skimage.data``; ``china`` and ``flower`` from ``sklearn.datasets.load_sample_images``
    (sources and licenses: ``data/README.md``).

    Returns
    -------
    dict of str -> ndarray of uint8, shape (H, W, 3)
        In the order above.

    Examples
    --------
    >>> photos = sample_photos()
    >>> list(photos)
    ['astronaut', 'chelsea', 'coffee', 'rocket', 'china', 'flower']
    >>> photos["china"].shape, photos["china"].dtype.name
    ((427, 640, 3), 'uint8')
    """
    from skimage import data
    from sklearn.datasets import load_sample_images

    china, flower = load_sample_images().images
    out = {name: getattr(data, name)() for name in ("astronaut", "chelsea", "coffee", "rocket")}
    out.update(china=china, flower=flower)
    return {name: np.ascontiguousarray(im[..., :3], dtype=np.uint8) for name, im in out.items()}


def _unit_hash(name, seed):
    """A number in [0, 1) from SHA-256 of ``"<seed>:<name>"``: the same on every machine."""
    digest = hashlib.sha256(f"{seed}:{name}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def evenly_spaced(n, k=None):
    """Positions of ``k`` of ``n`` items spread evenly over them, the first among them.

    A sample of held-out photos taken this way covers every kind of photo in a folder
    whose names begin with the kind (``coast_...``, ``forest_...``), where the first ``k``
    would be one kind.

    Parameters
    ----------
    n : int >= 0
        How many items there are.
    k : int >= 1, optional
        How many to keep; None, or ``k >= n``: all of them.

    Returns
    -------
    ndarray of int, shape (min(k, n),)
        Ascending positions in ``range(n)``.

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer.

    Examples
    --------
    >>> evenly_spaced(10, 4)
    array([0, 3, 6, 9])
    """
    if k is not None and not (isinstance(k, Integral) and k >= 1):
        raise ValueError(f"k must be a positive integer or None; got {k!r}")
    if k is None or k >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, k).round().astype(int))


def split_by_name(names, test_size=0.25, seed=0):
    """Train / test indices of photos, decided by a hash of each photo's name.

    Each name gets a number ``h`` in [0, 1) from SHA-256 of ``"<seed>:<name>"``. With a
    float ``test_size``, a photo is a test photo when ``h < test_size``: its side depends on
    its own name only, so adding, removing or reordering other files never moves it, and
    the split is the same on every machine and Python version (unlike ``hash()``). The
    test share is then ``test_size`` on average, not exactly; in the rare case that one
    side would be empty (tiny sets), the photo with the smallest ``h`` goes to test (or the
    largest to train). With an int ``test_size``, the ``test_size`` photos of smallest
    ``h`` are the test set: an exact count, still stable except near the boundary.

    Parameters
    ----------
    names : sequence of str
        Unique photo names (file names, e.g. from :func:`load_folder`).
    test_size : float in (0, 1) or int >= 1, default=0.25
    seed : int, default=0
        Another seed gives another, independent split.

    Returns
    -------
    train_idx, test_idx : ndarray of int
        Positions in ``names``, ascending, disjoint, together all of them.

    Examples
    --------
    >>> names = [f"photo{i:03d}" for i in range(100)]
    >>> train, test = split_by_name(names, test_size=0.25)
    >>> len(train), len(test)
    (81, 19)
    >>> more = ["new1", "new2"] + names  # new files do not move the old ones
    >>> moved = set(test + 2) ^ set(split_by_name(more)[1]) - {0, 1}
    >>> sorted(moved)
    []
    """
    names = [str(n) for n in names]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"split_by_name needs unique names; repeated: {', '.join(dup[:5])}")
    n = len(names)
    if n < 2:
        raise ValueError(f"need at least 2 names to split; got {n}")
    h = np.array([_unit_hash(name, seed) for name in names])
    if isinstance(test_size, Integral) and not isinstance(test_size, bool):
        if not 1 <= test_size < n:
            raise ValueError(f"an int test_size must be in [1, {n - 1}]; got {test_size}")
        test = np.zeros(n, dtype=bool)
        test[np.argsort(h, kind="stable")[:test_size]] = True
    elif isinstance(test_size, Real) and 0 < test_size < 1:
        test = h < test_size
        if not test.any():
            test[np.argmin(h)] = True
        elif test.all():
            test[np.argmax(h)] = False
    else:
        raise ValueError(f"test_size must be a float in (0, 1) or an int; got {test_size!r}")
    return np.flatnonzero(~test), np.flatnonzero(test)
