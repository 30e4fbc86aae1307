"""Compare the MLP colorizer with the CNN backend (simple and fusion) on real photos.

The photos of ``--data`` are split by file name (:func:`nncolor.datasets.split_by_name`,
a quarter for test). Each model is the same SOM colorizer (same codebook: same seed, same
sampled pixels) with a different classifier: the paper's MLP on 5x5 patches, the
``"simple"`` CNN (Avery & Amin 2018) and the ``"fusion"`` CNN (Iizuka et al.), at comparable CPU
training budgets. On the test photos: codebook accuracy (most probable color against the
codebook color of the true chroma, every pixel), PSNR and colorfulness of the default
(annealed) decoding, and the fit time. Writes ``cnn_eval.csv`` and prints the table.

Run: ``python -m pipelines.cnn_eval [--quick] [--data FOLDER] [--out out/cnn_eval]``
(needs ``pip install 'nncolor[cnn]'``; ``--quick`` trains on fewer photos for fewer epochs,
under 2 minutes on 2 cores).
"""
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nncolor import make_colorizer
from nncolor.datasets import load_folder, split_by_name
from nncolor.evaluation import codebook_accuracy_score
from nncolor.io import save_table
from nncolor.metrics import colorfulness, psnr

from ._cli import check_args, experiment_parser, refuse_existing, run_or_exit

DEFAULT_DATA = "../shared/data/scenes-256"
TABLE = "cnn_eval.csv"

# quick / full settings; the CNN epochs were chosen so each model trains in a comparable
# number of CPU seconds as the MLP (see the fit_s column)
SETTINGS = {
    True: dict(n_train=48, n_test=24, n_samples=1000, mlp_iter=30, cnn_epochs=25, crop=64),
    False: dict(n_train=None, n_test=None, n_samples=1000, mlp_iter=60, cnn_epochs=25,
                crop=96),
}


def models(s, seed=0):
    """The three colorizers, named; they share the SOM settings and the seed."""
    # the full chroma scale, as when docs/cnn.md's figures were measured
    common = dict(som_shape=(4, 4), n_samples=s["n_samples"], som_iterations=5000,
                  chroma_shrinkage=True, random_state=seed)
    cnn = dict(backend="cnn", width=16, epochs=s["cnn_epochs"], crop_size=s["crop"],
               batch_size=8, learning_rate=2e-3, n_threads=2)
    return {
        "mlp": make_colorizer(patch_size=5, max_iter=s["mlp_iter"], **common),
        "cnn simple": make_colorizer(architecture="simple", **cnn, **common),
        "cnn fusion": make_colorizer(architecture="fusion", **cnn, **common),
    }


def evaluate_models(data, quick, seed=0):
    """One row per model: accuracy, PSNR, colorfulness, fit and predict seconds."""
    images, names = load_folder(data)
    train_idx, test_idx = split_by_name(names, test_size=0.25, seed=seed)
    s = SETTINGS[quick]
    train = [images[i] for i in train_idx[: s["n_train"]]]
    # floats in [0, 1]: what psnr and colorfulness compare against the predictions
    test = [images[i].astype(np.float32) / 255 for i in test_idx[: s["n_test"]]]
    print(f"{len(train)} train / {len(test)} test photos from {data}", flush=True)
    rows = [{"model": "ground truth", "accuracy": np.nan, "psnr": np.nan,
             "colorfulness": np.mean([colorfulness(t) for t in test]), "fit_s": np.nan,
             "predict_s": np.nan}]
    for name, col in models(s, seed).items():
        start = time.perf_counter()
        col.fit(train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        out = col.predict(test)
        predict_s = time.perf_counter() - start
        rows.append({"model": name, "accuracy": codebook_accuracy_score(col, test),
                     "psnr": psnr(test, out),
                     "colorfulness": np.mean([colorfulness(o) for o in out]),
                     "fit_s": fit_s, "predict_s": predict_s})
        print(f"{name}: fit {fit_s:.0f} s", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = experiment_parser(__doc__, "out/cnn_eval",
                               "48 train / 24 test photos, fewer epochs (under 2 minutes)")
    parser.set_defaults(data=DEFAULT_DATA)
    args = parser.parse_args(argv)
    check_args("cnn_eval", args)
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("cnn_eval: needs PyTorch: pip install 'nncolor[cnn]'")
    run_or_exit("cnn_eval", refuse_existing, args.out, [TABLE], args.overwrite)
    table = run_or_exit("cnn_eval", evaluate_models, args.data, args.quick)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    save_table(Path(args.out) / TABLE, table, overwrite=args.overwrite)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
