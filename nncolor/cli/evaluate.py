"""``nncolor evaluate``: measure a model on the gray versions of color photos."""
from pathlib import Path

from .errors import CommandError, stopping_workers, worker_processes
from .inputs import check_new_file, load_model, load_photos
from .options import (
    PROG,
    add_decoder,
    add_inputs,
    add_n_jobs,
    add_overwrite,
    add_trust_model,
    model_help,
)
from .report import MAX_PRINTED_ROWS, finish, print_metrics, progress

NAME = "evaluate"
DESCRIPTION = (
    "Prints PSNR, RMSE of (u, v), codebook accuracy, colorfulness and splotchiness (means "
    "over photos) for the model and two baselines: gray (u = v = 0) and the training "
    "set's mean color.")
EXAMPLE = "nncolor evaluate default test_photos/ -o metrics.csv"


def add_arguments(sub):
    """This command's options, on its subparser."""
    sub.add_argument("model", metavar="MODEL", help=model_help(default=None))
    add_trust_model(sub)
    add_inputs(sub, "color photos")
    sub.add_argument("-o", "--output", type=Path, metavar="CSV",
                     help="write the per-photo table as CSV")
    add_decoder(sub)
    add_n_jobs(sub, "photos")
    add_overwrite(sub, "CSV file")


def run(args, argv):
    import pandas as pd
    from joblib import delayed

    from ..evaluation import evaluate
    from ..io import save_table

    prefix = f"{PROG} {NAME}"
    model = load_model(args)
    if args.output is not None:
        check_new_file(args.output, args.overwrite)
    photos = load_photos(args, prefix)
    images, names = photos.images, photos.names
    if not images:
        raise CommandError("no color photos to evaluate on")
    tables = []
    # per photo, so the bar moves; the metrics are per photo anyway
    results = worker_processes(args.n_jobs, return_as="generator")(
        delayed(evaluate)(model, [image], [name]) for image, name in zip(images, names))
    with stopping_workers(results), progress(args.quiet, len(images), "evaluating",
                                             "photo") as bar:
        for table in results:
            tables.append(table)
            bar.update()
    table = pd.concat(tables, ignore_index=True)
    print_metrics(table, means_only=len(images) > MAX_PRINTED_ROWS)
    if args.output is not None:
        save_table(args.output, table, overwrite=args.overwrite)
        print(f"per-photo metrics written to {args.output}")
    return finish(prefix, photos.failed, photos.total, "photos", photos.empty)
