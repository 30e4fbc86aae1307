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

The library raises exceptions; this module is the only place that turns them into lines.
"""
import argparse
import json
import os
import shlex
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from . import __version__
from .batch import colorize_file, is_earlier_output, output_problem, quiet_pillow_bomb_warning
from .defaults import DECODERS, MAX_PIXELS

PROG = "nncolor"
FORMATS = {"png": ".png", "jpg": ".jpg", "tif": ".tif"}
_MAX_PRINTED_ROWS = 12  # per-image tables longer than this print only their means


class CommandError(Exception):
    """A problem the person running the command can act on: one line, exit status 1."""


# ----------------------------------------------------------- option value types
def _checked(convert, rule):
    """An argparse ``type`` that converts a value or says which rule it breaks."""

    def parse(text):
        try:
            value = convert(text)
        except (TypeError, ValueError):
            value = None
        if value is None:
            raise argparse.ArgumentTypeError(f"{text!r}: expected {rule}")
        return value

    parse.__name__ = rule  # argparse names the type in some messages
    return parse


def _pixel_count(text):
    """A positive integer, written out or as a power: 268435456, 268_435_456 or 2**28."""
    base, _, exponent = text.partition("**")
    value = int(base) ** int(exponent) if exponent and 0 <= int(exponent) <= 64 else int(text)
    return value if value >= 1 else None


def _positive_int(text):
    value = int(text)
    return value if value >= 1 else None


def _patch_size(text):
    value = int(text)
    return value if value % 2 == 1 and 1 <= value <= 31 else None


def _shape(text):
    rows, cols = (int(v) for v in text.lower().split("x"))
    return (rows, cols) if rows >= 1 and cols >= 1 and rows * cols >= 2 else None


def _layers(text):
    sizes = tuple(int(v) for v in text.split(","))
    return sizes if sizes and all(s >= 1 for s in sizes) else None


def _n_jobs(text):
    value = int(text)
    return value if value != 0 else None


def _test_size(text):
    if "." in text or "e" in text.lower():
        value = float(text)
        return value if 0 <= value < 1 else None
    value = int(text)
    return value if value >= 0 else None


def _smoothing(text):
    value = float(text)
    return value if 0 <= value < 1 else None


def _list_of(parse_one):
    def parse(text):
        values = [parse_one(v) for v in text.split(",") if v.strip()]
        return values if values and None not in values else None
    return parse


def _working_size(text):
    if text in ("auto", "full"):
        return text
    value = int(text)
    return value if value >= 16 else None


POSITIVE_INT = _checked(_positive_int, "a positive integer")
PATCH_SIZE = _checked(_patch_size, "an odd patch size from 1 to 31")
SOM_SHAPE = _checked(_shape, "a SOM shape ROWSxCOLS with at least 2 nodes, like 3x3")
HIDDEN = _checked(_layers, "hidden layer sizes like 50 or 50,50")
N_JOBS = _checked(_n_jobs, "a number of jobs: 1, 2, ... or -1 for all cores")
TEST_SIZE = _checked(_test_size, "a share in [0, 1) like 0.25, or a count of photos like 20")
PATCH_SIZES = _checked(_list_of(_patch_size), "odd patch sizes like 3,5,11")
SOM_SHAPES = _checked(_list_of(_shape), "SOM shapes like 3x3,5x5")
SMOOTHING = _checked(_smoothing, "a smoothing weight in [0, 1) like 0.7")
PIXEL_COUNT = _checked(_pixel_count, "a positive number of pixels like 400000000 or 2**29")


WORKING_SIZE = _checked(_working_size, "auto, full or a side in pixels of at least 16 "
                        "like 256")


# -------------------------------------------------------------------- parser
class SuggestingParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors suggest the nearest valid word.

    argparse (before Python 3.14) says "invalid choice" and "unrecognized arguments"
    without a suggestion; this adds "did you mean ...?" from :func:`difflib.get_close_matches`.
    Subparsers are of the same class (``add_subparsers`` takes the parent's class).
    """

    def error(self, message):
        super().error(suggest(message, self.option_names()))

    def option_names(self):
        """Every option string this parser takes (``--output``, ``-o``, ...)."""
        return [name for action in self._actions for name in action.option_strings]


def nearest(word, candidates):
    """The candidate closest to a mistyped ``word``, or None when none is close."""
    from difflib import get_close_matches

    found = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(message, options=()):
    """An argparse error message with "did you mean ...?" for a mistyped choice or option."""
    import re

    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        near = nearest(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)))
        return f"{message}; did you mean {near!r}?" if near else message
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        hints = []
        for word in unknown.group(1).split():
            option = word.split("=", 1)[0]
            near = nearest(option, options) if option.startswith("-") else None
            if near and near != option:
                hints.append((option, near))
        if len(hints) == 1:
            return f"{message}; did you mean {hints[0][1]}?"
        if hints:
            return f"{message}; did you mean {', '.join(f'{n} (for {o})' for o, n in hints)}?"
    return message


