"""``nncolor grid``: grid-search patch size and SOM shape with cross-validation by photo."""
from pathlib import Path

from .errors import CommandError
from .inputs import check_new_file, load_photos
from .options import (
    FOLDS,
    PATCH_SIZES,
    PROG,
    SOM_SHAPES,
    add_inputs,
    add_model_options,
    add_n_jobs,
    add_overwrite,
)
from .report import finish

NAME = "grid"
DESCRIPTION = (
    "GridSearchCV over the colorizer, folds split by photo, scored by PSNR (dB). Writes "
    "grid.csv and the heat map grid.png to the output folder.")
EXAMPLE = "nncolor grid photos/ --patch-sizes 3,5,11 --som-shapes 3x3,5x5 -o grid/"


def add_arguments(sub):
    """This command's options, on its subparser."""
    add_inputs(sub, "color photos")
    sub.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR",
                     help="folder for grid.csv and grid.png")
    sub.add_argument("--patch-sizes", type=PATCH_SIZES, default=[3, 5, 11],
                     help="patch sizes to try (default: 3,5,11)")
    sub.add_argument("--som-shapes", type=SOM_SHAPES, default=[(3, 3), (5, 5)],
                     help="SOM shapes to try (default: 3x3,5x5)")
    add_model_options(sub)
    sub.add_argument("--cv", type=FOLDS, default=3, help="cross-validation folds (default: 3)")
    add_n_jobs(sub, "fits")
    add_overwrite(sub, "grid.csv or grid.png")


def run(args, argv):
    import pandas as pd
    from sklearn.model_selection import GridSearchCV

    from ..colorizer import make_colorizer
    from ..io import save_figure, save_table
    from ..plot import plot_grid_heatmap

    prefix = f"{PROG} {NAME}"
    csv, png = args.output / "grid.csv", args.output / "grid.png"
    for path in (csv, png):
        check_new_file(path, args.overwrite)
    photos = load_photos(args, prefix)
    images = photos.images
    if len(images) < args.cv:
        raise CommandError(f"{args.cv}-fold cross-validation needs at least {args.cv} photos; "
                           f"got {len(images)}")
    base = make_colorizer(hidden_layer_sizes=args.hidden, n_samples=args.n_samples,
                          max_iter=args.max_iter, som_iterations=args.som_iterations,
                          chroma_shrinkage=args.chroma_scale, random_state=args.seed)
    grid = {"features__patch_size": args.patch_sizes, "quantizer__shape": args.som_shapes}
    n_fits = len(args.patch_sizes) * len(args.som_shapes) * args.cv
    print(f"{n_fits} fits: {len(args.patch_sizes)} patch sizes x {len(args.som_shapes)} SOM "
          f"shapes x {args.cv} folds (split by photo) on {len(images)} photos ...", flush=True)
    search = GridSearchCV(base, grid, cv=args.cv, n_jobs=args.n_jobs).fit(images)
    results = search.cv_results_
    table = pd.DataFrame({
        "patch_size": [p["features__patch_size"] for p in results["params"]],
        "som_shape": ["x".join(map(str, p["quantizer__shape"])) for p in results["params"]],
        "mean_psnr": results["mean_test_score"], "std_psnr": results["std_test_score"],
        "rank": results["rank_test_score"], "mean_fit_seconds": results["mean_fit_time"],
    })
    save_table(csv, table, overwrite=args.overwrite)
    figure = plot_grid_heatmap(table, "patch_size", "som_shape", score="mean_psnr", fmt=".2f",
                               title=f"held-out PSNR (dB), {args.cv}-fold by photo")
    save_figure(png, figure, overwrite=args.overwrite)
    print(table.sort_values("rank").round(3).to_string(index=False))
    best = search.best_params_
    print(f"best: patch size {best['features__patch_size']}, SOM "
          f"{'x'.join(map(str, best['quantizer__shape']))} ({search.best_score_:.2f} dB)")
    print(f"written: {csv}, {png}")
    return finish(prefix, photos.failed, photos.total, "photos", photos.empty)
