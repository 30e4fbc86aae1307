"""Option value types, the parser that suggests, and the option groups commands share.

Everything here is argparse and the standard library: building the parser (``nncolor
--help``) must not import NumPy, scikit-learn or any optional library.
"""
import argparse

from ..defaults import DECODERS, MAX_PIXELS, MODEL_SUFFIXES, OUTPUT_FORMATS, shipped_model_files

PROG = "nncolor"


# ----------------------------------------------------------- option value types
def checked(convert, rule):
    """An argparse ``type`` that converts a value or says which rule it breaks.

    ``convert(text)`` returns the value, or None (or raises ``ValueError``/``TypeError``)
    when ``text`` breaks ``rule``, the words that complete "expected ...".
    """

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


def _unit_interval(text):
    value = float(text)
    return value if 0 <= value <= 1 else None


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


def _folds(text):
    value = int(text)
    return value if value >= 2 else None


def _port(text):
    value = int(text)
    return value if 0 <= value <= 65535 else None


POSITIVE_INT = checked(_positive_int, "a positive integer")
PATCH_SIZE = checked(_patch_size, "an odd patch size from 1 to 31")
SOM_SHAPE = checked(_shape, "a SOM shape ROWSxCOLS with at least 2 nodes, like 3x3")
HIDDEN = checked(_layers, "hidden layer sizes like 50 or 50,50")
N_JOBS = checked(_n_jobs, "a number of jobs: 1, 2, ... or -1 for all cores")
TEST_SIZE = checked(_test_size, "a share in [0, 1) like 0.25, or a count of photos like 20")
PATCH_SIZES = checked(_list_of(_patch_size), "odd patch sizes like 3,5,11")
SOM_SHAPES = checked(_list_of(_shape), "SOM shapes like 3x3,5x5")
SMOOTHING = checked(_smoothing, "a smoothing weight in [0, 1) like 0.7")
STRENGTH = checked(_unit_interval, "a strength in [0, 1] like 0.25")
PIXEL_COUNT = checked(_pixel_count, "a positive number of pixels like 400000000 or 2**29")
WORKING_SIZE = checked(_working_size, "auto, full or a side in pixels of at least 16 "
                       "like 256")
FOLDS = checked(_folds, "a number of folds >= 2")
PORT = checked(_port, "a port number from 0 to 65535")


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


# ------------------------------------------------------------- option groups
def add_inputs(sub, what):
    """IMAGES (files, folders, patterns), ``--recursive`` and ``--max-pixels``."""
    sub.add_argument("images", nargs="+", metavar="IMAGES",
                     help=f"{what}: files, folders or glob patterns")
    sub.add_argument("--recursive", action="store_true", help="also search sub-folders")
    add_max_pixels(sub, "images")


def add_max_pixels(sub, what):
    sub.add_argument("--max-pixels", type=PIXEL_COUNT, default=MAX_PIXELS,
                     help=f"refuse {what} whose header declares more pixels, before decoding "
                          f"them (a guard against decompression bombs; default: 2**28 = "
                          f"{MAX_PIXELS:,})")


def model_help(default="the shipped model named default"):
    """The help of a MODEL argument: a shipped model's name (listed from the package's
    folder, not loaded) or a model file; ``default`` says what none given means."""
    names = ", ".join(path.stem for path in shipped_model_files()) or "none installed"
    files = "/".join(MODEL_SUFFIXES[:2])
    text = f"a shipped model ({names}; `nncolor info` describes them) or a {files} file"
    return f"{text} (default: {default})" if default else text


def add_model(sub, *flags, default=None):
    """``--model MODEL`` (or the ``flags`` given): a shipped model's name or a model file;
    none given: the shipped ``default``."""
    sub.add_argument(*(flags or ("--model",)), metavar="MODEL", default=default,
                     help=model_help())


def add_trust_model(sub):
    sub.add_argument("--trust-model", action="store_true",
                     help="allow a pickle (joblib) model file: loading one runs any code it "
                          "holds, so only for files you made or trust (.skops files load "
                          "safely without it)")


def add_model_options(sub):
    """The colorizer's training settings that ``train`` and ``grid`` share."""
    sub.add_argument("--hidden", type=HIDDEN, default=(50, 50),
                     help="MLP hidden layer sizes (default: 50,50)")
    sub.add_argument("--n-samples", type=POSITIVE_INT, default=2500,
                     help="training pixels drawn per photo (default: 2500)")
    sub.add_argument("--max-iter", type=POSITIVE_INT, default=12,
                     help="MLP epochs at the full learning rate, before 3 more at a tenth "
                          "of it (default: 12)")
    sub.add_argument("--som-iterations", type=POSITIVE_INT, default=10_000,
                     help="SOM training steps (default: 10000)")
    sub.add_argument("--chroma-scale", type=STRENGTH, default=0.25,
                     help="strength of the learned chroma scale, which tones colors down "
                          "where the model tends to be wrong: 1 is near the best PSNR, 0 keeps "
                          "the colors at full strength (default: 0.25)")
    sub.add_argument("--seed", type=int, default=0,
                     help="random seed of sampling, SOM, MLP and split (default: 0)")


def add_decoder(sub, default=None):
    default_text = default or "the model's own"
    sub.add_argument("--decoder", choices=DECODERS, default=default,
                     help=f"how per-pixel probabilities become colors (default: {default_text})")


def add_overwrite(sub, what):
    sub.add_argument("--overwrite", action="store_true",
                     help=f"replace an existing {what}")


def add_n_jobs(sub, what):
    sub.add_argument("-j", "--n-jobs", type=N_JOBS, default=1,
                     help=f"{what} in parallel (default: 1; -1: all cores)")


def add_output_format(sub):
    sub.add_argument("--format", choices=[*OUTPUT_FORMATS, "same"], default="png",
                     help="output format; same: the input's (default: png)")
    sub.add_argument("--suffix", default="_colorized",
                     help="added to each output's name (default: _colorized)")


def add_cluster_options(sub, what):
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help=f"compute {what} on a Dask cluster: the scheduler's address, "
                            "like tcp://host:8786 (needs pip install 'nncolor[dask]')")
    group.add_argument("--dask", type=POSITIVE_INT, metavar="N",
                       help=f"compute {what} on a local Dask cluster of N worker processes")
