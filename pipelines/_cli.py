"""Command-line plumbing shared by the experiment scripts (table1, table2, figures).

Every experiment takes ``--data``, ``--out``, ``--quick`` and ``--overwrite``, checks its
numbers are positive, and turns a refused overwrite or a bad input into one line.
"""
import argparse
import sys
from pathlib import Path

DEFAULT_DATA = "../shared/data/opencountry-64"


def experiment_parser(doc, out, quick_help):
    """An ``ArgumentParser`` with the options every experiment shares."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help=f"folder of color photos (default: {DEFAULT_DATA})")
    parser.add_argument("--out", default=out, help=f"output folder (default: {out})")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    return parser


def check_args(name, args, positive=()):
    """Exit with one line when the data folder is missing or a count is not positive."""
    if not Path(args.data).is_dir():
        sys.exit(f"{name}: data folder not found: {args.data} (see data/README.md)")
    for option in positive:
        value = getattr(args, option)
        if value is not None and value < 1:
            sys.exit(f"{name}: --{option.replace('_', '-')} must be a positive integer; "
                     f"got {value}")


def run_or_exit(name, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, with a refused overwrite or bad input as a one-line exit."""
    try:
        return fn(*args, **kwargs)
    except FileExistsError as exc:
        sys.exit(f"{name}: {exc} (pass --overwrite to replace the earlier run)")
    except (ValueError, FileNotFoundError) as exc:
        sys.exit(f"{name}: {exc}")


def refuse_existing(out, names, overwrite):
    """Raise ``FileExistsError`` if any output exists: refuse before the long work, not after
    it, so a refused run leaves no folder that mixes two runs."""
    existing = [name for name in names if (Path(out) / name).exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{Path(out) / existing[0]} exists")
