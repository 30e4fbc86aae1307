"""The main job: colorize photos with the model that ships in the package, no training.

Loads the default model (``nncolor/models/default.skops``, trained on real photos of
landscapes, streets, people and objects by ``python -m pipelines.default_model``; or
``--model FILE``) and colorizes grayscale versions of a portrait, a street and a
landscape it never saw, and the real black-and-white ``skimage.data.camera()``. The three
are the first held-out photos (by file name) of ``web-faces``, ``street-256`` and
``scenes-256`` in ``../shared/data`` where that folder is present; elsewhere, two photos
that ship with scikit-image and scikit-learn (``coffee``, ``flower``). Writes the
colorized images, a side-by-side figure and a metrics table (with the gray and mean-color
baselines) to the output folder.

``--train`` trains the paper's colorizer on four other package photos instead (astronaut,
chelsea, rocket, china), so the whole method runs from scratch anywhere.

Run: ``make demo`` or ``python -m pipelines.demo --out out/demo [--train] [--overwrite]``.
"""
import argparse
import sys
import time
from pathlib import Path

from skimage import data
from sklearn.datasets import load_sample_images

from nncolor.color import gray_from_lightness, lightness
from nncolor.io import save_figure, save_image, save_table
from nncolor.evaluation import evaluate
from nncolor.model_file import load_model, resolve_model_path
from nncolor.plot import plot_comparison

from ._cli import refuse_existing


#: name -> folder of ../shared/data whose first held-out photo the demo shows
SHARED = {"portrait": "web-faces", "street": "street-256", "landscape": "scenes-256"}


def photos(data_dir=Path("../shared/data")):
    """Name -> RGB uint8 photo of the color photos to colorize (the model never saw them)."""
    from .quality import held_out

    if all((data_dir / folder).is_dir() for folder in SHARED.values()):
        return {name: held_out(data_dir / folder, limit=1)[0][0]
                for name, folder in SHARED.items()}
    flower = load_sample_images().images[1]
    return {"coffee": data.coffee(), "flower": flower}


def gray_version(rgb):
    """The grayscale photo a user would have: sRGB gray with the photo's own L*."""
    return gray_from_lightness(lightness(rgb / 255.0))


def describe(col, path):
    """One line on the model: its file and, from its card, what it was trained on."""
    card = getattr(col, "model_card_", None) or {}
    sources = ", ".join((card.get("training_data") or {}).get("sources") or {})
    trained = (f"trained on {card['training_data']['n_photos']} photos from {sources}"
               if sources else "no model card")
    if card.get("experts"):  # a mixture of models (nncolor.mixture)
        experts = ", ".join(f"{kind}: {name}" for kind, name in card["experts"].items())
        return f"model {path} ({trained}; a mixture of models by kind: {experts})"
    return f"model {path} ({trained}; {col.n_colors_} codebook colors, decoder {col.decoder})"


def train_on_shipped_photos(quick=False):
    """The paper's colorizer trained on four photos that ship with the packages.

    ``astronaut``, ``chelsea``, ``rocket`` (scikit-image) and ``china`` (scikit-learn): no
    downloads, and none of them is colorized by the demo.
    """
    from nncolor import make_colorizer

    china = load_sample_images().images[0]
    train = [data.astronaut(), data.chelsea(), data.rocket(), china]
    settings = dict(patch_size=5, som_shape=(3, 3), hidden_layer_sizes=(50, 50),
                    n_samples=2500, random_state=0, n_jobs=2)
    if quick:
        settings.update(n_samples=300, max_iter=10, som_iterations=500)
    start = time.perf_counter()
    col = make_colorizer(**settings).fit(train)
    print(f"trained on astronaut, chelsea, rocket, china in {time.perf_counter() - start:.1f} s "
          f"({col.n_training_pixels_} pixels, {col.n_colors_} codebook colors)")
    return col


def outputs(names):
    """Every file a run writes (checked before the work starts)."""
    return [f"{name}_colorized.png" for name in [*names, "camera"]] + ["comparison.png",
                                                                        "metrics.csv"]


def run(out, overwrite=False, model=None, train=False, quick=False):
    held_out = photos()
    refuse_existing(out, outputs(held_out), overwrite)
    if train:
        col = train_on_shipped_photos(quick)
    else:
        path = resolve_model_path(model)
        col = load_model(path).set_params(n_jobs=2)
        print(describe(col, path))

    inputs = {name: gray_version(rgb) for name, rgb in held_out.items()}
    inputs["camera"] = data.camera() / 255.0
    start = time.perf_counter()
    colored = dict(zip(inputs, col.predict(list(inputs.values()))))
    print(f"colorized {len(inputs)} images in {time.perf_counter() - start:.2f} s")

    out = Path(out)
    for name, image in colored.items():
        save_image(out / f"{name}_colorized.png", image, overwrite)
    rows = [(n, inputs[n], colored[n], held_out.get(n)) for n in inputs]
    save_figure(out / "comparison.png", plot_comparison(rows), overwrite)
    table = evaluate(col, list(held_out.values()), names=list(held_out))
    save_table(out / "metrics.csv", table, overwrite)
    print(table.round(3).to_string(index=False))
    print(f"outputs written to {out.resolve()}")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    parser.add_argument("--model", help="model file (default: the one shipped with nncolor)")
    parser.add_argument("--train", action="store_true",
                        help="train the paper's colorizer on four photos that ship with "
                             "scikit-image and scikit-learn instead (about 10 s)")
    parser.add_argument("--quick", action="store_true", help="with --train: a tiny model")
    parser.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    args = parser.parse_args(argv)
    try:
        run(args.out, overwrite=args.overwrite, model=args.model, train=args.train,
            quick=args.quick)
    except FileExistsError as exc:
        sys.exit(f"demo: {exc} (pass --overwrite to replace the earlier run)")
    except (FileNotFoundError, ValueError) as exc:  # a missing or refused model
        sys.exit(f"demo: {exc}")


if __name__ == "__main__":
    main()
