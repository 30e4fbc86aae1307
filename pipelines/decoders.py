"""Evaluate the decoders (mode, expectation, annealed, MRF) on real photos, split by image.

For each data folder, the photos are split once by image (seeded) into train / validation /
test. The colorizer is trained on train; the MRF's parameters are chosen on validation
(a small grid, best PSNR); every decoder and the two baselines are then measured on test:
PSNR, RMSE (u, v), codebook accuracy, colorfulness and splotchiness. Writes
``decoders.csv`` (per image), ``decoders_summary.csv`` (means), ``mrf_search.csv`` and
``decoders.png`` (the same test photos decoded each way) to the output folder, and prints
the decoder the rule picks: best PSNR without falling below half the ground truth's
colorfulness.

Run: ``python -m pipelines.decoders [--data FOLDER ...] [--out out/decoders] [--quick]``
(the full run takes about 10 minutes on 2 cores; ``--quick`` under 2).
"""
import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from skimage.io import imread
from tqdm import tqdm

from nncolor import make_colorizer
from nncolor.evaluation import evaluate
from nncolor.io import save_figure, save_table
from nncolor.metrics import colorfulness, psnr
from nncolor.mrf import PottsMRF

DEFAULT_DATA = ["../shared/data/opencountry-64", "../shared/data/scenes-256"]
DECODER_ORDER = ["mode", "expectation", "annealed", "mrf"]
MRF_GRID = {"unary": ["log", "sqrt"], "pairwise_weight": [0.5, 1.0, 2.0, 4.0],
            "sigma": [10.0, 25.0, 100.0]}


def load_split(folder, n_train, n_val, n_test, seed=0):
    """Photos of ``folder`` split by image (never by pixel), with their file names."""
    files = sorted(Path(folder).glob("*.jpg"))
    if len(files) < n_train + n_val + n_test:
        raise SystemExit(f"decoders: {folder} has {len(files)} photos; need "
                         f"{n_train + n_val + n_test}")
    order = np.random.default_rng(seed).permutation(len(files))
    parts = np.split(order[: n_train + n_val + n_test], [n_train, n_train + n_val])
    return [([imread(files[i]) for i in part], [files[i].stem for i in part]) for part in parts]


def search_mrf(col, val_images):
    """Each MRF setting of MRF_GRID on the validation photos, the chosen one first.

    The same rule as for the default decoder: best PSNR among the settings whose output
    keeps at least half the ground truth's colorfulness (PSNR alone rewards washing the
    colors out).
    """
    floor = np.mean([colorfulness(im / 255.0) for im in val_images]) / 2
    rows = []
    keys = list(MRF_GRID)
    for values in tqdm(list(itertools.product(*MRF_GRID.values())), desc="MRF grid", leave=False):
        params = dict(zip(keys, values))
        col.set_params(decoder="mrf", mrf=PottsMRF(**params))
        out = col.predict(val_images)
        rows.append({**params, "psnr": psnr([im / 255.0 for im in val_images], out),
                     "colorfulness": np.mean([colorfulness(o) for o in out])})
    table = pd.DataFrame(rows)
    table["eligible"] = table["colorfulness"] >= floor
    return table.sort_values(["eligible", "psnr"], ascending=False, ignore_index=True)


def measure_decoders(col, test_images, names):
    """Metrics of every decoder and of the baselines on the test photos, per image."""
    tables = []
    for decoder in tqdm(DECODER_ORDER, desc="decoders", leave=False):
        table = evaluate(col.set_params(decoder=decoder), test_images, names)
        table.loc[table["method"] == "colorizer", "method"] = decoder
        tables.append(table if decoder == "mode" else table[table["method"] == decoder])
    truth = pd.DataFrame({"image": names, "method": "ground truth",
                          "colorfulness": [colorfulness(im / 255.0) for im in test_images]})
    return pd.concat(tables + [truth], ignore_index=True)


def pick_default(summary):
    """Best PSNR among decoders keeping at least half the ground truth's colorfulness."""
    floor = summary.loc["ground truth", "colorfulness"] / 2
    ok = summary.loc[[d for d in DECODER_ORDER if summary.loc[d, "colorfulness"] >= floor]]
    if ok.empty:  # none keeps half: the rule falls back to PSNR alone
        ok = summary.loc[list(DECODER_ORDER)]
    return ok["psnr"].idxmax(), floor


