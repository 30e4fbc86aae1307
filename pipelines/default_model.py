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
* ``city``: streets and the 64 px city scenes (inside city, street, tall building);
  25 codebook colors, ``annealed``.
* ``objects``: photos of things (one per ImageNet class: animals, objects, some
  interiors); 25 codebook colors, ``expectation``.
* ``auto``: a mixture of ``landscape``, ``city``, ``default`` (for everyday photos with
  people), ``people`` (for portraits) and ``objects`` (:mod:`nncolor.mixture`): only its
  gate is fitted, on the training photos of those kinds (:data:`KINDS`), each labelled
  with its kind; trained after them.

Every model learns the face prior's skin palette from the faces in its training photos
(``face_prior=1.0``, the default); the landscapes show none, so ``landscape`` has none.

Run from the repository root: ``python -m pipelines.default_model [--models NAME ...]
[--overwrite]`` (minutes, about half of them measuring every held-out photo for the cards;
``make model``). ``--quick``: tiny models in seconds, for tests;
give them another ``--out`` folder. ``--remeasure --overwrite`` measures the models in
``--out`` again on their held-out photos and rewrites only their cards' held-out figures
(the fitted model is left as it is; the card records when and how it was measured).
"""
import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from nncolor import MixtureOfExperts, __version__, make_colorizer
from nncolor.evaluation import verdict
from nncolor.card import held_out_figures
from nncolor.model_file import load_model, model_card, save_model
from nncolor.training import measure_held_out, train_and_evaluate
from pipelines.quality import color_photos

DATA = Path("../shared/data")
OUT = Path("nncolor/models")
LANDSCAPE_64 = ("coast*", "forest*", "highway*", "mountain*")
CITY_64 = ("insidecity*", "street*", "tallbuilding*")
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
    # trained on city photos alone it gains +1.00 dB on the held-out streets (+1.11 with
    # another seed), where the general model gives +0.69; annealed beat expectation on
    # both its folders (streets +1.00 against +0.84, 64 px city scenes +0.89 against +0.86)
    "city": (
        "cities: streets, buildings and city centres",
        [("street-256", None), ("scenes-64", CITY_64)],
        dict(som_shape=(5, 5), hidden_layer_sizes=(64, 64), n_samples=500),
    ),
    # trained on objects alone, with the default's 25 colors, it gains +0.51 dB on the
    # held-out objects (+0.52 with another seed), where the general model gives +0.39
    "objects": (
        "objects: photos of things, one per ImageNet class (animals, objects, some interiors)",
        [("objects", None)],
        dict(som_shape=(5, 5), hidden_layer_sizes=(64, 64), n_samples=500,
             decoder="expectation"),
    ),
}
#: name -> (description, experts as (kind, shipped model)): the shipped mixtures of
#: shipped models (nncolor.mixture). Only their gate is fitted here, on the photos of
#: each kind (:data:`KINDS`, labelled with the kind); the experts are the package's
#: shipped files, loaded by name, whatever --out says.
MIXTURES = {
    # portraits apart from everyday photos with people: `people` paints portraits best
    # (+0.95 dB on the held-out ones, the default +0.84) and the default everyday photos
    # (+0.52, `people` +0.24); with one kind for both (the default for it) portraits
    # gained 0.09 dB less, on each half of the held-out photos, and objects 0.03 less
    "auto": (
        "any photo: the landscape, city, people (for portraits) and objects models, and "
        "the general model for everyday photos with people, mixed by the kind of photo "
        "guessed from the gray photo",
        [("landscape", "landscape"), ("city", "city"), ("people", "default"),
         ("portrait", "people"), ("objects", "objects")],
    ),
}
#: kind -> the photos a mixture's gate learns it from, as (folder, file patterns or None)
KINDS = {"landscape": MODELS["landscape"][1], "city": MODELS["city"][1],
         "people": [("flickr-people", None)], "portrait": [("web-faces", None)],
         "objects": MODELS["objects"][1]}
# the learned chroma scale on (the default): a general model must stay near gray where
# it is unsure. The MLP stops early at a constant rate (at most 40 epochs), not with
# make_colorizer's step decay: retrained with the decay, the general model gained 0.05 to
# 0.11 dB on landscapes and streets but lost 0.02 to 0.10 dB on people, portraits and
# objects, portraits and objects below +0.5 dB (python -m pipelines.quality, 2026-12-07)
COMMON = dict(patch_size=5, max_iter=40, early_stopping=True, decay_epochs=0,
              decoder="annealed", chroma_shrinkage=True, random_state=0)
# The decoders were chosen on the held-out figures of ``python -m pipelines.quality``:
# for the general and people models, the expectation (the mean chroma) beat the annealed
# mean on every folder but the landscapes, and kept portraits and objects above gray.
QUICK = dict(patch_size=3, som_shape=(3, 3), hidden_layer_sizes=(8,), n_samples=50,
             max_iter=5, som_iterations=300, random_state=0)
#: Held-out photos per folder measured for a card: None, every one (the photos
#: ``python -m pipelines.quality`` measures, so the card's figures and its table agree)
HELD_OUT_PER_FOLDER = None
SPLIT = dict(test_size=0.25, seed=0)


def sources_of(name):
    """A shipped model's sources, as (folder, file patterns or None, kind or None)."""
    if name in MIXTURES:
        return [(folder, patterns, kind) for kind, _ in MIXTURES[name][1]
                for folder, patterns in KINDS[kind]]
    return [(folder, patterns, None) for folder, patterns in MODELS[name][1]]


