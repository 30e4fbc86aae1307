"""The one place where an exception becomes a line and an exit status.

0: done; 1: a problem the person running the command can act on (one line on stderr,
``nncolor COMMAND: error: ...``, no traceback unless ``--debug``); 2: a usage error
(argparse's own exit); 130: interrupted (Ctrl-C). A reader that stops reading (``| head``)
is not an error. Warnings print as one line each.
"""
import os
import signal
import sys
import warnings
from contextlib import contextmanager

from ..batch import describe as describe_exception
from ..batch import quiet_pillow_bomb_warning

#: Exit statuses by outcome.
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """A problem the person running the command can act on: one line, exit status 1."""


def worker_processes(n_jobs, **kwargs):
    """``joblib.Parallel`` whose worker processes leave Ctrl-C to this one.

    A terminal's Ctrl-C reaches every process of the group. A worker caught between two
    tasks printed ``KeyboardInterrupt``'s traceback; this process already stops the pool
    (joblib ends its workers when its generator is interrupted or closed), removes what
    they left half-written and says what was written.
    """
    from joblib import Parallel

    return Parallel(n_jobs=n_jobs, initializer=_ignore_interrupts, **kwargs)


@contextmanager
def stopping_workers(results):
    """Context for reading a generator of results (of :func:`worker_processes`, or of a
    cluster), which it closes on leaving: stopped between two results (Ctrl-C, an error),
    the workers end then, before what they wrote is counted, not when the generator is
    collected. joblib's warning that tasks were cancelled is not shown: the command says
    what was written. Yields ``results``."""
    try:
        yield results
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.close()


def _ignore_interrupts():
    """In a worker process, first thing: SIGINT is ignored (see :func:`worker_processes`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def describe(exc):
    """One line for an exception (:func:`nncolor.batch.describe`); a CommandError as is."""
    if isinstance(exc, CommandError):
        return " ".join(str(exc).split())
    return describe_exception(exc)


def run_reporting(prefix, run, debug=False):
    """``run()``'s exit status, with every exception turned into its status and line.

    Parameters
    ----------
    prefix : str
        ``"nncolor COMMAND"``: starts every error and warning line.
    run : callable
        The command; returns an exit status (None: 0).
    debug : bool
        Let an error's traceback through instead of the line.
    """
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning(prefix)
        quiet_pillow_bomb_warning()
        try:
            return run() or OK
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return INTERRUPTED
        except BrokenPipeError:  # the reader (head, less) stopped reading: not our error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return OK
        except Exception as exc:
            if debug:
                raise
            print(f"{prefix}: error: {describe(exc)}", file=sys.stderr)
            return FAILED


def _one_line_warning(prefix):
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prefix}: warning: {' '.join(str(message).split())}", file=sys.stderr)
    return show