def build_parser():
    """The ``nncolor`` argument parser: one subparser per command in :data:`COMMANDS`."""
    parser = SuggestingParser(
        prog=PROG, description="Colorize grayscale photographs (SOM color codebook + MLP).",
        epilog="Run `nncolor COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"nncolor {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands, common)
    return parser


def _command(commands, common, name, run, summary, description, example):
    sub = commands.add_parser(
        name, parents=[common], help=summary, description=f"{summary}. {description}",
        epilog=f"example: {example}")
    sub.set_defaults(run=run, command_parser=sub)
    return sub


def _add_inputs(sub, what):
    sub.add_argument("images", nargs="+", metavar="IMAGES",
                     help=f"{what}: files, folders or glob patterns")
    sub.add_argument("--recursive", action="store_true", help="also search sub-folders")
    _add_max_pixels(sub, "images")


def _add_trust_model(sub):
    sub.add_argument("--trust-model", action="store_true",
                     help="allow a pickle (joblib) model file: loading one runs any code it "
                          "holds, so only for files you made or trust (.skops files load "
                          "safely without it)")


def _add_model_options(sub):
    sub.add_argument("--hidden", type=HIDDEN, default=(50, 50),
                     help="MLP hidden layer sizes (default: 50,50)")
    sub.add_argument("--n-samples", type=POSITIVE_INT, default=2500,
                     help="training pixels drawn per photo (default: 2500)")
    sub.add_argument("--max-iter", type=POSITIVE_INT, default=200,
                     help="MLP epochs at most (default: 200)")
    sub.add_argument("--som-iterations", type=POSITIVE_INT, default=10_000,
                     help="SOM training steps (default: 10000)")
    sub.add_argument("--seed", type=int, default=0,
                     help="random seed of sampling, SOM, MLP and split (default: 0)")


def _add_decoder(sub, default=None):
    default_text = default or "the model's own"
    sub.add_argument("--decoder", choices=DECODERS, default=default,
                     help=f"how per-pixel probabilities become colors (default: {default_text})")


def _add_output_file(sub, what):
    sub.add_argument("--overwrite", action="store_true",
                     help=f"replace an existing {what}")


def _add_n_jobs(sub, what):
    sub.add_argument("-j", "--n-jobs", type=N_JOBS, default=1,
                     help=f"{what} in parallel (default: 1; -1: all cores)")


def add_train(commands, common):
    sub = _command(
        commands, common, "train", run_train, "Train a colorizer on color photos",
        "The photos are split by file name (nncolor.datasets.split_by_name) into training "
        "and held-out ones; the model is fitted on the first and measured on the second, "
        "and saved with a model card (see `nncolor info`).",
        "nncolor train photos/ more/*.jpg -o model.skops --som-shape 5x5")
    _add_inputs(sub, "color photos to learn from")
    sub.add_argument("-o", "--output", required=True, type=Path, metavar="MODEL",
                     help="the model file to write: model.skops (safe to share: loads "
                          "without running code) or model.joblib (a pickle, for trusted "
                          "use in notebooks)")
    sub.add_argument("--patch-size", type=PATCH_SIZE, default=5,
                     help="odd side of the lightness patch (default: 5)")
    _add_model_options(sub)
    sub.add_argument("--som-shape", type=SOM_SHAPE, default=(3, 3),
                     help="SOM grid ROWSxCOLS: ROWS*COLS codebook colors (default: 3x3)")
    _add_decoder(sub, default="annealed")
    sub.add_argument("--test-size", type=TEST_SIZE, default=0.25,
                     help="held-out share (0.25) or count (20) of photos; 0: none "
                          "(default: 0.25)")
    sub.add_argument("-j", "--n-jobs", type=N_JOBS,
                     help="threads for training (BLAS) and for colorizing the held-out "
                          "photos (default: BLAS's own, usually all cores)")
    _add_output_file(sub, "model file")


def add_colorize(commands, common):
    sub = _command(
        commands, common, "colorize", run_colorize_batch, "Colorize grayscale photos",
        "Writes one image per input, named <stem><suffix>.<format>: into the -o folder "
        "(mirroring sub-folders with --recursive), or next to each input. Images keep their "
        "size; EXIF orientation is applied; 16-bit inputs give 16-bit PNG/TIFF outputs. "
        "Files named *<suffix>.* found in folders are earlier outputs and are skipped.",
        "nncolor colorize old_photos/ -o colorized/ -j 2")
    _add_inputs(sub, "images to colorize")
    sub.add_argument("-o", "--output", type=Path, metavar="OUT",
                     help="output folder (default: next to each input); with one input, "
                          "an image file name also works")
    sub.add_argument("-m", "--model", metavar="MODEL",
                     help="model file (default: the model shipped with nncolor)")
    _add_trust_model(sub)
    _add_decoder(sub)
    sub.add_argument("--working-size", type=WORKING_SIZE, metavar="SIZE",
                     help="classify large photos at this side in pixels and upsample the "
                          "colors guided by the full-resolution lightness (docs/"
                          "working-resolution.md); auto: the model's training size; full: "
                          "always full resolution (default: the model's own)")
    sub.add_argument("--hints", type=Path, metavar="HINTS",
                     help="RGBA image of color hints (alpha > 0.5 marks hinted pixels), "
                          "or a folder of <stem>.png hints, one per input")
    sub.add_argument("--reference", type=Path, metavar="REF",
                     help="color photo whose colors the output should lean towards")
    sub.add_argument("--format", choices=[*FORMATS, "same"], default="png",
                     help="output format; same: the input's (default: png)")
    sub.add_argument("--suffix", default="_colorized",
                     help="added to each output's name (default: _colorized)")
    _add_n_jobs(sub, "images")
    _add_output_file(sub, "output (or an input)")
    _add_cluster_options(sub, "the images")


def add_evaluate(commands, common):
    sub = _command(
        commands, common, "evaluate", run_evaluate,
        "Measure a model on the gray versions of color photos",
        "Prints PSNR, RMSE of (u, v), codebook accuracy, colorfulness and splotchiness "
        "(means over photos) for the model and two baselines: gray (u = v = 0) and the "
        "training set's mean color.",
        "nncolor evaluate default test_photos/ -o metrics.csv")
    sub.add_argument("model", metavar="MODEL", help="model file, or `default`")
    _add_trust_model(sub)
    _add_inputs(sub, "color photos")
    sub.add_argument("-o", "--output", type=Path, metavar="CSV",
                     help="write the per-photo table as CSV")
    _add_decoder(sub)
    _add_n_jobs(sub, "photos")
    _add_output_file(sub, "CSV file")


def add_grid(commands, common):
    sub = _command(
        commands, common, "grid", run_grid,
        "Grid-search patch size and SOM shape with cross-validation",
        "GridSearchCV over the colorizer, folds split by photo, scored by PSNR (dB). Writes "
        "grid.csv and the heat map grid.png to the output folder.",
        "nncolor grid photos/ --patch-sizes 3,5,11 --som-shapes 3x3,5x5 -o grid/")
    _add_inputs(sub, "color photos")
    sub.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR",
                     help="folder for grid.csv and grid.png")
    sub.add_argument("--patch-sizes", type=PATCH_SIZES, default=[3, 5, 11],
                     help="patch sizes to try (default: 3,5,11)")
    sub.add_argument("--som-shapes", type=SOM_SHAPES, default=[(3, 3), (5, 5)],
                     help="SOM shapes to try (default: 3x3,5x5)")
    _add_model_options(sub)
    sub.add_argument("--cv", type=_checked(lambda t: int(t) if int(t) >= 2 else None,
                                           "a number of folds >= 2"), default=3,
                     help="cross-validation folds (default: 3)")
    _add_n_jobs(sub, "fits")
    _add_output_file(sub, "grid.csv or grid.png")