def photos_of(name, quick=False):
    """The color photos a shipped model is trained and measured on: images, names,
    folders and kinds (one per image; the kinds None but for a mixture) and the photo
    count per source, for its card."""
    images, names, folders, kinds, counts = [], [], [], [], {}
    for folder, patterns, kind in sources_of(name):
        ims, nms = color_photos(DATA / folder, patterns, limit=12 if quick else None)
        images += ims
        names += nms
        folders += [folder] * len(ims)
        kinds += [kind] * len(ims)
        counts[f"../shared/data/{folder}" + (f" ({', '.join(patterns)})" if patterns else "")] \
            = len(ims)
    return images, names, folders, kinds, counts


def train_model(name, quick=False):
    """Fit one shipped model and its card (:func:`nncolor.training.train_and_evaluate`,
    split per folder); returns (colorizer, card)."""
    images, names, folders, kinds, counts = photos_of(name, quick)
    if name in MIXTURES:
        description, experts = MIXTURES[name]
        model, y = MixtureOfExperts(experts), kinds
    else:
        description, _, settings = MODELS[name]
        model, y = make_colorizer(**(QUICK if quick else {**COMMON, **settings})), None
    result = train_and_evaluate(
        model, images, names, folders=folders, y=y,
        max_held_out=HELD_OUT_PER_FOLDER, sources=counts, description=description,
        command=f"python -m pipelines.default_model --models {name}", verbose=True,
        prefix=f"default_model {name}", **SPLIT)
    _print_verdicts(name, result.held_out)
    return result.model, result.card


def remeasure_model(name, path, quick=False):
    """A shipped model's card with its held-out figures measured again, on the photos of
    :data:`HELD_OUT_PER_FOLDER` (:func:`nncolor.training.measure_held_out`); returns
    (colorizer, card). The fit itself is not touched.

    Refuses (``SystemExit``, before anything is written) a model whose card does not
    record this script's split, or whose held-out photos are not the ones measured
    (another ``--quick`` setting, or photos added or removed since): its "held-out"
    figures could include photos it was trained on.
    """
    col = load_model(path)
    card = model_card(col) or {}
    split = card.get("split") or {}
    if "per folder" not in str(split.get("by")) or any(
            split.get(key) != value for key, value in SPLIT.items()):
        sys.exit(f"default_model: {path}'s card does not record this script's split "
                 f"(per folder, {SPLIT}): train it again instead")
    images, names, folders, _, _ = photos_of(name, quick)
    held_out = measure_held_out(col, images, names, folders=folders,
                                max_held_out=HELD_OUT_PER_FOLDER, verbose=True,
                                prefix=f"default_model {name}", **SPLIT)
    measured = held_out["image"].groupby(held_out["folder"]).nunique().sum()
    if HELD_OUT_PER_FOLDER is None and split.get("n_test") not in (None, measured):
        sys.exit(f"default_model: {measured} held-out photos found for {path}, its card says "
                 f"{split['n_test']}: not the photos it was split on (--quick, or changed "
                 "data?); nothing written")
    _print_verdicts(name, held_out)
    return col, {**card, **held_out_figures(held_out), "held_out_measured": {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
        "nncolor_version": __version__,
        "command": f"python -m pipelines.default_model --remeasure --overwrite --models {name}"
                   + (" --quick" if quick else "")}}


def _print_verdicts(name, held_out):
    for folder, table in held_out.groupby("folder", sort=False):
        print(f"default_model {name}: {folder}: {verdict(table)[1]}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=[*MODELS, *MIXTURES],
                        choices=[*MODELS, *MIXTURES],
                        help="the models to train (default: all; mixtures last, as their "
                             "experts are the shipped models)")
    parser.add_argument("--out", default=str(OUT), help=f"model folder (default: {OUT})")
    parser.add_argument("--quick", action="store_true", help="tiny models, for tests")
    parser.add_argument("--overwrite", action="store_true", help="replace the model files")
    parser.add_argument("--remeasure", action="store_true",
                        help="measure the models in --out again on their held-out photos and "
                             "rewrite their cards' figures, not the models (with --overwrite)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"default_model: {DATA} not found: the shipped models are trained on its "
                 "photos (see data/README.md)")
    order = sorted(dict.fromkeys(args.models), key=lambda name: name in MIXTURES)
    paths = {name: Path(args.out) / f"{name}.skops" for name in order}
    for path in paths.values():  # every refusal before minutes of work on the first model
        if args.remeasure and not path.is_file():
            sys.exit(f"default_model: {path} not found: --remeasure measures a model trained "
                     "before (drop --remeasure to train it)")
        if path.exists() and not args.overwrite:
            sys.exit(f"default_model: {path} exists (pass --overwrite to replace "
                     + ("its card)" if args.remeasure else "it)"))
    for name, path in paths.items():
        col, card = remeasure_model(name, path, args.quick) if args.remeasure else \
            train_model(name, args.quick)
        save_model(col, path, card=card, overwrite=args.overwrite)
        start = time.perf_counter()
        load_model(path)
        fit = card.get("fit_seconds")
        print(f"default_model {name}: {path}, {path.stat().st_size / 1024:.0f} KiB, "
              f"loads in {(time.perf_counter() - start) * 1000:.0f} ms"
              + (f", fit {fit:.0f} s" if fit is not None else ""), flush=True)


if __name__ == "__main__":
    main()
