"""Names and limits the command line needs before any work: importable without NumPy.

``nncolor --help`` builds its parser from these, so that it answers at once; the modules
that use them (:mod:`nncolor.decode`, :mod:`nncolor.io`, :mod:`nncolor.batch`) import them
from here.
"""

#: The decoders, from per-pixel codebook probabilities to chroma (:mod:`nncolor.decode`).
DECODERS = ("mode", "expectation", "annealed", "mrf")

#: The most pixels (width x height) :func:`nncolor.io.read_image` decodes unless told
#: otherwise: 2**28 = 268 435 456, room for a 16 000 x 16 000 scan (see
#: ``nncolor.io.MAX_PIXELS``, which starts with this value).
MAX_PIXELS = 2**28

#: The output formats of a batch by name, and the file extension each writes
#: (:mod:`nncolor.batch`; ``"same"`` keeps each input's own).
OUTPUT_FORMATS = {"png": ".png", "jpg": ".jpg", "tif": ".tif"}