def add_info(commands, common):
    sub = _command(
        commands, common, "info", run_info, "Show a model's card",
        "Versions, parameters, training data and held-out metrics of a model file; for a "
        "colorizer saved without a card, its parameters. Without MODEL: the models that "
        "ship with nncolor.", "nncolor info default")
    sub.add_argument("model", metavar="MODEL", nargs="?",
                     help="model file, or the name of a shipped model (default: list them)")
    _add_trust_model(sub)
    sub.add_argument("--json", action="store_true", help="print the card as JSON")


def _add_max_pixels(sub, what):
    sub.add_argument("--max-pixels", type=PIXEL_COUNT, default=MAX_PIXELS,
                     help=f"refuse {what} whose header declares more pixels, before decoding "
                          f"them (a guard against decompression bombs; default: 2**28 = "
                          f"{MAX_PIXELS:,})")


def add_video(commands, common):
    sub = _command(
        commands, common, "video", run_video, "Colorize a film",
        "Frame by frame through ffmpeg (the imageio-ffmpeg package's own binary), keeping "
        "frame rate, size and audio; each pixel's color distribution is averaged over "
        "frames where its patch does not move, to stop flicker. Prints the flicker (mean "
        "frame-to-frame (u, v) change on static pixels) with and without that smoothing.",
        "nncolor video old_film.mp4 -o old_film_color.mp4")
    sub.add_argument("input", type=Path, metavar="IN", help="the video to colorize")
    sub.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                     help="the colorized video (its extension picks the container)")
    sub.add_argument("--model", default="default", help="model file (default: the shipped one)")
    _add_trust_model(sub)
    _add_decoder(sub)
    sub.add_argument("--smoothing", type=SMOOTHING, default=0.7,
                     help="temporal smoothing weight in [0, 1) (default 0.7; 0 turns it off)")
    sub.add_argument("--max-frames", type=POSITIVE_INT, help="stop after this many frames")
    _add_max_pixels(sub, "a video")
    sub.add_argument("--no-flicker", action="store_true",
                     help="skip the flicker measure (it decodes every frame a second time, "
                          "without smoothing)")
    _add_output_file(sub, "output video")
    _add_cluster_options(sub, "the frames' color probabilities")


def _port(text):
    value = int(text)
    return value if 0 <= value <= 65535 else None