def panel(col, images, names):
    """Figure: rows = photos, columns = original and each decoder."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = ["original"] + DECODER_ORDER
    fig, axes = plt.subplots(len(images), len(cols), figsize=(2.4 * len(cols), 2.4 * len(images)),
                             squeeze=False)
    for r, (image, name) in enumerate(zip(images, names)):
        outs = [image / 255.0] + [col.set_params(decoder=d).predict(image) for d in DECODER_ORDER]
        for c, (out, title) in enumerate(zip(outs, cols)):
            axes[r, c].imshow(out)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
            if r == 0:
                axes[r, c].set_title(title, fontsize=11)
        axes[r, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("The same held-out photos, decoded four ways", fontsize=12)
    fig.tight_layout()
    return fig


def run_folder(folder, quick):
    sizes = (40, 10, 8) if quick else ((200, 40, 60) if "64" in Path(folder).name else (200, 30, 40))
    (train, _), (val, _), (test, test_names) = load_split(folder, *sizes)
    # the paper's colorizer: the decoders alone, without the learned prior and scale
    settings = dict(patch_size=5, som_shape=(3, 3), hidden_layer_sizes=(50, 50),
                    n_samples=200 if quick else 600, max_iter=20 if quick else 60,
                    som_iterations=2000 if quick else 10_000, random_state=0, n_jobs=2,
                    global_prior=0.0, chroma_shrinkage=False)
    col = make_colorizer(**settings)
    start = time.perf_counter()
    col.fit(train)
    print(f"{folder}: trained on {len(train)} photos in {time.perf_counter() - start:.0f} s; "
          f"validation {len(val)}, test {len(test)}")
    search = search_mrf(col, val[:10] if quick else val)
    best = search.iloc[0]
    col.set_params(mrf=PottsMRF(unary=best["unary"], pairwise_weight=best["pairwise_weight"],
                                sigma=best["sigma"]))
    print("  MRF chosen on validation: " + ", ".join(
        f"{k}={best[k]:.4g}" if k != "unary" else f"unary={best[k]}"
        for k in ["unary", "pairwise_weight", "sigma", "psnr", "colorfulness"]))
    table = measure_decoders(col, test, test_names)
    table.insert(0, "data", Path(folder).name)
    search.insert(0, "data", Path(folder).name)
    return col, table, search, test[:4], test_names[:4]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", default=DEFAULT_DATA, help="folders of color JPEGs")
    parser.add_argument("--out", default="out/decoders", help="output folder")
    parser.add_argument("--quick", action="store_true", help="small split, for a check (< 2 min)")
    parser.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    args = parser.parse_args(argv)
    missing = [d for d in args.data if not Path(d).is_dir()]
    if missing:
        sys.exit(f"decoders: data folder not found: {', '.join(missing)} (see data/README.md)")
    out = Path(args.out)
    tables, searches, figure_rows = [], [], None
    for folder in args.data:
        col, table, search, images, names = run_folder(folder, args.quick)
        tables.append(table)
        searches.append(search)
        figure_rows = figure_rows or (col, images, names)
    table = pd.concat(tables, ignore_index=True)
    summary = table.groupby(["data", "method"], sort=False).mean(numeric_only=True).round(4)
    try:
        save_table(out / "decoders.csv", table, args.overwrite)
        save_table(out / "decoders_summary.csv", summary.reset_index(), args.overwrite)
        save_table(out / "mrf_search.csv", pd.concat(searches, ignore_index=True), args.overwrite)
        save_figure(out / "decoders.png", panel(*figure_rows), args.overwrite)
    except FileExistsError as exc:
        sys.exit(f"decoders: {exc} (pass --overwrite to replace the earlier run)")
    print(summary.to_string())
    for data, part in summary.groupby(level="data", sort=False):
        choice, floor = pick_default(part.droplevel("data"))
        print(f"{data}: default by the rule = {choice} (colorfulness floor {floor:.1f})")
    print(f"outputs written to {out.resolve()}")


if __name__ == "__main__":
    main()
