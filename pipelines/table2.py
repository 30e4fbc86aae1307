"""Reproduce the paper's Table II (patch size x hidden layers, 3x3 SOM), split by image and by pixel.

Richart, Visca & Baliosian (2017), section III.C, grid-searched an MLP over patch sizes
{3, 5, 11} and hidden layers {10, 50, 100, 50+50, 100+100, 200+200, 300+300} on one pool of
pixels (2500 per photo of 410 "Open Country" photos, labelled by one 3x3 SOM), with
``StratifiedShuffleSplit`` over pixels (50000 train / 5000 test, 10 splits), and reported
train / test codebook accuracy. Three protocols are run here on the same photos with the
same pixel budget (``--pixels`` drawn per photo):

* ``by pixel`` (the paper's, leaky): one pool of ``--pixels`` pixels per photo, labelled by
  one 3x3 SOM fitted on the whole pool; ``GridSearchCV`` over a plain ``MLPClassifier``
  (behind a step that crops the central patch) with ``StratifiedShuffleSplit`` over pixels.
  Pixels of one photo land on both sides of a split, so the test photos' own colors are
  learnt in training.
* ``by image``: the very same pool, labels, model and split sizes, but ``GroupKFold`` over
  photos: every pixel of a test photo is held out. Only the split differs from
  ``by pixel``, so ``leak`` = by-pixel test minus by-image test is the leak alone.
* ``colorizer by image`` (what a user's grid search does): ``GridSearchCV`` over the whole
  colorizer (``make_colorizer``: SOM, patches and MLP refitted in every fold) with
  ``KFold`` over photos, scored by ``nncolor.evaluation.codebook_accuracy_score`` on
  ``--pixels`` freshly drawn pixels per photo (seeded, the same for every candidate). Each
  fold has its own codebook, so its accuracies are not on the same labels as the others.

MLP settings in all: ReLU, Adam, ``learning_rate_init=0.001`` (the paper's), batch 200,
no early stopping, a fixed ``--max-iter`` epochs (the paper used scikit-learn's default of
up to 200; fewer here for time, so the big networks overfit less than in the paper).

Outputs in ``--out`` (default ``out/table2``): ``table2.csv`` (one row per protocol x patch
x hidden layers: train and test accuracy, mean and std over folds / splits, mean fit time),
``table2_paper.csv`` (the paper's Table II, transcribed), a heat map of test accuracy per
protocol (``table2_by_pixel.png``, ``table2_by_image.png``,
``table2_colorizer_by_image.png``; ``table2_paper.png`` the paper's), and a printed table
with the paper's numbers beside ours and the leak.

Note: the photos of ``opencountry-64`` are 64x64 thumbnails of the paper's 256x256 ones,
so a 3x3 patch here spans the area of a 12x12 patch in the paper.

Run: ``python -m pipelines.table2 [--data ../shared/data/opencountry-64] [--out out/table2]
[--n-jobs 2] [--quick] [--overwrite]``. ``--quick`` (under 2 minutes on 2 cores) runs patch
{3, 5} x hidden {10, 50+50} on 100 photos, 2 folds (17 s measured). The full grid with the
defaults (347 photos, 200 pixels each, 3 folds, 20 epochs, 3 x 63 fits) took 39 minutes on
2 cores (13, 10 and 16 for the three protocols, on a busy machine). A progress bar counts
the fits of each protocol (``pipelines/_progress.py``: the fits run in worker processes, so
the scorer marks each one in a shared temporary folder).
"""
import functools
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (GridSearchCV, GroupKFold, KFold, ParameterGrid,
                                     StratifiedShuffleSplit)
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline

from nncolor import PatchExtractor, SOMQuantizer, make_colorizer
from nncolor.datasets import load_folder
from nncolor.evaluation import codebook_accuracy_score
from nncolor.io import save_figure, save_table

from ._cli import check_args, experiment_parser, refuse_existing, run_or_exit
from ._progress import fit_progress

PATCH_SIZES = [3, 5, 11]
HIDDEN_LAYERS = [(10,), (50,), (100,), (50, 50), (100, 100), (200, 200), (300, 300)]
QUICK_PATCH_SIZES = [3, 5]
QUICK_HIDDEN_LAYERS = [(10,), (50, 50)]
PROTOCOLS = ["by pixel", "by image", "colorizer by image"]
OUTPUTS = ["table2.csv", "table2_paper.csv", "table2_paper.png"] + [
    f"table2_{p.replace(' ', '_')}.png" for p in PROTOCOLS]