def add_serve(commands, common):
    sub = _command(
        commands, common, "serve", run_serve, "Colorize by hand in a local web page",
        "Starts a page for one photo at a time: paint color hints on its gray version and "
        "see the result at once, choose the model and decoder, give a reference photo, see "
        "the uncertainty and alternatives, download the full-size PNG. Prints the page's "
        "address and opens nothing else; uploads are kept in memory only while needed. "
        "Needs pip install 'nncolor[web]'.",
        "nncolor serve --port 8000")
    sub.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only; "
                          "0.0.0.0 lets other machines reach the page)")
    sub.add_argument("--port", type=_checked(_port, "a port number from 0 to 65535"),
                     default=8000, help="port to listen on (default: 8000; 0: any free one)")
    _add_max_pixels(sub, "uploaded photos")


def run_serve(args):
    # the web stack is imported here only: other commands and `import nncolor` never load it
    from .web import require_web

    try:
        require_web()
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    from .web.server import serve

    try:
        serve(args.host, args.port, max_pixels=args.max_pixels,
              announce=lambda line: print(line, flush=True))
    except KeyboardInterrupt:  # Ctrl-C is how a server is meant to stop: not an error
        print(f"{PROG} serve: stopped", file=sys.stderr)
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{exc.strerror or exc}; choose another --port or --host") from None
    return 0


#: The subcommands, in the order ``--help`` lists them: ``add(commands, common)`` each.
COMMANDS = [add_colorize, add_train, add_evaluate, add_grid, add_info, add_video, add_serve]


# ---------------------------------------------------------------------- main
def main(argv=None):
    """Run the command line; returns the exit status (0 ok, 1 error, 2 usage, 130 Ctrl-C)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:  # the command's own usage, and the nearest of its options
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.argv = argv
    prefix = f"{PROG} {args.command}"
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning(prefix)
        quiet_pillow_bomb_warning()
        try:
            return args.run(args) or 0
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # the reader (head, less) stopped reading: not our error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except Exception as exc:
            if args.debug:
                raise
            print(f"{prefix}: error: {_describe(exc)}", file=sys.stderr)
            return 1


def _describe(exc):
    """One line for an exception (:func:`nncolor.batch.describe`); a CommandError as is."""
    from .batch import describe

    return " ".join(str(exc).split()) if isinstance(exc, CommandError) else describe(exc)


def _one_line_warning(prefix):
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prefix}: warning: {' '.join(str(message).split())}", file=sys.stderr)
    return show


def _report(prefix, message):
    """A per-file problem, printed without breaking a progress bar."""
    from tqdm import tqdm

    tqdm.write(f"{prefix}: error: {message}", file=sys.stderr)


def _finish(prefix, failures, total, what):
    """Exit status 1 with "N of M failed" when any file failed, else 0."""
    if not failures:
        return 0
    print(f"{prefix}: {failures} of {total} {what} failed", file=sys.stderr)
    return 1


def _progress(args, total, desc, unit):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=args.quiet, file=sys.stderr,
                dynamic_ncols=True)


# --------------------------------------------------------- inputs and outputs
def _expand(items, recursive, prefix):
    """The image files the items name, how many items named none (reported), and how many
    files folder scans passed over (each named, with the reason, on stderr).

    Returns
    -------
    found : list of (path, relative path, item)
    missing : int
    passed_over : int
    """
    from .io import find_images

    found, seen, missing, skipped = [], set(), 0, []
    for item in items:
        try:
            files = find_images(item, recursive=recursive, skipped=skipped)
        except (FileNotFoundError, NotADirectoryError) as exc:
            _report(prefix, exc)
            missing += 1
            continue
        for path, rel in files:
            key = path.resolve()
            if key not in seen:  # a file named twice (a folder and a glob) is done once
                seen.add(key)
                found.append((path, rel, item))
    for path, reason in skipped:
        print(f"{prefix}: skipped {path}: {reason}", file=sys.stderr)
    return found, missing, len(skipped)


def _passed_over(count):
    """The summary's word on the files folder scans passed over (named one by one above)."""
    if not count:
        return ""
    return f"; passed over {count} file{'s' if count != 1 else ''} (named above)"


def _load_photos(args, prefix):
    """Read the color photos the command's IMAGES name, with a progress bar.

    Returns
    -------
    images, names : lists
        ``names`` are the paths relative to the folder given, without extension (the full
        paths where those clash), for the split by name.
    sources : dict
        Photos read per item given.
    failed, total : int
        Items and files that gave no photo, and all of them.
    """
    from .io import read_image

    found, missing, passed_over = _expand(args.images, args.recursive, prefix)
    if passed_over:
        print(f"{prefix}: {_passed_over(passed_over)[2:]}", file=sys.stderr)
    images, read, sources = [], [], Counter()
    with _progress(args, len(found), "reading", "photo") as bar:
        for path, rel, item in found:
            try:
                images.append(read_image(path, require_color=True,
                                         max_pixels=args.max_pixels))
            except (OSError, ValueError) as exc:
                _report(prefix, _describe(exc))
            else:
                read.append((path, rel))
                sources[str(item)] += 1
            bar.update()
    names = [rel.with_suffix("").as_posix() for _, rel in read]
    if len(set(names)) != len(names):  # the same relative names under two folders
        names = [path.with_suffix("").as_posix() for path, _ in read]
    total = len(found) + missing
    return images, names, dict(sources), total - len(images), total


