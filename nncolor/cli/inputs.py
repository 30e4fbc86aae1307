"""What the commands read and check before working: the images named on the command line,
the model, and the output files and folders."""
import sys
from collections import Counter
from typing import NamedTuple

from ..batch import check_folder, expand_inputs
from .errors import CommandError, describe
from .report import passed_over_note, progress, report


def expand(items, recursive, prefix):
    """The image files the items name, each once (:func:`nncolor.batch.expand_inputs`);
    items that named none are reported, and each file a folder scan passed over is named
    on stderr.

    Returns
    -------
    found : list of (path, relative path, item)
    missing : int
        Items that named no image file (a missing path, an empty folder, a pattern that
        matches nothing).
    passed_over : int

    Raises
    ------
    CommandError
        A single item that names no image file: nothing else to do, so its line (with
        why the files its folder holds were passed over) is the command's one error.
    """
    found, missing, passed_over = expand_inputs(items, recursive=recursive)
    if len(items) == 1 and missing:
        raise CommandError(missing[0][1] + _why_passed_over(passed_over))
    for _, message in missing:
        report(prefix, message)
    for path, reason in passed_over:
        print(f"{prefix}: skipped {path}: {reason}", file=sys.stderr)
    return found, len(missing), len(passed_over)


def _why_passed_over(passed_over):
    """' (it passed over N files: reason; ...)' for the one error line, '' if none: the
    reasons (a sub-folder without --recursive, a format without its plugin) are what the
    user needs to act on."""
    if not passed_over:
        return ""
    reasons = Counter(reason for _, reason in passed_over)
    listed = "; ".join(f"{n} x {reason}" if n > 1 else reason for reason, n in reasons.items())
    return f" (passed over {len(passed_over)}: {listed})"


class Photos(NamedTuple):
    """The color photos a command read (:func:`load_photos`)."""

    #: The photos, as :func:`nncolor.io.read_image` returns them.
    images: list
    #: The paths relative to the folder given, without extension (the full paths where
    #: those clash), for the split by name.
    names: list
    #: Photos read per item given.
    sources: dict
    #: Files that could not be read (each reported on its line).
    failed: int
    #: Files found (read or not).
    total: int
    #: Items given that named no image file (each reported on its line).
    empty: int


def load_photos(args, prefix):
    """Read the color photos the command's IMAGES name, with a progress bar.

    Returns
    -------
    Photos

    Raises
    ------
    CommandError
        When only one item or file was given and it gave no photo: its line is the
        command's one error.
    """
    from ..io import read_image

    found, missing, passed_over = expand(args.images, args.recursive, prefix)
    if passed_over:
        print(f"{prefix}: {passed_over_note(passed_over)[2:]}", file=sys.stderr)
    images, read, sources = [], [], Counter()
    alone = len(found) + missing == 1
    with progress(args.quiet, len(found), "reading", "photo") as bar:
        for path, rel, item in found:
            try:
                images.append(read_image(path, require_color=True,
                                         max_pixels=args.max_pixels))
            except (OSError, ValueError) as exc:
                if alone:  # the one photo given: its problem is the command's error
                    raise CommandError(describe(exc)) from None
                report(prefix, describe(exc))
            else:
                read.append((path, rel))
                sources[str(item)] += 1
            bar.update()
    names = [rel.with_suffix("").as_posix() for _, rel in read]
    if len(set(names)) != len(names):  # the same relative names under two folders
        names = [path.with_suffix("").as_posix() for path, _ in read]
    return Photos(images, names, dict(sources), len(found) - len(images), len(found), missing)


def check_new_file(path, overwrite):
    """Refuse an existing file (unless overwrite) or an unwritable folder before working."""
    if path.is_dir():
        raise CommandError(f"{path} is a folder; name a file")
    if path.exists() and not overwrite:
        raise CommandError(f"{path} exists; pass --overwrite to replace it")
    check_folder(path.parent)


def load_model(args, check=True, inference_only=False):
    """The model ``--model`` names, with ``--decoder`` and ``--working-size`` applied where
    the command has them; ``inference_only``: its inference form where it has one
    (:class:`nncolor.inference.FittedColorizer`, which loads without scikit-learn), else
    the colorizer."""
    from ..inference import NoInferenceFormError
    from ..model_file import load_model as load

    try:
        model = load(args.model, check=check, trusted=args.trust_model,
                     inference_only=inference_only)
    except NoInferenceFormError:  # a CNN's colorizer, say: read again, whole (rare)
        model = load(args.model, check=check, trusted=args.trust_model)
    for option in ("decoder", "working_size"):
        if getattr(args, option, None) and not hasattr(model, option):  # a mixture's
            raise CommandError(f"--model {args.model} mixes several models, each with its "
                               f"own --{option.replace('_', '-')}: drop the option, or name "
                               "one model")
    if getattr(args, "decoder", None):
        model.set_params(decoder=args.decoder)
    if getattr(args, "working_size", None):  # given on the command line
        model.set_params(working_size=None if args.working_size == "full" else args.working_size)
    return model
