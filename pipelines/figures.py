"""Figures 8, 9 and 10 of the paper, and pictures of the SOM codebooks, on real photos.

The photos of ``--data`` are split by image with :func:`nncolor.datasets.split_by_name`
(a hash of each file name, 25 % test). On the training photos:

* SOM codebooks of 9, 25, 100 and 400 colors are trained on (u, v) of 2500 pixels per
  photo (as for Table I). Every test photo is "painted" with each codebook (each pixel's
  (u, v) replaced by its nearest codeword, its L* kept) and the reduction error, RMSE of
  (u, v), is measured. **Fig. 8** (good case) is the test photo with the smallest 9-color
  error, **Fig. 9** (bad case) the one with the largest: chosen by measurement, not by eye.
* The paper's colorizer (3x3 SOM, 5x5 L patches, MLP 50+50, the paper's "mode" decoder
  unless ``--decoder``) is trained; **Fig. 10** shows several test photos (evenly spaced
  in name order, not picked by result) in the paper's five columns.
* ``codebook_<K>.png`` draws each codebook at L* = 50 on its map grid.

Writes to ``--out``: ``figure8_good_case.png``, ``figure9_bad_case.png``,
``color_reduction.csv`` (RMSE per test photo and codebook size), ``figure10_predictions.png``,
``figure10_metrics.csv`` (per test photo: PSNR, RMSE (u, v), codebook accuracy, ... of the
colorizer and two baselines; ``shown`` marks the photos of the figure),
``codebook_{9,25,100,400}.png`` and ``codebooks.csv`` (each node's grid position and u, v).

Run: ``python -m pipelines.figures [--data FOLDER] [--out out/paper] [--quick]``
(about 10 minutes on 2 cores, 7 of them training the MLP on 685,000 pixels for 100
epochs; ``--n-samples`` / ``--max-iter`` trade quality for time; ``--quick`` about 15 s).
"""
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from nncolor import make_colorizer
from nncolor.datasets import load_folder, split_by_name
from nncolor.io import save_figure, save_table
from nncolor.evaluation import evaluate
from nncolor.plot import (plot_codebook, plot_color_reduction, plot_prediction_panel,
                          reduce_colors)

from ._cli import check_args, experiment_parser, refuse_existing, run_or_exit
from .table1 import DEFAULT_ITERATIONS, SHAPES, sample_chroma, train_soms

DECODERS = ("mode", "expectation", "annealed", "mrf")

#: Every file a run writes (checked before the work starts).
OUTPUTS = ["figure8_good_case.png", "figure9_bad_case.png", "figure10_predictions.png",
           "color_reduction.csv", "codebooks.csv", "figure10_metrics.csv"] + [
    f"codebook_{rows * cols}.png" for rows, cols in SHAPES]


def settings(quick):
    """Training sizes: the paper's where affordable, small ones for ``--quick``."""
    if quick:
        return dict(limit=60, pixels=300, iterations=5_000, n_samples=300, max_iter=15,
                    hidden=(16,), n_show=3)
    return dict(limit=None, pixels=2500, iterations=DEFAULT_ITERATIONS, n_samples=2500,
                max_iter=100, hidden=(50, 50), n_show=6)


def color_reduction_table(quantizers, images, names):
    """RMSE of (u, v) of each photo painted with each codebook (long format)."""
    rows = []
    for name, image in zip(names, images):
        for q in quantizers:
            rows.append({"image": name, "nodes": q.n_colors_,
                         "rmse_uv": round(reduce_colors(image, q)[1], 4)})
    return pd.DataFrame(rows)


def pick_cases(reduction, nodes):
    """(good, bad): test photos with the smallest and largest RMSE at ``nodes`` colors."""
    at = reduction[reduction["nodes"] == nodes].set_index("image")["rmse_uv"]
    return at.idxmin(), at.idxmax()


def evenly_spaced(names, n):
    """``n`` names spread evenly over ``names`` (in their order): no picking by result."""
    if n >= len(names):
        return list(names)
    return [names[i] for i in np.linspace(0, len(names) - 1, n).round().astype(int)]


def codebook_table(quantizers):
    rows = []
    for q in quantizers:
        for k, ((r, c), (u, v)) in enumerate(zip(q.grid_, q.cluster_centers_)):
            rows.append({"nodes": q.n_colors_, "node": k, "row": int(r), "col": int(c),
                         "u": round(float(u), 3), "v": round(float(v), 3)})
    return pd.DataFrame(rows)