def _check_new_file(path, overwrite):
    """Refuse an existing file (unless overwrite) or an unwritable folder before working."""
    if path.is_dir():
        raise CommandError(f"{path} is a folder; name a file")
    if path.exists() and not overwrite:
        raise CommandError(f"{path} exists; pass --overwrite to replace it")
    _check_folder(path.parent)


def _check_folder(folder):
    """Create ``folder`` if needed and make sure files can be written into it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except FileExistsError:
        raise CommandError(f"cannot write into {folder}: it is a file, not a folder") from None
    except OSError as exc:
        raise CommandError(f"cannot write into folder {folder}: "
                           f"{exc.strerror or exc}") from None


def _load_model(args, check=True):
    """The model ``--model`` names, with ``--decoder`` applied where the command has it."""
    from .model_file import load_model

    model = load_model(args.model, check=check, trusted=args.trust_model)
    if getattr(args, "decoder", None):
        model.set_params(decoder=args.decoder)
    if getattr(args, "working_size", None):  # given on the command line
        model.set_params(working_size=None if args.working_size == "full" else args.working_size)
    return model


def _print_table(table, means_only):
    """Per-photo rows (few photos) and the means per method."""
    import pandas as pd

    columns = ["psnr", "rmse_uv", "accuracy", "colorfulness", "splotchiness"]
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        if not means_only:
            print(table.round(3).to_string(index=False, na_rep=""))
            print()
        means = table.groupby("method", sort=False)[columns].mean()
        means.insert(0, "photos", table.groupby("method", sort=False).size())
        print(means.round(3).to_string(na_rep=""))


# ------------------------------------------------------------------- train
def run_train(args):
    from threadpoolctl import threadpool_limits

    from .colorizer import make_colorizer
    from .model_file import fit_and_evaluate, make_card, model_format, save_model

    prefix = f"{PROG} train"
    _check_new_file(args.output, args.overwrite)  # before minutes of training
    images, names, sources, failed, total = _load_photos(args, prefix)
    if len(images) < 2:
        raise CommandError(f"need at least 2 color photos to train on; got {len(images)}")
    model = make_colorizer(
        patch_size=args.patch_size, som_shape=args.som_shape, hidden_layer_sizes=args.hidden,
        n_samples=args.n_samples, max_iter=args.max_iter, som_iterations=args.som_iterations,
        decoder=args.decoder, n_jobs=args.n_jobs, random_state=args.seed)
    print(f"training on {len(images)} photos (split by name, test size {args.test_size}, "
          f"seed {args.seed}) ...", flush=True)
    # None or -1: BLAS keeps its own thread count (usually all cores)
    limit = None if args.n_jobs is None or args.n_jobs < 0 else args.n_jobs
    with threadpool_limits(limits=limit):
        # prints progress and the verdict; a weak model's verdict is a warning line
        held_out, info = fit_and_evaluate(model, images, names, test_size=args.test_size,
                                          seed=args.seed, verbose=not args.quiet,
                                          prefix=prefix)
    model.set_params(n_jobs=None)  # a model file should not carry this machine's threads
    card = make_card(model, sources=sources, held_out=held_out,
                     command=shlex.join([PROG, *args.argv]),
                     **{k: info[k] for k in ("n_photos", "split", "fit_seconds")})
    save_model(model, args.output, card, overwrite=args.overwrite)
    print(f"trained on {info['n_photos']} photos ({model.n_training_pixels_} pixels, "
          f"{model.n_colors_} codebook colors) in {info['fit_seconds']:.1f} s")
    if held_out is not None:
        print(f"held-out photos ({info['split']['n_test']}), means per photo:")
        _print_table(held_out, means_only=True)
        if info["better"] and args.quiet:  # else printed already, or a warning
            print(info["verdict"])
    print(f"model written to {args.output}")
    if model_format(args.output) == "joblib":
        print("it is a joblib pickle: the commands load it only with --trust-model; save it "
              "as .skops to share it")
    return _finish(prefix, failed, total, "photos")


# ---------------------------------------------------------------- colorize
class Batch:
    """The outputs a batch plans to write: if it ends early, which were written, and the
    temporary files of the others (a worker killed while writing leaves one) removed.

    Parameters
    ----------
    outputs : list of Path
    total : int
        Images in the batch (also those that failed before being planned).
    """

    def __init__(self, outputs, total):
        from .io import leftover_temporaries

        self.outputs, self.total = outputs, total
        self._before = {dst: _mtime(dst) for dst in outputs}  # --overwrite: replaced or not
        self._stale = set(leftover_temporaries(outputs))  # not this run's to remove

    def written(self):
        """The outputs written (or replaced) since the batch was planned."""
        return [dst for dst in self.outputs if _mtime(dst) not in (None, self._before[dst])]

    def remove_temporaries(self):
        """Remove the temporary files this run left; how many there were."""
        from .io import leftover_temporaries

        removed = 0
        for tmp in set(leftover_temporaries(self.outputs)) - self._stale:
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed


def _mtime(path):
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def run_colorize_batch(args):
    """:func:`run_colorize`; a batch that ends early says what was written, and leaves no
    partial file."""
    try:
        return run_colorize(args)
    except BaseException as exc:
        batch = getattr(args, "batch", None)
        # nothing planned yet, so nothing written; or a refusal before any image started
        # (a cluster that cannot be reached)
        if batch is None or (isinstance(exc, CommandError) and not batch.written()):
            raise
        batch.remove_temporaries()
        written = batch.written()
        print(f"{PROG} colorize: stopped early: {len(written)} of {batch.total} images were "
              "written, the others were not (no partial files left)", file=sys.stderr)
        if _worker_died(exc):
            raise CommandError(
                "a worker process died (killed, or out of memory: try fewer --n-jobs); run "
                "the command again for the images not written") from exc
        raise


def _worker_died(exc):
    """A process pool lost a worker (loky's TerminatedWorkerError is a BrokenProcessPool)."""
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool)