# The paper's Table II (train / test), transcribed from the seed text.
PAPER = {
    3: ["0.376 / 0.371", "0.383 / 0.379", "0.387 / 0.378", "0.419 / 0.409", "0.429 / 0.405",
        "0.474 / 0.402", "0.497 / 0.399"],
    5: ["0.349 / 0.346", "0.370 / 0.367", "0.373 / 0.366", "0.423 / 0.407", "0.444 / 0.403",
        "0.513 / 0.382", "0.549 / 0.384"],
    11: ["0.312 / 0.309", "0.353 / 0.347", "0.345 / 0.328", "0.401 / 0.383", "0.416 / 0.383",
         "0.433 / 0.376", "0.417 / 0.365"],
}


def hidden_name(hidden):
    """The paper's name of a hidden-layer configuration: (50, 50) -> "50+50"."""
    return "+".join(str(n) for n in hidden)


def paper_table():
    """The paper's Table II as a DataFrame: patch_size, hidden_layers, train, test."""
    rows = []
    for patch, cells in PAPER.items():
        for hidden, cell in zip(HIDDEN_LAYERS, cells):
            train, test = (float(x) for x in cell.split("/"))
            rows.append({"patch_size": patch, "hidden_layers": hidden_name(hidden),
                         "train": train, "test": test})
    return pd.DataFrame(rows)


class CenterPatch(TransformerMixin, BaseEstimator):
    """Keep the central ``patch_size`` x ``patch_size`` window of larger square patches.

    The rows of ``X`` are row-major ``source_size`` x ``source_size`` patches. With the
    reflect padding of ``PatchExtractor``, the centre of an 11x11 patch equals the 3x3
    patch of the same pixel, so one pool of 11x11 patches serves every patch size.
    """

    def __init__(self, patch_size=3, source_size=11):
        self.patch_size = patch_size
        self.source_size = source_size

    def fit(self, X, y=None):
        if not (self.patch_size % 2 == 1 and 1 <= self.patch_size <= self.source_size):
            raise ValueError(f"patch_size must be odd and at most {self.source_size}; "
                             f"got {self.patch_size}")
        return self

    def transform(self, X):
        s, p = self.source_size, self.patch_size
        o = (s - p) // 2
        X = np.asarray(X)
        return np.ascontiguousarray(X.reshape(len(X), s, s)[:, o:o + p, o:o + p].reshape(len(X), -1))


def load_photos(folder, n_images=None, seed=0):
    """Color photos of ``folder`` (sorted by name; a seeded subset of ``n_images``)."""
    photos, _ = load_folder(folder)
    if n_images is None:
        return photos
    if n_images > len(photos):
        raise ValueError(f"{folder} has {len(photos)} photos; asked for {n_images}")
    keep = np.random.default_rng(seed).permutation(len(photos))[:n_images]
    return [photos[i] for i in sorted(keep)]


def mlp(hidden, max_iter):
    return MLPClassifier(hidden_layer_sizes=hidden, activation="relu", learning_rate_init=0.001,
                         max_iter=max_iter, random_state=0)


def search_by_image(photos, grid, settings, n_jobs, verbose):
    """GridSearchCV over the whole colorizer, folds over photos."""
    # the MLP settings of the module docstring, as the other two protocols' mlp()
    col = make_colorizer(patch_size=grid["features__patch_size"][0], som_shape=(3, 3),
                         n_samples=settings["pixels"], max_iter=settings["max_iter"],
                         batch_size=200, learning_rate=0.001, decay_epochs=0,
                         som_iterations=settings["som_iterations"], decoder="mode",
                         random_state=0)
    scorer = functools.partial(codebook_accuracy_score, n_pixels=settings["pixels"],
                               random_state=0)
    cv = KFold(settings["folds"], shuffle=True, random_state=0)
    return grid_search(col, grid, scorer, cv, n_jobs, verbose, "colorizer by image", photos)


def grid_search(estimator, grid, scoring, cv, n_jobs, verbose, desc, *fit_args, **fit_kwargs):
    """``GridSearchCV(...).fit(*fit_args, **fit_kwargs)`` with a progress bar of the fits."""
    n_fits = len(ParameterGrid(grid)) * cv.get_n_splits()
    with fit_progress(estimator, scoring, n_fits, desc) as scorer:
        search = GridSearchCV(estimator, grid, scoring=scorer, cv=cv, return_train_score=True,
                              refit=False, error_score="raise", n_jobs=n_jobs, verbose=verbose)
        return search.fit(*fit_args, **fit_kwargs)


