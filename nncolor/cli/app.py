"""The ``nncolor`` parser and :func:`main`: parse, run the command, map errors to statuses."""
import argparse
import sys

from .. import __version__
from . import colorize, evaluate, grid, info, serve, train, video
from .errors import run_reporting
from .options import PROG, SuggestingParser

#: The command modules, in the order ``--help`` lists them: each has ``NAME``,
#: ``add_parser(commands, common)`` and ``run(args, argv)``.
COMMANDS = [colorize, train, evaluate, grid, info, video, serve]


def build_parser():
    """The ``nncolor`` argument parser: one subparser per command in :data:`COMMANDS`."""
    return _build()[0]


def _build():
    """The parser, and each command's subparser by name (for its own usage errors)."""
    parser = SuggestingParser(
        prog=PROG, description="Colorize grayscale photographs (SOM color codebook + MLP).",
        epilog="Run `nncolor COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"nncolor {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    subparsers = {command.NAME: command.add_parser(commands, common) for command in COMMANDS}
    return parser, subparsers


def main(argv=None):
    """Run the command line; returns the exit status (0 ok, 1 error, 2 usage, 130 Ctrl-C)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser, subparsers = _build()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the command's own usage, and the nearest of its options
        subparsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    command = {c.NAME: c for c in COMMANDS}[args.command]
    return run_reporting(f"{PROG} {args.command}", lambda: command.run(args, argv),
                         debug=args.debug)