def run_colorize(args):
    from joblib import Parallel, delayed

    from .io import read_image

    prefix = f"{PROG} colorize"
    model = _load_model(args)
    reference = None if args.reference is None else read_image(
        args.reference, require_color=True, max_pixels=args.max_pixels)
    found, missing, passed_over = _expand(args.images, args.recursive, prefix)
    earlier = [f for f in found if is_earlier_output(f[0], f[2], args.suffix)]
    if earlier:  # say so: a user's own file may carry the suffix
        print(f"skipped {len(earlier)} earlier outputs (*{args.suffix}.*), e.g. "
              f"{earlier[0][0]}", file=sys.stderr)
        skipped = {path for path, _, _ in earlier}
        found = [f for f in found if f[0] not in skipped]
    jobs = _plan_outputs(args, found, prefix)
    if not args.quiet:
        _warn_color_inputs(prefix, [src for src, _, _ in jobs])
    total = len(found) + missing
    args.batch = Batch([dst for _, dst, _ in jobs], total)  # for an early end
    failed = total - len(jobs)
    parallel = len(jobs) > 1
    # one image: its pixels in threads; several: whole images in worker processes
    model.set_params(n_jobs=1 if parallel else args.n_jobs)
    start = time.perf_counter()
    if _on_cluster(args):
        results = _cluster_results(args, model, jobs, reference)
    else:
        results = Parallel(n_jobs=args.n_jobs if parallel else 1,
                           return_as="generator_unordered")(
            delayed(colorize_file)(model, src, dst, hints, reference, args.overwrite,
                                   args.debug, args.max_pixels) for src, dst, hints in jobs)
    done = 0
    with _progress(args, len(jobs), "colorizing", "img") as bar:
        for src, error in results:
            if error:
                _report(prefix, error)
                failed += 1
            else:
                done += 1
            bar.update()
    where = args.output if args.output else "next to the inputs"
    print(f"colorized {done} of {total} images ({where}) in "
          f"{time.perf_counter() - start:.1f} s{_passed_over(passed_over)}")
    return _finish(prefix, failed, total, "images")


def _warn_color_inputs(prefix, paths):
    """One line when inputs are in color: the colorizer keeps only their lightness."""
    from .io import is_color_file

    for i, path in enumerate(paths):  # stop at the first: one line, not a scan of all
        if is_color_file(path):
            rest = len(paths) - i - 1
            more = f" (of the {rest} inputs after it, others may be too)" if rest else ""
            print(f"{prefix}: warning: {path} is a color image{more}: only its lightness is "
                  "used, and its colors are replaced by the colorizer's", file=sys.stderr)
            return


def _plan_outputs(args, found, prefix):
    """(input, output, hints) per input; inputs whose output cannot be written reported."""
    from .datasets import IMAGE_EXTENSIONS
    from .formats import writable_extensions

    names_file = (args.output is not None and not args.output.is_dir()
                  and args.output.suffix.lower() in writable_extensions())
    if names_file and len(found) > 1:
        raise CommandError(f"-o {args.output} names one image file for {len(found)} inputs; "
                           "give a folder")
    single_file = names_file and len(found) == 1
    if (args.output is not None and not args.output.exists() and not names_file
            and args.output.suffix):  # `-o out.xyz`: a typo'd format, not a folder name
        raise CommandError(f"-o {args.output}: {args.output.suffix} is not an image format "
                           f"({', '.join(IMAGE_EXTENSIONS)}); give an image file or a folder")
    if args.output is not None:  # an unwritable -o is one error, not one per input
        _check_folder(args.output.parent if single_file else args.output)
    inputs = {path.resolve() for path, _, _ in found}
    hints = _hints_for(args, found)
    jobs, planned, folders = [], {}, {}
    for path, rel, _ in found:
        dst = args.output if single_file else _output_path(args, path, rel)
        problem = output_problem(path, dst, inputs, planned, args.overwrite)
        if problem is None:
            if dst.parent not in folders:
                folders[dst.parent] = _folder_problem(dst.parent)
            problem = folders[dst.parent]
        if problem:
            _report(prefix, problem)
            continue
        planned[dst.resolve()] = path
        jobs.append((path, dst, hints.get(path)))
    return jobs


def _output_path(args, path, rel):
    suffix = path.suffix if args.format == "same" else FORMATS[args.format]
    folder = path.parent if args.output is None else args.output / rel.parent
    return folder / f"{path.stem}{args.suffix}{suffix}"


def _folder_problem(folder):
    try:
        _check_folder(folder)
    except CommandError as exc:
        return str(exc)
    return None


