"""``--scheduler`` / ``--dask``: running a command's work on a Dask cluster."""
from contextlib import nullcontext

from .errors import CommandError


def on_cluster(args):
    """Whether the command was asked to run on a cluster."""
    return args.scheduler is not None or args.dask is not None


def check_cluster(args):
    """With ``--scheduler``/``--dask``: refuse at once when dask.distributed is missing
    (a :class:`CommandError` naming the ``pip install``), before any work."""
    if not on_cluster(args):
        return
    from ..distributed import require_distributed

    try:
        require_distributed()
    except ImportError as exc:
        raise CommandError(str(exc)) from None


def cluster(args):
    """A Dask client for ``--scheduler``/``--dask`` (closed on exit), or None without them.

    The command has already run :func:`check_cluster`, before loading anything."""
    if not on_cluster(args):
        return nullcontext()
    from ..distributed import cluster_client

    return cluster_client(args.scheduler, args.dask)


def cluster_results(args, model, jobs, reference):
    """``(src, error)`` of each job, colorized on the cluster by the same rules as here."""
    from ..distributed import colorize_files

    if not jobs:  # every input was refused: no cluster to start
        return
    with cluster(args) as client:
        yield from colorize_files(client, jobs, model, reference=reference,
                                  overwrite=args.overwrite, max_pixels=args.max_pixels)
