"""The ``nncolor`` parser and :func:`main`: parse, run the command, map errors to statuses.

The command modules are imported only when needed: ``nncolor --help`` lists the commands
from :data:`COMMANDS` without importing any, and ``nncolor colorize ...`` imports
:mod:`nncolor.cli.colorize` alone.
"""
import argparse
import importlib
import sys

from .. import __version__
from .errors import run_reporting
from .options import PROG, SuggestingParser

#: The commands and their one-line summaries, in the order ``--help`` lists them. Each is
#: the module ``nncolor.cli.NAME``, with ``DESCRIPTION``, ``EXAMPLE``,
#: ``add_arguments(subparser)`` and ``run(args, argv)``.
COMMANDS = {
    "colorize": "Colorize grayscale photos",
    "train": "Train a colorizer on color photos",
    "evaluate": "Measure a model on the gray versions of color photos",
    "grid": "Grid-search patch size and SOM shape with cross-validation",
    "info": "Show a model's card",
    "video": "Colorize a film",
    "serve": "Colorize by hand in a local web page",
}


def command_module(name):
    """The module of command ``name`` (:data:`COMMANDS`)."""
    return importlib.import_module(f".{name}", __package__)


def build_parser(commands=None):
    """The ``nncolor`` argument parser: one subparser per command in :data:`COMMANDS`.

    Parameters
    ----------
    commands : iterable of str, optional
        The commands whose options to add (importing their modules); None: all. The
        others are listed, with their summaries, but take no options.
    """
    return _build(COMMANDS if commands is None else commands)[0]


def _build(commands):
    """The parser, and each command's subparser by name (for its own usage errors)."""
    parser = SuggestingParser(
        prog=PROG, description="Colorize grayscale photographs (SOM color codebook + MLP).",
        epilog="Run `nncolor COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"nncolor {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    subs = {}
    for name, summary in COMMANDS.items():
        sub = subparsers.add_parser(name, parents=[common], help=summary)
        if name in commands:
            module = command_module(name)
            sub.description = f"{summary}. {module.DESCRIPTION}"
            sub.epilog = f"example: {module.EXAMPLE}"
            module.add_arguments(sub)
        subs[name] = sub
    return parser, subs


def _named_command(argv):
    """The command ``argv`` names: its first word that is not an option (None: none)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv=None):
    """Run the command line; returns the exit status (0 ok, 1 error, 2 usage, 130 Ctrl-C)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    named = _named_command(argv)
    # only the named command's module is imported; a mistyped name imports none
    parser, subparsers = _build([named] if named in COMMANDS else [])
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the command's own usage, and the nearest of its options
        subparsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    command = command_module(args.command)
    return run_reporting(f"{PROG} {args.command}", lambda: command.run(args, argv),
                         debug=args.debug)