def _hints_for(args, found):
    """The hints file of each input: the one given, or ``<stem>.png`` in a hints folder."""
    if args.hints is None:
        return {}
    if args.hints.is_dir():
        return {path: args.hints / f"{path.stem}.png" for path, _, _ in found
                if (args.hints / f"{path.stem}.png").is_file()}
    if not args.hints.is_file():
        raise CommandError(f"hints not found: {args.hints}")
    if len(found) != 1:
        raise CommandError(f"--hints {args.hints} is one image for {len(found)} inputs; pass a "
                           "folder of <stem>.png hints to colorize several images")
    return {found[0][0]: args.hints}


# ---------------------------------------------------------------- evaluate
def run_evaluate(args):
    import pandas as pd
    from joblib import Parallel, delayed

    from .io import save_table
    from .metrics import evaluate

    prefix = f"{PROG} evaluate"
    model = _load_model(args)
    if args.output is not None:
        _check_new_file(args.output, args.overwrite)
    images, names, _, failed, total = _load_photos(args, prefix)
    if not images:
        raise CommandError("no color photos to evaluate on")
    tables = []
    with _progress(args, len(images), "evaluating", "photo") as bar:
        # per photo, so the bar moves; the metrics are per photo anyway
        for table in Parallel(n_jobs=args.n_jobs, return_as="generator")(
                delayed(evaluate)(model, [image], [name]) for image, name in zip(images, names)):
            tables.append(table)
            bar.update()
    table = pd.concat(tables, ignore_index=True)
    _print_table(table, means_only=len(images) > _MAX_PRINTED_ROWS)
    if args.output is not None:
        save_table(args.output, table, overwrite=args.overwrite)
        print(f"per-photo metrics written to {args.output}")
    return _finish(prefix, failed, total, "photos")


# ------------------------------------------------------------------- video
def run_video(args):
    from .video import colorize_video

    model = _load_model(args)
    with _cluster(args) as client:
        report = colorize_video(model, args.input, args.output, smoothing=args.smoothing,
                                overwrite=args.overwrite, progress=not args.quiet,
                                max_frames=args.max_frames, measure_flicker=not args.no_flicker,
                                client=client, max_pixels=args.max_pixels)
    print(report.summary())
    return 0


# ------------------------------------------------------------ Dask cluster
def _add_cluster_options(sub, what):
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help=f"compute {what} on a Dask cluster: the scheduler's address, "
                            "like tcp://host:8786 (needs nncolor[dask])")
    group.add_argument("--dask", type=POSITIVE_INT, metavar="N",
                       help=f"compute {what} on a local Dask cluster of N worker processes")


def _on_cluster(args):
    return args.scheduler is not None or args.dask is not None


def _cluster(args):
    """A Dask client for ``--scheduler``/``--dask`` (closed on exit), or None without them."""
    from contextlib import nullcontext

    if not _on_cluster(args):
        return nullcontext()
    from .distributed import cluster_client, require_distributed

    try:
        require_distributed()
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    return cluster_client(args.scheduler, args.dask)


def _cluster_results(args, model, jobs, reference):
    """``(src, error)`` of each job, colorized on the cluster by the same rules as here."""
    from .distributed import colorize_files

    if not jobs:  # every input was refused: no cluster to start
        return
    with _cluster(args) as client:
        yield from colorize_files(client, jobs, model, reference=reference,
                                  overwrite=args.overwrite, max_pixels=args.max_pixels)


# -------------------------------------------------------------------- grid
def run_grid(args):
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from .colorizer import make_colorizer
    from .io import save_figure, save_table
    from .plot import plot_grid_heatmap

    prefix = f"{PROG} grid"
    csv, png = args.output / "grid.csv", args.output / "grid.png"
    for path in (csv, png):
        _check_new_file(path, args.overwrite)
    images, _, _, failed, total = _load_photos(args, prefix)
    if len(images) < args.cv:
        raise CommandError(f"{args.cv}-fold cross-validation needs at least {args.cv} photos; "
                           f"got {len(images)}")
    base = make_colorizer(hidden_layer_sizes=args.hidden, n_samples=args.n_samples,
                          max_iter=args.max_iter, som_iterations=args.som_iterations,
                          random_state=args.seed)
    grid = {"features__patch_size": args.patch_sizes, "quantizer__shape": args.som_shapes}
    n_fits = len(args.patch_sizes) * len(args.som_shapes) * args.cv
    print(f"{n_fits} fits: {len(args.patch_sizes)} patch sizes x {len(args.som_shapes)} SOM "
          f"shapes x {args.cv} folds (split by photo) on {len(images)} photos ...", flush=True)
    search = GridSearchCV(base, grid, cv=args.cv, n_jobs=args.n_jobs).fit(images)
    results = search.cv_results_
    table = pd.DataFrame({
        "patch_size": [p["features__patch_size"] for p in results["params"]],
        "som_shape": ["x".join(map(str, p["quantizer__shape"])) for p in results["params"]],
        "mean_psnr": results["mean_test_score"], "std_psnr": results["std_test_score"],
        "rank": results["rank_test_score"], "mean_fit_seconds": results["mean_fit_time"],
    })
    save_table(csv, table, overwrite=args.overwrite)
    figure = plot_grid_heatmap(table, "patch_size", "som_shape", score="mean_psnr", fmt=".2f",
                               title=f"held-out PSNR (dB), {args.cv}-fold by photo")
    save_figure(png, figure, overwrite=args.overwrite)
    print(table.sort_values("rank").round(3).to_string(index=False))
    best = search.best_params_
    print(f"best: patch size {best['features__patch_size']}, SOM "
          f"{'x'.join(map(str, best['quantizer__shape']))} ({search.best_score_:.2f} dB)")
    print(f"written: {csv}, {png}")
    return _finish(prefix, failed, total, "photos")


