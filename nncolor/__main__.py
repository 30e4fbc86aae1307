"""``python -m nncolor``: the ``nncolor`` command line (:mod:`nncolor.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
