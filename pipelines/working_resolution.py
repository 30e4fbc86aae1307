"""Working resolution against full resolution on photos larger than the training photos.

For each data folder, the photos are split by file name (``nncolor.datasets.split_by_name``);
a colorizer is trained on the training photos *downscaled* ``--shrink`` times (anti-aliased),
and the held-out photos are colorized at their original size: at full resolution
(``working_size=None``: every 5 x 5 patch sees the original's fine detail, which the model
never saw at that scale) and at the working resolution (``working_size="auto"``: classified
at the training scale, chroma upsampled by the guided filter on the full-resolution
lightness). For each: PSNR against the true photo minus the PSNR of leaving it gray
(u = v = 0, the input's own lightness), the mean of per-photo differences, and seconds per
megapixel of ``predict``. A third variant turns the guide off (the small chroma is only
box-filtered and upsampled bilinearly): what the guided filter adds. Writes
``working_resolution.csv`` (per photo) and ``working_resolution_summary.csv`` to ``--out``
and prints the summary.

Run from the repository root::

    python -m pipelines.working_resolution [--data FOLDER ...] [--shrink 4] [--quick]

``--quick`` (about a minute): 60 training and 20 held-out photos of the first folder, a
shorter fit.
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from skimage.transform import resize
from threadpoolctl import threadpool_limits

from nncolor import make_colorizer, upsample
from nncolor.color import gray_from_lightness, lightness
from nncolor.datasets import load_folder, split_by_name
from nncolor.io import save_table
from nncolor.metrics import psnr

DEFAULT_DATA = ["../shared/data/flickr-people", "../shared/data/web-faces"]
# (working_size, guided filter eps): eps = 1e9 turns the guide off (the chroma is only
# box-filtered and upsampled bilinearly), an ablation of the guided upsampling
VARIANTS = {"full resolution": (None, None),
            "working resolution": ("auto", None),
            "working, unguided upsampling": ("auto", 1e9)}


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m pipelines.working_resolution",
                                description=__doc__.split("\n")[0])
    p.add_argument("--data", nargs="+", default=DEFAULT_DATA,
                   help="folders of color photos (default: %(default)s)")
    p.add_argument("--shrink", type=int, default=4,
                   help="the training photos are this many times smaller (default: 4)")
    p.add_argument("--n-train", type=int, default=None,
                   help="training photos per folder at most (default: all; 60 with --quick)")
    p.add_argument("--n-test", type=int, default=None,
                   help="held-out photos per folder at most (default: all; 20 with --quick)")
    p.add_argument("--seed", type=int, default=0, help="split and fit seed (default: 0)")
    p.add_argument("--out", type=Path, default=Path("out/working_resolution"),
                   help="output folder (default: %(default)s)")
    p.add_argument("--quick", action="store_true", help="a small run (about a minute)")
    p.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    args = p.parse_args(argv)
    if args.quick:
        args.data = args.data[:1]
        args.n_train = args.n_train or 60
        args.n_test = args.n_test or 20
    for name in ("shrink", "n_train", "n_test"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer; got {value}")
    for folder in args.data:
        if not Path(folder).is_dir():
            p.exit(2, f"working_resolution: data folder not found: {folder} "
                      "(see ../shared/data/README.md)\n")
    return args


def downscale(image, factor):
    """An RGB uint8 photo ``factor`` times smaller (anti-aliased), uint8."""
    h, w = image.shape[:2]
    shape = (max(8, round(h / factor)), max(8, round(w / factor)))
    out = resize(image, shape, anti_aliasing=True, preserve_range=True)
    return np.round(out).astype(np.uint8)


def fit_small(train, quick, seed):
    """The paper's colorizer (5x5 patches, 3x3 SOM, MLP (50, 50)), fitted with early stopping."""
    col = make_colorizer(n_samples=500 if quick else 1000, max_iter=40 if quick else 100,
                         early_stopping=True, chroma_shrinkage=True, som_iterations=5000,
                         random_state=seed,
                         working_size="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on the short quick fit
        return col.fit(train)


def measure(folder, *, shrink=4, n_train=None, n_test=None, quick=False, seed=0):
    """Per held-out photo of ``folder``: PSNR over gray and seconds, for each variant.

    Parameters
    ----------
    folder : str or Path
        Color photos.
    shrink : int
        Training photos are downscaled this many times; held-out photos are not.
    n_train, n_test : int or None
        At most this many photos of each side of the split (the first by name).
    quick : bool
        A shorter fit.
    seed : int

    Returns
    -------
    rows : list of dict
        ``folder, photo, pixels, variant, psnr_minus_gray, seconds``.
    col : the fitted colorizer
    """
    images, names = load_folder(folder)
    train_idx, test_idx = split_by_name(names, test_size=0.25, seed=seed)
    train_idx, test_idx = train_idx[:n_train], test_idx[:n_test]
    col = fit_small([downscale(images[i], shrink) for i in train_idx], quick, seed)
    rows, default_eps = [], upsample.GUIDE_EPS
    for i in test_idx:
        truth = images[i] / np.float32(255)
        gray = np.repeat(gray_from_lightness(lightness(truth))[..., None], 3, axis=-1)
        base = psnr([truth], [gray])
        for variant, (size, eps) in VARIANTS.items():
            col.set_params(working_size=size)
            upsample.GUIDE_EPS = default_eps if eps is None else eps
            try:
                start = time.perf_counter()
                out = col.predict(images[i])  # only its lightness is used
                seconds = time.perf_counter() - start
            finally:
                upsample.GUIDE_EPS = default_eps
            rows.append(dict(folder=Path(folder).name, photo=names[i],
                             pixels=truth.shape[0] * truth.shape[1], variant=variant,
                             factor=col.reduction_factor(truth.shape[:2]),
                             psnr_minus_gray=psnr([truth], [out]) - base, seconds=seconds))
    col.set_params(working_size="auto")
    return rows, col


def summarize(table):
    """Mean PSNR over gray, share of photos better than gray, and seconds per megapixel."""
    g = table.groupby(["folder", "variant"], sort=False)
    return pd.DataFrame({
        "photos": g.size(),
        "psnr_minus_gray_dB": g["psnr_minus_gray"].mean(),
        "above_gray": g["psnr_minus_gray"].apply(lambda s: float((s > 0).mean())),
        "s_per_megapixel": g["seconds"].sum() / (g["pixels"].sum() / 1e6),
        "median_factor": g["factor"].median(),
    }).reset_index()


def main(argv=None):
    args = parse_args(argv)
    out_csv = args.out / "working_resolution.csv"
    if out_csv.exists() and not args.overwrite:
        sys.exit(f"working_resolution: {out_csv} exists (pass --overwrite to replace it)")
    rows = []
    # BLAS on one thread: these narrow products only lose by threading (and on a busy
    # machine a spinning BLAS thread pool costs tenfold); numba keeps its own threads
    with threadpool_limits(1, user_api="blas"):
        for folder in args.data:
            print(f"{folder}: training on photos {args.shrink}x smaller ...", flush=True)
            found, col = measure(folder, shrink=args.shrink, n_train=args.n_train,
                                 n_test=args.n_test, quick=args.quick, seed=args.seed)
            print(f"  training size {col.training_size_:.0f} px; "
                  f"{len(found) // len(VARIANTS)} held-out photos", flush=True)
            rows += found
    table = pd.DataFrame(rows)
    summary = summarize(table)
    args.out.mkdir(parents=True, exist_ok=True)
    save_table(out_csv, table, overwrite=True)
    save_table(args.out / "working_resolution_summary.csv", summary, overwrite=True)
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(summary.to_string(index=False))
    return summary


if __name__ == "__main__":
    main()
