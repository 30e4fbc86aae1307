"""The main job: train on photos shipped with scikit-image and scikit-learn, colorize others.

Trains the paper's colorizer (5x5 patches, 3x3 SOM, (50, 50) MLP) on color photos that
ship inside installed packages (no downloads), then colorizes grayscale versions of photos
held out from training and the real black-and-white ``skimage.data.camera()``. Writes the
colorized images, a side-by-side figure and a metrics table to the output folder.

Run: ``make demo`` or ``python -m pipelines.demo --out out/demo [--quick] [--overwrite]``.
"""
import argparse
import sys
import time
from pathlib import Path

from skimage import data
from sklearn.datasets import load_sample_images

from nncolor import make_colorizer
from nncolor.color import gray_from_lightness, lightness
from nncolor.io import save_figure, save_image, save_table
from nncolor.metrics import evaluate
from nncolor.plot import plot_comparison


def photos():
    """(training, held-out) dicts of name -> RGB uint8 photo."""
    china, flower = load_sample_images().images
    train = {"astronaut": data.astronaut(), "chelsea": data.chelsea(), "rocket": data.rocket(),
             "china": china}
    held_out = {"coffee": data.coffee(), "flower": flower}
    return train, held_out


def gray_version(rgb):
    """The grayscale photo a user would have: sRGB gray with the photo's own L*."""
    return gray_from_lightness(lightness(rgb / 255.0))


def run(out, quick=False, overwrite=False):
    train, held_out = photos()
    settings = dict(patch_size=5, som_shape=(3, 3), hidden_layer_sizes=(50, 50),
                    n_samples=2500, max_iter=200, random_state=0, n_jobs=2)
    if quick:
        settings.update(n_samples=300, max_iter=10, som_iterations=500)
    col = make_colorizer(**settings)
    start = time.perf_counter()
    col.fit(list(train.values()))
    print(f"trained on {', '.join(train)} in {time.perf_counter() - start:.1f} s "
          f"({col.n_training_pixels_} pixels, {col.n_colors_} codebook colors)")

    inputs = {name: gray_version(rgb) for name, rgb in held_out.items()}
    inputs["camera"] = data.camera() / 255.0
    start = time.perf_counter()
    outputs = dict(zip(inputs, col.predict(list(inputs.values()))))
    print(f"colorized {len(inputs)} images in {time.perf_counter() - start:.2f} s")

    out = Path(out)
    for name, image in outputs.items():
        save_image(out / f"{name}_colorized.png", image, overwrite)
    rows = [(n, inputs[n], outputs[n], held_out.get(n)) for n in inputs]
    save_figure(out / "comparison.png", plot_comparison(rows), overwrite)
    table = evaluate(col, list(held_out.values()), names=list(held_out))
    save_table(out / "metrics.csv", table, overwrite)
    print(table.round(3).to_string(index=False))
    print(f"outputs written to {out.resolve()}")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    parser.add_argument("--quick", action="store_true", help="tiny training run, for tests")
    parser.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    args = parser.parse_args(argv)
    try:
        run(args.out, quick=args.quick, overwrite=args.overwrite)
    except FileExistsError as exc:
        sys.exit(f"demo: {exc} (pass --overwrite to replace the earlier run)")


if __name__ == "__main__":
    main()