# -------------------------------------------------------------------- info
def run_info(args):
    from .model_file import (
        IncompatibleModelError,
        check_version,
        model_card,
        model_params,
        resolve_model_path,
    )

    if args.model is None:
        return _list_shipped_models(args)
    model = _load_model(args, check=False)  # a card is worth showing even when refused
    card = model_card(model)
    if args.json:
        print(json.dumps(card or {"params": model_params(model)}, indent=2))
        return 0
    path = resolve_model_path(args.model)
    print(f"model: {path} ({path.stat().st_size / 1024:.1f} KiB)")
    if card is None:
        print("no model card (saved without `nncolor train`); what the file itself says:")
        _print_params(model_params(model))
        print(f"codebook: {model.n_colors_} colors; trained on "
              f"{model.n_training_pixels_} pixels")
        return 0
    try:
        check_version(card, path)
        compatible = ""
    except IncompatibleModelError:
        compatible = "; colorize and evaluate refuse it"
    _print_card(card, compatible)
    return 0


def _list_shipped_models(args):
    """Name, size and a line from the card of each model that ships with nncolor."""
    from .model_file import load_model, model_card, shipped_models

    shipped = shipped_models()
    if not shipped:
        raise CommandError("no models ship with this installation; train one with "
                           "`nncolor train`")
    rows = {}
    for name, path in shipped.items():
        card = model_card(load_model(path, check=False)) or {}
        rows[name] = (f"{path.stat().st_size / 1024:.0f} KiB", describe_card(card))
    if args.json:
        print(json.dumps({name: {"path": str(shipped[name]), "size": size,
                                 "description": text} for name, (size, text) in rows.items()},
                         indent=2))
        return 0
    print("models shipped with nncolor (use a name with --model NAME, or `nncolor info NAME`):")
    width = max(map(len, rows))
    for name, (size, text) in rows.items():
        print(f"  {name:<{width}}  {size:>8}  {text}")
    return 0


def describe_card(card):
    """One line from a model card: its own ``description`` (or what it was trained on), and
    how it did against the gray baseline."""
    params = card.get("params") or {}
    data = card.get("training_data") or {}
    parts = [" ".join(str(card["description"]).split()) if card.get("description") else
             f"{card.get('n_colors', '?')} colors, {params.get('patch_size', '?')}-pixel "
             f"patches, trained on {data.get('n_photos', '?')} photos"]
    held_out = card.get("held_out") or {}
    ours, gray = held_out.get("colorizer", {}), held_out.get("gray", {})
    if "psnr" in ours and "psnr" in gray:
        parts.append(f"held-out PSNR {ours['psnr']:.2f} dB (gray: {gray['psnr']:.2f} dB)")
    return "; ".join(parts)


def _print_params(params):
    print("parameters: " + ", ".join(f"{k}={_value(k, v)}" for k, v in params.items()))


def _value(name, value):
    """A parameter as its command-line option takes it: 3x3, 50,50."""
    if isinstance(value, list):
        return ("x" if name == "som_shape" else ",").join(map(str, value))
    return str(value)


def _print_card(card, compatible):
    import sklearn

    print(f"made by: nncolor {card.get('nncolor_version')} (this is {__version__}"
          f"{compatible}), scikit-learn {card.get('sklearn_version')} "
          f"(this is {sklearn.__version__})")
    print(f"created: {card.get('created')}")
    if card.get("command"):
        print(f"command: {card['command']}")
    _print_params(card.get("params", {}))
    print(f"codebook: {card.get('n_colors')} colors")
    data = card.get("training_data") or {}
    sources = ", ".join(f"{k} ({n} photos)" for k, n in (data.get("sources") or {}).items())
    print(f"training data: {data.get('n_photos')} photos, {data.get('n_pixels')} pixels"
          + (f", from {sources}" if sources else ""))
    split = card.get("split")
    if split:
        print(f"split: by file name ({split.get('by')}), test size {split.get('test_size')}, "
              f"seed {split.get('seed')}: {split.get('n_train')} train / "
              f"{split.get('n_test')} held out")
    if card.get("fit_seconds") is not None:
        print(f"training time: {card['fit_seconds']} s")
    held_out = card.get("held_out")
    if held_out:
        print("held-out metrics (means per photo):")
        _print_held_out(held_out)


def _print_held_out(held_out):
    import pandas as pd

    table = pd.DataFrame.from_dict(held_out, orient="index")
    table.index.name = "method"
    print(table.to_string(na_rep=""))
