"""Table I of the paper: SOM quantization error for 9, 25, 100 and 400 color codebooks.

Trains one SOM (:class:`nncolor.SOMQuantizer`, MiniSom) per map size, 3x3, 5x5, 10x10 and
20x20, on the (u, v) chroma of pixels drawn from every photo of ``--data`` (2500 per
photo, as the paper did), and measures the quantization error (QE), the topographic
error (TE) and the training time. Writes ``table1.csv`` and ``table1.png`` (QE against the
number of nodes, with the paper's values beside ours).

Units: our QE is the mean distance from a pixel's chroma to its codeword after centring
the chroma and dividing it by ONE overall standard deviation (the map's training units,
``quantization_error_``). The paper used sompy, which normalizes each variable by its own
standard deviation; the column ``qe_per_variable`` measures our codebook that way (and
``qe_uv`` in plain u*, v* units). ``kmeans_qe`` is k-means with as many centres, in the
same units as ``quantization_error``: the error of a codebook without the map's
neighbourhood constraint, a reference for how much the SOM gives up. Either way the
comparison with the paper is rough: its photos were 256x256 (ours are 64x64 thumbnails)
and its training schedule was sompy's batch algorithm, ours MiniSom's online one.

What the full run shows (opencountry-64, seed 0): the 9- and 25-node maps are close to
k-means, the 100- and 400-node maps are not (about twice its error): with the library's
default radius, ``max(shape) / 2`` decayed by MiniSom to a third, a 20x20 map ends with a
neighbourhood of about 3 nodes, which pulls the codewords together and leaves rare,
saturated chroma (reds) outside the map. ``--sigma`` sets the starting radius.

Run: ``python -m pipelines.table1 [--data FOLDER] [--out out/paper] [--quick]``
(about 2 minutes on 2 cores with the defaults; ``--quick`` about 10 seconds).
"""
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from nncolor.color import rgb2luv
from nncolor.datasets import load_folder
from nncolor.io import save_figure, save_table
from nncolor.som import SOMQuantizer

from ._cli import check_args, experiment_parser, refuse_existing, run_or_exit

SHAPES = [(3, 3), (5, 5), (10, 10), (20, 20)]
PAPER_QE = {9: 0.621739, 25: 0.4585945, 100: 0.19889, 400: 0.100954}
# MiniSom steps (one sample each). Measured on opencountry-64 (867,500 pixels, seed 0), QE
# (one overall std) at 100k / 300k / 1M steps: 3x3 0.419 / 0.423 / 0.434, 5x5 0.328 /
# 0.302 / -, 10x10 0.246 / 0.239 / -, 20x20 0.222 / 0.193 / 0.187. From 300k on, what is
# left is about 3 %, the size of the run-to-run jitter (MiniSom's learning rate decays only
# to a third of its start, so the last samples keep moving the codewords); 300k steps take
# about 30 s per map on one core.
DEFAULT_ITERATIONS = 300_000
UNITS_NOTE = ("qe: chroma centred and divided by one overall std (nncolor); paper: sompy, "
              "each variable divided by its own std (compare with qe_per_variable); "
              "values comparable only roughly")


def sample_chroma(images, n_per_image, seed=0):
    """(u, v) of ``n_per_image`` pixels drawn without replacement from each RGB photo.

    A photo with fewer pixels gives all of them. Returns float32 of shape (n, 2).
    """
    rng = np.random.default_rng(seed)
    parts = []
    for im in images:
        uv = rgb2luv(np.asarray(im, dtype=np.float32) / 255.0)[..., 1:].reshape(-1, 2)
        take = min(n_per_image, len(uv))
        parts.append(uv[rng.choice(len(uv), take, replace=False)])
    return np.concatenate(parts).astype(np.float32, copy=False)


def train_soms(chroma, shapes=SHAPES, iterations=DEFAULT_ITERATIONS, sigma=None, seed=0,
               progress=True):
    """One fitted SOMQuantizer per map shape, in order."""
    out = []
    for shape in tqdm(shapes, desc="SOMs", disable=not progress, leave=False):
        out.append(SOMQuantizer(shape=tuple(shape), n_iterations=iterations, sigma=sigma,
                                random_state=seed).fit(chroma))
    return out


def kmeans_error(chroma, k, seed=0, n_fit=50_000):
    """QE (one-overall-std units) of k-means with ``k`` centres: a reference without the
    map's neighbourhood constraint. Fitted on ``n_fit`` pixels drawn from ``chroma``."""
    from sklearn.cluster import KMeans

    z = (chroma - chroma.mean(axis=0)) / chroma.std()
    rng = np.random.default_rng(seed)
    fit_on = z[rng.permutation(len(z))[:n_fit]]
    km = KMeans(k, n_init=1, random_state=seed).fit(fit_on)
    return float(np.linalg.norm(z - km.cluster_centers_[km.predict(z)], axis=1).mean())


def measure(quantizers, chroma, kmeans=True, seed=0):
    """Table I rows: errors and training time of each fitted quantizer on ``chroma``."""
    std = chroma.std(axis=0)
    rows = []
    for q in tqdm(quantizers, desc="errors", leave=False):
        codes = q.cluster_centers_[q.predict(chroma)]
        diff = chroma - codes
        rows.append({
            "nodes": q.n_colors_,
            "shape": f"{q.shape[0]}x{q.shape[1]}",
            "quantization_error": round(q.quantization_error(chroma), 6),
            "qe_per_variable": round(float(np.linalg.norm(diff / std, axis=1).mean()), 6),
            "qe_uv": round(float(np.linalg.norm(diff, axis=1).mean()), 4),
            "topographic_error": round(q.topographic_error_, 4),
            "fit_time_s": round(q.fit_time_, 2),
            "kmeans_qe": round(kmeans_error(chroma, q.n_colors_, seed), 6) if kmeans else np.nan,
            "paper_quantization_error": PAPER_QE.get(q.n_colors_, np.nan),
        })
    return pd.DataFrame(rows)


