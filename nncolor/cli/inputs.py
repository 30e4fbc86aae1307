"""What the commands read and check before working: the images named on the command line,
the model, and the output files and folders."""
import sys
from collections import Counter

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
    passed_over : int
    """
    found, missing, passed_over = expand_inputs(items, recursive=recursive)
    for _, message in missing:
        report(prefix, message)
    for path, reason in passed_over:
        print(f"{prefix}: skipped {path}: {reason}", file=sys.stderr)
    return found, len(missing), len(passed_over)


def load_photos(args, prefix):
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
    from ..io import read_image

    found, missing, passed_over = expand(args.images, args.recursive, prefix)
    if passed_over:
        print(f"{prefix}: {passed_over_note(passed_over)[2:]}", file=sys.stderr)
    images, read, sources = [], [], Counter()
    with progress(args.quiet, len(found), "reading", "photo") as bar:
        for path, rel, item in found:
            try:
                images.append(read_image(path, require_color=True,
                                         max_pixels=args.max_pixels))
            except (OSError, ValueError) as exc:
                report(prefix, describe(exc))
            else:
                read.append((path, rel))
                sources[str(item)] += 1
            bar.update()
    names = [rel.with_suffix("").as_posix() for _, rel in read]
    if len(set(names)) != len(names):  # the same relative names under two folders
        names = [path.with_suffix("").as_posix() for path, _ in read]
    total = len(found) + missing
    return images, names, dict(sources), total - len(images), total


def check_new_file(path, overwrite):
    """Refuse an existing file (unless overwrite) or an unwritable folder before working."""
    if path.is_dir():
        raise CommandError(f"{path} is a folder; name a file")
    if path.exists() and not overwrite:
        raise CommandError(f"{path} exists; pass --overwrite to replace it")
    check_folder(path.parent)


def load_model(args, check=True):
    """The model ``--model`` names, with ``--decoder`` and ``--working-size`` applied where
    the command has them."""
    from ..model_file import load_model as load

    model = load(args.model, check=check, trusted=args.trust_model)
    if getattr(args, "decoder", None):
        model.set_params(decoder=args.decoder)
    if getattr(args, "working_size", None):  # given on the command line
        model.set_params(working_size=None if args.working_size == "full" else args.working_size)
    return model
