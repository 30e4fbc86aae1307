"""Writing results safely: atomically, and never over an existing file unless asked."""
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np


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
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_image(path, image, overwrite=False):
    """Save an image (float in [0, 1], or uint8/uint16) as 8-bit, atomically.

    The format follows the extension (PNG, JPEG, ...).
    """
    from skimage.io import imsave
    from skimage.util import img_as_ubyte

    image = np.asarray(image)
    if np.issubdtype(image.dtype, np.floating):
        image = np.clip(image, 0, 1)
    with atomic_path(path, overwrite) as tmp:
        imsave(tmp, img_as_ubyte(image), check_contrast=False)
    return Path(path)


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