def figure(table, title):
    """QE against the number of nodes, ours and the paper's; TE on a second panel."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11.5, 4.6), layout="constrained")
    nodes = table["nodes"].to_numpy()
    ax.plot(nodes, table["paper_quantization_error"], "o--", color="black",
            label="paper (sompy, per-variable std)")
    ax.plot(nodes, table["qe_per_variable"], "s-", color="tab:orange",
            label="ours, per-variable std")
    ax.plot(nodes, table["quantization_error"], "^-", color="tab:blue",
            label="ours, one overall std (qe)")
    if table["kmeans_qe"].notna().any():
        ax.plot(nodes, table["kmeans_qe"], "x:", color="tab:gray",
                label="k-means, same K, one overall std")
    for x, y in zip(nodes, table["paper_quantization_error"]):
        ax.annotate(f"{y:.3f}", (x, y), textcoords="offset points", xytext=(6, 6), fontsize=9)
    for x, y in zip(nodes, table["qe_per_variable"]):
        ax.annotate(f"{y:.3f}", (x, y), textcoords="offset points", xytext=(6, -14),
                    fontsize=9, color="tab:orange")
    ax.set_xscale("log")
    ax.set_xlim(nodes.min() * 0.8, nodes.max() * 1.6)  # room for the labels
    ax.set_xticks(nodes)
    ax.set_xticklabels([str(n) for n in nodes])
    ax.set_xlabel("SOM nodes (codebook colors)", fontsize=11)
    ax.set_ylabel("quantization error (standardized units)", fontsize=11)
    ax.set_title("Quantization error", fontsize=12)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax2.bar([str(n) for n in nodes], table["topographic_error"], color="tab:green")
    for i, v in enumerate(table["topographic_error"]):
        ax2.text(i, v, f"{v:.3f}", ha="center", va="bottom", fontsize=9)
    ax2.set_xlabel("SOM nodes (codebook colors)", fontsize=11)
    ax2.set_ylabel("topographic error (share of pixels)", fontsize=11)
    ax2.set_title("Topographic error (ours; not in the paper)", fontsize=12)
    ax2.grid(alpha=0.3, axis="y")
    fig.suptitle(title, fontsize=12)
    return fig


def run(data, out, quick=False, overwrite=False, pixels=None, iterations=None, sigma=None,
        limit=None, seed=0, kmeans=True):
    pixels = pixels or (300 if quick else 2500)
    iterations = iterations or (5_000 if quick else DEFAULT_ITERATIONS)
    limit = limit or (60 if quick else None)
    refuse_existing(out, ["table1.csv", "table1.png"], overwrite)
    start = time.perf_counter()
    images, names = load_folder(data, limit=limit)
    chroma = sample_chroma(images, pixels, seed)
    print(f"table1: {len(chroma)} pixels ({pixels} per photo) from {len(images)} photos of "
          f"{data}; {iterations} SOM steps per map")
    quantizers = train_soms(chroma, SHAPES, iterations, sigma, seed)
    table = measure(quantizers, chroma, kmeans, seed)
    table.insert(2, "iterations", iterations)
    table.insert(3, "sigma", sigma if sigma is not None else "max(shape)/2")
    table.insert(4, "n_pixels", len(chroma))
    table["units_note"] = UNITS_NOTE
    title = (f"Table I: SOM quantization error, {len(images)} photos of {Path(data).name}, "
             f"{len(chroma)} pixels, {iterations} steps")
    out = Path(out)
    save_table(out / "table1.csv", table, overwrite)
    save_figure(out / "table1.png", figure(table, title), overwrite)
    print(table.drop(columns="units_note").to_string(index=False))
    print(f"note: {UNITS_NOTE}")
    print(f"table1: done in {time.perf_counter() - start:.0f} s; outputs written to "
          f"{out.resolve()}")
    return table


def main(argv=None):
    parser = experiment_parser(
        __doc__, "out/paper", "60 photos, 300 pixels each, 5000 SOM steps: a check in seconds")
    parser.add_argument("--pixels", type=int, help="pixels drawn per photo (default 2500)")
    parser.add_argument("--iterations", type=int,
                        help=f"SOM training steps per map (default {DEFAULT_ITERATIONS})")
    parser.add_argument("--sigma", type=float,
                        help="initial neighbourhood radius (default: max(shape) / 2, the "
                             "library's; MiniSom decays it to a third)")
    parser.add_argument("--limit", type=int, help="use only the first N photos (by name)")
    parser.add_argument("--seed", type=int, default=0, help="seed of pixel draws and maps")
    parser.add_argument("--no-kmeans", action="store_true",
                        help="skip the k-means reference column (saves about a minute)")
    args = parser.parse_args(argv)
    check_args("table1", args, positive=("pixels", "iterations", "limit"))
    run_or_exit("table1", run, args.data, args.out, quick=args.quick, overwrite=args.overwrite,
                pixels=args.pixels, iterations=args.iterations, sigma=args.sigma,
                limit=args.limit, seed=args.seed, kmeans=not args.no_kmeans)

if __name__ == "__main__":
    main()
