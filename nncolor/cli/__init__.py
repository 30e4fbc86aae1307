"""The ``nncolor`` command line: train, colorize, evaluate, grid search, model card, and
a local page for colorizing by hand (``serve``).

``nncolor colorize photo.jpg`` works out of the box with the model that ships in the
package. Every subcommand takes files, folders and glob patterns; refuses to overwrite a
file unless ``--overwrite``; writes through a temporary file, so an interrupted run leaves
no half-written output; in a batch, reports a bad file, skips it, finishes the others and
exits with status 1 ("N of M failed"). A problem a person can fix (a missing or
incompatible model, an unreadable image, an unwritable folder) is one line on stderr and
exit status 1, without a traceback unless ``--debug``; a bad option is argparse's usage
error, exit status 2; Ctrl-C exits with 130. A batch that stops early (Ctrl-C, a worker
process killed) says how many outputs were written and removes the temporary files of
the ones that were not.

Model files: skops files load without running code; a pickle (joblib) file is refused
unless ``--trust-model``. Images declaring more than ``--max-pixels`` pixels are refused
from their header, before decoding.

The library raises exceptions; this package is the only place that turns them into lines
(:mod:`nncolor.cli.errors`). One module per command (``train``, ``colorize``, ``evaluate``,
``grid``, ``info``, ``video``, ``serve``: each ``add_arguments`` and ``run``, imported only
when its command runs); option types and the option groups they share in
:mod:`nncolor.cli.options`; what they print in :mod:`nncolor.cli.report`; the parser and
:func:`main` in :mod:`nncolor.cli.app`. Building the parser imports no NumPy or
scikit-learn: a command imports what it needs when it runs.
"""
from .app import COMMANDS, build_parser, main
from .errors import CommandError
from .options import PROG

__all__ = ["COMMANDS", "CommandError", "PROG", "build_parser", "main"]