def pixel_pool(photos, settings, source_size):
    """The paper's dataset: ``pixels`` per photo, patches of ``source_size``, 3x3 SOM labels.

    Returns the patches, their labels and the photo each comes from (the CV groups).
    """
    from nncolor.color import rgb2luv
    from skimage.util import img_as_float32

    luv = [rgb2luv(img_as_float32(im[..., :3])) for im in photos]
    extractor = PatchExtractor(patch_size=source_size, n_samples=settings["pixels"])
    X, chroma, picked = extractor.sample_luv(luv, random_state=0)
    som = SOMQuantizer(shape=(3, 3), n_iterations=settings["som_iterations"], random_state=0)
    groups = np.repeat(np.arange(len(photos)), [len(i) for i in picked])
    return X, som.fit(chroma).predict(chroma), groups


def search_pool(pool, grid, settings, n_jobs, verbose, by):
    """GridSearchCV over a plain MLP on the pixel pool, split ``by`` "pixel" or "image"."""
    X, y, groups = pool
    folds = settings["folds"]
    if by == "image":
        cv = GroupKFold(folds)
    else:  # as many train / test pixels per split as a by-image fold has
        n_test = len(y) // folds
        cv = StratifiedShuffleSplit(n_splits=folds, train_size=len(y) - n_test,
                                    test_size=n_test, random_state=0)
    source = max(grid["features__patch_size"])
    model = Pipeline([("features", CenterPatch(source_size=source)),
                      ("classifier", mlp((50, 50), settings["max_iter"]))])
    return grid_search(model, grid, "accuracy", cv, n_jobs, verbose, f"by {by}", X, y,
                       groups=groups if by == "image" else None)


def summarize(protocol, search):
    """One row per grid cell of a fitted search: train / test mean and std."""
    res = search.cv_results_
    return pd.DataFrame({
        "protocol": protocol,
        "patch_size": [int(p) for p in res["param_features__patch_size"]],
        "hidden_layers": [hidden_name(h) for h in res["param_classifier__hidden_layer_sizes"]],
        "train_mean": res["mean_train_score"], "train_std": res["std_train_score"],
        "test_mean": res["mean_test_score"], "test_std": res["std_test_score"],
        "fit_time_mean": res["mean_fit_time"], "n_splits": search.n_splits_,
    })


def compare(table, paper):
    """Printed table: the paper's train / test beside ours, and the leak per cell."""
    wide = paper.rename(columns={"train": "paper_train", "test": "paper_test"})
    tags = {"by pixel": "pixel", "by image": "image", "colorizer by image": "colorizer"}
    for protocol, tag in tags.items():
        part = table[table["protocol"] == protocol][["patch_size", "hidden_layers", "train_mean",
                                                    "test_mean"]]
        part = part.rename(columns={"train_mean": f"{tag}_train", "test_mean": f"{tag}_test"})
        wide = wide.merge(part, on=["patch_size", "hidden_layers"], how="right")
    wide["leak"] = wide["pixel_test"] - wide["image_test"]
    order = {hidden_name(h): i for i, h in enumerate(HIDDEN_LAYERS)}
    wide = wide.sort_values(["patch_size", "hidden_layers"], key=lambda s: s.map(order)
                            if s.name == "hidden_layers" else s, ignore_index=True)
    cell = lambda a, b: "   -  /   -  " if np.isnan(a) else f"{a:.3f} / {b:.3f}"  # noqa: E731
    lines = [f"{'patch':>5} {'hidden':>8}  {'paper tr/te':>13}  {'by pixel tr/te':>14}  "
             f"{'by image tr/te':>14}  {'leak':>6}  {'colorizer tr/te':>15}"]
    for r in wide.itertuples():
        lines.append(f"{r.patch_size:>2}x{r.patch_size:<2} {r.hidden_layers:>8}  "
                     f"{cell(r.paper_train, r.paper_test):>13}  "
                     f"{cell(r.pixel_train, r.pixel_test):>14}  "
                     f"{cell(r.image_train, r.image_test):>14}  {r.leak:+.3f}  "
                     f"{cell(r.colorizer_train, r.colorizer_test):>15}")
    return "\n".join(lines), wide


def heatmap(cv_results, title):
    """Test accuracy over patch size (rows) x hidden layers (columns)."""
    from nncolor.plot import plot_grid_heatmap

    return plot_grid_heatmap(cv_results, "features__patch_size", "classifier__hidden_layer_sizes",
                             score="mean_test_score", title=title, fmt=".3f")


def paper_results(paper):
    """The paper's table in the shape of ``cv_results_`` (for :func:`heatmap`)."""
    hidden = {hidden_name(h): h for h in HIDDEN_LAYERS}
    return {"param_features__patch_size": list(paper["patch_size"]),
            "param_classifier__hidden_layer_sizes": [hidden[h] for h in paper["hidden_layers"]],
            "mean_test_score": list(paper["test"])}


