"""Train the default model that ships in the package (``nncolor/models/default.skops``).

The model is trained by the command line itself, ``nncolor train``, on the real photos of
``../shared/data`` (coast, forest and open-country scenes), split by file name
(``nncolor.datasets.split_by_name``, a quarter held out). The command, the data, the
settings and the held-out metrics are printed, and stored in the model's card
(``nncolor info default``); then the file size and the load time.

Settings: the paper's colorizer (5x5 patches, 3x3 SOM, (50, 50) MLP) with the library's
default ``annealed`` decoder; 1000 pixels per photo and at most 50 epochs keep the training
to a few minutes on 2 cores.

Run from the repository root: ``python -m pipelines.default_model [--overwrite]``
(``--quick``: a tiny model in seconds, for tests; give it another ``--model`` path).
"""
import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from nncolor import cli
from nncolor.model_file import load_model

DATA = ["../shared/data/scenes-256", "../shared/data/opencountry-64"]
MODEL = "nncolor/models/default.skops"
SETTINGS = ["--patch-size", "5", "--som-shape", "3x3", "--hidden", "50,50",
            "--n-samples", "1000", "--max-iter", "50", "--decoder", "annealed",
            "--test-size", "0.25", "--seed", "0", "--n-jobs", "2"]
QUICK = ["--patch-size", "3", "--som-shape", "3x3", "--hidden", "8", "--n-samples", "100",
         "--max-iter", "5", "--som-iterations", "300", "--test-size", "0.25", "--seed", "0"]


def load_seconds(path, repeats=5):
    """Median seconds of :func:`nncolor.model_file.load_model` (imports already done)."""
    from pipelines.benchmark import median_time

    return median_time(lambda: load_model(path), repeats)[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", default=DATA,
                        help=f"folders of color photos (default: {' '.join(DATA)})")
    parser.add_argument("--model", default=MODEL, help=f"model file (default: {MODEL})")
    parser.add_argument("--quick", action="store_true", help="tiny model, for tests")
    parser.add_argument("--overwrite", action="store_true", help="replace the model file")
    args = parser.parse_args(argv)
    missing = [d for d in args.data if not Path(d).is_dir()]
    if missing:
        sys.exit(f"default_model: data folder not found: {', '.join(missing)} "
                 "(see data/README.md)")
    command = ["train", *args.data, "-o", args.model, *(QUICK if args.quick else SETTINGS)]
    command += ["--overwrite"] if args.overwrite else []
    print(f"command: nncolor {shlex.join(command)}", flush=True)
    start = time.perf_counter()
    status = cli.main(command)
    if status:
        sys.exit(status)
    print(f"total time (reading, training, held-out evaluation, saving): "
          f"{time.perf_counter() - start:.0f} s")
    print(f"file size: {os.path.getsize(args.model) / 1024:.1f} KiB; load time: "
          f"{load_seconds(args.model) * 1000:.0f} ms (median of 5, after imports)")


if __name__ == "__main__":
    main()