def run(data, out, quick=False, overwrite=False, decoder="mode", patch_size=5, limit=None,
        n_show=None, seed=0, n_samples=None, max_iter=None):
    cfg = settings(quick)
    for key, value in dict(limit=limit, n_show=n_show, n_samples=n_samples,
                           max_iter=max_iter).items():
        if value:
            cfg[key] = value
    out = Path(out)
    refuse_existing(out, OUTPUTS, overwrite)
    start = time.perf_counter()
    images, names = load_folder(data, limit=cfg["limit"])
    train_idx, test_idx = split_by_name(names, test_size=0.25, seed=seed)
    train = [images[i] for i in train_idx]
    test = [images[i] for i in test_idx]
    test_names = [names[i] for i in test_idx]
    print(f"figures: {len(images)} photos of {data}: {len(train)} train, {len(test)} test "
          f"(split by a hash of the file name, seed {seed})")

    # Figs 8-9: color reduction with 9, 25, 100, 400 colors
    chroma = sample_chroma(train, cfg["pixels"], seed)
    quantizers = train_soms(chroma, SHAPES, cfg["iterations"], seed=seed)
    reduction = color_reduction_table(quantizers, test, test_names)
    good, bad = pick_cases(reduction, SHAPES[0][0] * SHAPES[0][1])
    by_name = dict(zip(test_names, test))
    titles = [f"{q.n_colors_} colors" for q in quantizers]
    n_test = len(test)
    figs = {
        "figure8_good_case.png": plot_color_reduction(
            by_name[good], quantizers, titles,
            suptitle=f"Fig. 8, good case: {good} (smallest 9-color RMSE(u,v) of {n_test} "
                     "test photos)"),
        "figure9_bad_case.png": plot_color_reduction(
            by_name[bad], quantizers, titles,
            suptitle=f"Fig. 9, bad case: {bad} (largest 9-color RMSE(u,v) of {n_test} "
                     "test photos)"),
    }
    for q in quantizers:
        figs[f"codebook_{q.n_colors_}.png"] = plot_codebook(
            q, title=f"SOM codebook, {q.n_colors_} colors ({q.shape[0]}x{q.shape[1]}), "
                     f"trained on {len(train)} photos")
    reduction["case"] = np.where(reduction["image"] == good, "good (Fig. 8)",
                                 np.where(reduction["image"] == bad, "bad (Fig. 9)", ""))

    # Fig 10: the colorizer on held-out photos
    col = make_colorizer(patch_size=patch_size, som_shape=(3, 3),
                         hidden_layer_sizes=cfg["hidden"], n_samples=cfg["n_samples"],
                         max_iter=cfg["max_iter"], early_stopping=True, decay_epochs=0,
                         chroma_shrinkage=True,  # the settings docs/paper.md's figures had
                         som_iterations=cfg["iterations"],
                         decoder=decoder, n_jobs=2, random_state=seed)
    fit_start = time.perf_counter()
    from sklearn.exceptions import ConvergenceWarning

    with tqdm(total=1, desc="colorizer", leave=False) as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported below instead
        col.fit(train)
        bar.update()
    epochs = col.classifier_.n_iter_
    stopped = "stopped at the epoch limit" if epochs >= cfg["max_iter"] else "converged"
    print(f"figures: colorizer trained on {col.n_training_pixels_} pixels in "
          f"{time.perf_counter() - fit_start:.0f} s ({epochs} MLP epochs, {stopped})")
    shown = evenly_spaced(test_names, cfg["n_show"])
    figs["figure10_predictions.png"] = plot_prediction_panel(
        col, [by_name[n] for n in shown], shown,
        title=f"Fig. 10: {len(shown)} of {n_test} held-out photos (evenly spaced by name), "
              f"decoder '{decoder}', 3x3 SOM, {patch_size}x{patch_size} patches, "
              f"MLP {'+'.join(map(str, cfg['hidden']))}")
    metrics = evaluate(col, test, test_names)
    metrics.insert(1, "shown", metrics["image"].isin(shown))
    metrics.insert(2, "decoder", decoder)

    tables = {"color_reduction.csv": reduction, "codebooks.csv": codebook_table(quantizers),
              "figure10_metrics.csv": metrics}
    for name, table in tables.items():
        save_table(out / name, table, overwrite)
    for name, fig in figs.items():
        save_figure(out / name, fig, overwrite)

    summary = reduction.groupby("nodes")["rmse_uv"].agg(["mean", "min", "max"]).round(2)
    print("color reduction RMSE(u,v) over test photos:\n" + summary.to_string())
    print(f"good case (Fig. 8): {good}; bad case (Fig. 9): {bad}")
    means = metrics.groupby("method", sort=False)[["psnr", "rmse_uv", "accuracy"]].mean()
    print(f"held-out metrics ({n_test} test photos):\n" + means.round(3).to_string())
    print(f"figures: done in {time.perf_counter() - start:.0f} s; outputs written to "
          f"{out.resolve()}")
    return reduction, metrics


def main(argv=None):
    parser = experiment_parser(
        __doc__, "out/paper", "60 photos and small models: a check in well under 2 minutes")
    parser.add_argument("--decoder", default="mode", choices=DECODERS,
                        help="colorizer decoder for Fig. 10 (default: mode, the paper's)")
    parser.add_argument("--patch-size", type=int, default=5, help="L patch side (default 5)")
    parser.add_argument("--limit", type=int, help="use only the first N photos (by name)")
    parser.add_argument("--n-show", type=int, help="test photos in Fig. 10 (default 6)")
    parser.add_argument("--n-samples", type=int,
                        help="colorizer training pixels per photo (default 2500, the paper's)")
    parser.add_argument("--max-iter", type=int,
                        help="MLP epochs at most (default 100; the full run takes them all, "
                             "about 7 of its 10 minutes)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and the models")
    args = parser.parse_args(argv)
    check_args("figures", args, positive=("limit", "n_show", "n_samples", "max_iter"))
    if args.limit is not None and args.limit < 4:
        sys.exit("figures: --limit must be at least 4 (photos for both train and test)")
    run_or_exit("figures", run, args.data, args.out, quick=args.quick, overwrite=args.overwrite,
                decoder=args.decoder, patch_size=args.patch_size, limit=args.limit,
                n_show=args.n_show, seed=args.seed, n_samples=args.n_samples,
                max_iter=args.max_iter)

if __name__ == "__main__":
    main()