def save_heatmap(path, cv_results, title, overwrite):
    import matplotlib.pyplot as plt

    fig = heatmap(cv_results, title)
    try:
        save_figure(path, fig, overwrite)
    finally:
        plt.close(fig)


def run(data, out, settings, grid, n_jobs=2, verbose=2, overwrite=False):
    """Both searches, the CSVs and heat maps, and the printed comparison."""
    out = Path(out)
    refuse_existing(out, OUTPUTS, overwrite)
    photos = load_photos(data, settings["images"])
    print(f"table2: {len(photos)} photos of {data}, {settings['pixels']} pixels each, "
          f"{settings['folds']} folds, {settings['max_iter']} epochs, "
          f"{len(grid['features__patch_size']) * len(grid['classifier__hidden_layer_sizes'])} "
          f"cells, n_jobs={n_jobs}", flush=True)
    searches = {}
    with warnings.catch_warnings():
        # a fixed number of epochs is the protocol: not converging is expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        pool = pixel_pool(photos, settings, max(grid["features__patch_size"]))
        runs = {"by pixel": lambda: search_pool(pool, grid, settings, n_jobs, verbose, "pixel"),
                "by image": lambda: search_pool(pool, grid, settings, n_jobs, verbose, "image"),
                "colorizer by image": lambda: search_by_image(photos, grid, settings, n_jobs,
                                                              verbose)}
        for protocol, search in runs.items():
            start = time.perf_counter()
            print(f"table2: {protocol} ...", flush=True)
            searches[protocol] = search()
            print(f"table2: {protocol} done in {time.perf_counter() - start:.0f} s", flush=True)

    table = pd.concat([summarize(p, s) for p, s in searches.items()], ignore_index=True)
    paper = paper_table()
    save_table(out / "table2.csv", table.round(4), overwrite)
    save_table(out / "table2_paper.csv", paper, overwrite)
    for protocol, search in searches.items():
        save_heatmap(out / f"table2_{protocol.replace(' ', '_')}.png", search.cv_results_,
                     f"Test codebook accuracy, {protocol} ({len(photos)} photos)",
                     overwrite)
    save_heatmap(out / "table2_paper.png", paper_results(paper),
                 "Test codebook accuracy, the paper's Table II (split by pixel)", overwrite)
    text, wide = compare(table, paper)
    print(text)
    print(f"leak (by-pixel test - by-image test, same pool and labels): mean {wide['leak'].mean():+.3f}, "
          f"range {wide['leak'].min():+.3f} to {wide['leak'].max():+.3f}")
    print(f"outputs written to {out.resolve()}")
    return table


def main(argv=None):
    parser = experiment_parser(__doc__, "out/table2",
                               "patch {3,5} x hidden {10, 50+50}, 100 photos, 2 folds (< 2 min)")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel fits (GridSearchCV)")
    parser.add_argument("--images", type=int, help="photos used (default: all; --quick: 100)")
    parser.add_argument("--pixels", type=int, help="pixels per photo (default 200; --quick 150)")
    parser.add_argument("--folds", type=int, help="folds / splits (default 3; --quick 2)")
    parser.add_argument("--max-iter", type=int, help="MLP epochs (default 20; --quick 15)")
    parser.add_argument("--som-iterations", type=int, help="SOM steps (default 10000; --quick 2000)")
    parser.add_argument("--verbose", type=int, default=0,
                        help="GridSearchCV verbosity (default 0: the progress bar only)")
    args = parser.parse_args(argv)
    check_args("table2", args, positive=("images", "pixels", "max_iter", "som_iterations"))
    if args.folds is not None and args.folds < 2:
        sys.exit(f"table2: --folds must be at least 2; got {args.folds}")
    defaults = (dict(images=100, pixels=150, folds=2, max_iter=15, som_iterations=2000)
                if args.quick else dict(images=None, pixels=200, folds=3, max_iter=20,
                                        som_iterations=10_000))
    settings = {k: getattr(args, k) if getattr(args, k) is not None else v
                for k, v in defaults.items()}
    grid = {"features__patch_size": QUICK_PATCH_SIZES if args.quick else PATCH_SIZES,
            "classifier__hidden_layer_sizes": QUICK_HIDDEN_LAYERS if args.quick else HIDDEN_LAYERS}
    run_or_exit("table2", run, args.data, args.out, settings, grid, n_jobs=args.n_jobs,
                verbose=args.verbose, overwrite=args.overwrite)

if __name__ == "__main__":
    main()
