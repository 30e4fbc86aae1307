"""Train the models that ship in the package (``nncolor/models/NAME.skops``).

Each model is trained on the training part of its folders of ``../shared/data``, split by
file name per folder (:func:`nncolor.datasets.split_by_name`, a quarter held out, seed 0;
a photo that two folders share by name, such as a scene and its thumbnail, lands on the
same side in both), and measured on the held-out part of each folder. Its card
(``nncolor info NAME``) names the training data, the settings and the held-out figures
per folder.

* ``default``: every folder (outdoor scenes, streets, everyday photos with people,
  portraits, objects); 25 codebook colors, enough for skin, red, orange, yellow and brown
  beside the sky and foliage; the ``expectation`` decoder.
* ``people``: everyday photos with people and portraits; ``expectation``.
* ``landscape``: outdoor scenes without buildings (open country, coast, forest, mountain,
  highway); ``annealed``.

Run from the repository root: ``python -m pipelines.default_model [--models NAME ...]
[--overwrite]`` (minutes; ``make model``). ``--quick``: tiny models in seconds, for tests;
give them another ``--out`` folder.
"""
import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from nncolor import make_colorizer
from nncolor.metrics import evaluate, verdict
from nncolor.model_file import load_model, make_card, save_model, summarize_metrics
from nncolor.progress import fit_progress

from .quality import split_folder

DATA = Path("../shared/data")
OUT = Path("nncolor/models")
LANDSCAPE_64 = ("coast*", "forest*", "highway*", "mountain*")
#: name -> (description, sources as (folder, file patterns or None), colorizer settings)
MODELS = {
    "default": (
        "general model: landscapes, streets, people, portraits and objects",
        [(f, None) for f in ("opencountry-64", "scenes-256", "street-256", "scenes-64",
                             "flickr-people", "web-faces", "objects")],
        dict(som_shape=(5, 5), hidden_layer_sizes=(64, 64), n_samples=300,
             decoder="expectation"),
    ),
    "people": (
        "people: everyday photos with people, and portraits",
        [("flickr-people", None), ("web-faces", None)],
        dict(som_shape=(4, 4), hidden_layer_sizes=(64, 64), n_samples=500,
             decoder="expectation"),
    ),
    "landscape": (
        "landscapes: open country, coast, forest, mountain and highway scenes",
        [("opencountry-64", None), ("scenes-256", None), ("scenes-64", LANDSCAPE_64)],
        dict(som_shape=(4, 4), hidden_layer_sizes=(64, 64), n_samples=500),
    ),
}
# the learned chroma scale on (the default): a general model must stay near gray where
# it is unsure
COMMON = dict(patch_size=5, max_iter=40, decoder="annealed", chroma_shrinkage=True,
              random_state=0)
# The decoders were chosen on the held-out figures of ``python -m pipelines.quality``:
# for the general and people models, the expectation (the mean chroma) beat the annealed
# mean on every folder but the landscapes, and kept portraits and objects above gray.
QUICK = dict(patch_size=3, som_shape=(3, 3), hidden_layer_sizes=(8,), n_samples=50,
             max_iter=5, som_iterations=300, random_state=0)
HELD_OUT_PER_FOLDER = 60  # measured for the card; pipelines.quality measures more


def train_model(name, quick=False):
    """Fit one shipped model and its card; returns (colorizer, card)."""
    description, sources, settings = MODELS[name]
    params = QUICK if quick else {**COMMON, **settings}
    train, held_out, counts = [], {}, {}
    for folder, patterns in sources:
        tr, te, te_names = split_folder(DATA / folder, patterns, limit=12 if quick else None)
        train += tr
        held_out[folder] = (te[:HELD_OUT_PER_FOLDER], te_names[:HELD_OUT_PER_FOLDER])
        counts[f"../shared/data/{folder}" + (f" ({', '.join(patterns)})" if patterns else "")] \
            = len(tr) + len(te)
    col = make_colorizer(**params)
    col.classifier.set_params(early_stopping=True, n_iter_no_change=3)
    start = time.perf_counter()
    with fit_progress(col, len(train), verbose=True, prefix=f"default_model {name}"):
        col.fit(train)
    fit_seconds = time.perf_counter() - start
    tables = {folder: evaluate(col, images, names) for folder, (images, names) in held_out.items()}
    card = make_card(col, sources=counts, n_photos=len(train),
                     held_out=pd.concat(list(tables.values()), ignore_index=True),
                     split={"by": "nncolor.datasets.split_by_name, per folder",
                            "test_size": 0.25, "seed": 0},
                     command=f"python -m pipelines.default_model --models {name}",
                     fit_seconds=fit_seconds)
    card["description"] = description
    card["held_out_by_folder"] = {folder: summarize_metrics(t) for folder, t in tables.items()}
    for folder, table in tables.items():
        print(f"default_model {name}: {folder}: {verdict(table)[1]}", flush=True)
    return col, card


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--out", default=str(OUT), help=f"model folder (default: {OUT})")
    parser.add_argument("--quick", action="store_true", help="tiny models, for tests")
    parser.add_argument("--overwrite", action="store_true", help="replace the model files")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"default_model: {DATA} not found: the shipped models are trained on its "
                 "photos (see data/README.md)")
    for name in args.models:
        path = Path(args.out) / f"{name}.skops"
        if path.exists() and not args.overwrite:
            sys.exit(f"default_model: {path} exists (pass --overwrite to replace it)")
        col, card = train_model(name, args.quick)
        save_model(col, path, card=card, overwrite=args.overwrite)
        start = time.perf_counter()
        load_model(path)
        print(f"default_model {name}: {path}, {path.stat().st_size / 1024:.0f} KiB, "
              f"loads in {(time.perf_counter() - start) * 1000:.0f} ms, fit "
              f"{card['fit_seconds']:.0f} s on {card['training_data']['n_photos']} photos",
              flush=True)


if __name__ == "__main__":
    main()
