"""Names and limits the command line needs before any work: importable without NumPy.

``nncolor --help`` builds its parser from these, so that it answers at once; the modules
that use them (:mod:`nncolor.decode`, :mod:`nncolor.io`, :mod:`nncolor.batch`) import them
from here.
"""
from pathlib import Path

#: The decoders, from per-pixel codebook probabilities to chroma (:mod:`nncolor.decode`).
DECODERS = ("mode", "expectation", "annealed", "mrf")

#: The most pixels (width x height) :func:`nncolor.io.read_image` decodes unless told
#: otherwise: 2**28 = 268 435 456, room for a 16 000 x 16 000 scan (see
#: ``nncolor.io.MAX_PIXELS``, which starts with this value).
MAX_PIXELS = 2**28

#: The output formats of a batch by name, and the file extension each writes
#: (:mod:`nncolor.batch`; ``"same"`` keeps each input's own).
OUTPUT_FORMATS = {"png": ".png", "jpg": ".jpg", "tif": ".tif"}

#: The folder of the models that ship with nncolor: each ``NAME.skops`` in it is the
#: model called NAME (:func:`shipped_model_files`).
MODELS_DIR = Path(__file__).resolve().parent / "models"

#: The model file name endings the command line writes and reads: skops (safe to share)
#: first, then the joblib pickles (``nncolor.model_file.PICKLE_SUFFIXES``).
MODEL_SUFFIXES = (".skops", ".joblib", ".pkl", ".pickle")


def shipped_model_files(folder=MODELS_DIR):
    """The ``*.skops`` files of ``folder`` (the shipped models), sorted by name.

    Listed without loading anything, so that ``--help`` can name the shipped models.

    Parameters
    ----------
    folder : Path, default=MODELS_DIR

    Returns
    -------
    list of Path
        Each model is called by its file's stem (``default``, ...).
    """
    return sorted(Path(folder).glob("*.skops"))
