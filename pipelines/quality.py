"""Quality of colorization on held-out photos of every kind: PSNR over gray, per folder.

For each folder of ``../shared/data`` the photos are split by file name
(:func:`nncolor.datasets.split_by_name`, a quarter held out, seed 0: the split the shipped
models were trained on), and each shipped model colorizes the gray version of the held-out
photos (all of them, or ``--limit`` spread over the names) with each decoder. Per folder,
model and decoder it reports:

* ``gain_db``: mean PSNR (dB, RGB) minus the mean PSNR of leaving the photo gray (u = v = 0);
* ``colorfulness``: the outputs' mean colorfulness over the true photos' (Hasler &
  Suesstrunk 2003): 1 is as colorful as the truth, 0 is gray;
* ``accuracy``: codebook accuracy (each model's own codebook);
* ``s_per_mp``: seconds of ``predict`` per megapixel.

A mixture of models (``auto``, :mod:`nncolor.mixture`) is measured once, each expert with
its own decoder (the row's decoder reads "experts' own"); its accuracy is NaN, as its
experts have codebooks of their own.

A model with a face prior is also measured without it (``face_prior=0``, first decoder),
as the row "NAME, no face prior": what the face prior is worth, per kind of photo.

Writes ``quality.csv`` and ``quality.md`` (the table) and ``grid_<folder>.jpg`` (gray / ours /
truth for a few held-out photos of each kind) to ``--out``.

``--ablation`` instead trains the paper's colorizer (5x5 patches, 3x3 SOM, (50, 50) MLP)
in several variants on the training part of one folder (``--ablation-data``, default
``scenes-256``) and measures each on its held-out part: the SOM as it was trained before its
convergence phase, a longer SOM with a smaller radius, the SOM with its convergence phase,
k-means as the codebook, fixed epochs vs early stopping, pixels per photo, the decoders and
the learned global prior. Writes ``ablation.csv`` and ``ablation.md``.

Run: ``python -m pipelines.quality [--out out/quality] [--limit N] [--ablation] [--quick]``.
``--quick`` (for the tests): a few photos per folder, two decoders; with ``--ablation``, a
tiny training set. Without ``../shared/data`` the command says so and stops.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from skimage.transform import resize
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans

from nncolor import make_colorizer
from nncolor.color import gray_from_lightness, lightness
from nncolor.datasets import evenly_spaced, load_folder, split_by_name
from nncolor.evaluation import evaluate
from nncolor.io import save_image, save_table
from nncolor.metrics import colorfulness
from nncolor.model_file import load_model, shipped_models

DATA = Path("../shared/data")
FOLDERS = ("opencountry-64", "scenes-256", "street-256", "scenes-64", "flickr-people",
           "web-faces", "objects")
DECODERS = ("expectation", "annealed", "mrf")
GRID_PHOTOS, GRID_HEIGHT = 4, 160


def color_photos(folder, pattern=None, limit=None):
    """A folder's color photos (uint8 RGB) and their names; gray files (R = G = B
    everywhere) are left out: there is no color to learn or measure. ``pattern`` and
    ``limit`` are :func:`nncolor.datasets.load_folder`'s."""
    images, names = load_folder(folder, pattern=pattern, limit=limit, require_color=False)
    color = [i for i, im in enumerate(images) if im.ndim == 3]
    return [images[i] for i in color], [names[i] for i in color]


def split_folder(folder, pattern=None, limit=None, test_size=0.25, seed=0):
    """A folder's color photos (uint8 RGB) split by file name, as the shipped models were.

    Gray files (R = G = B everywhere) are left out: there is no color to learn or measure.
    ``pattern`` and ``limit`` are :func:`nncolor.datasets.load_folder`'s.

    Returns
    -------
    train : list of ndarray
    test, test_names : list of ndarray, list of str
    """
    images, names = color_photos(folder, pattern, limit)
    train, test = split_by_name(names, test_size=test_size, seed=seed)
    return [images[i] for i in train], [images[i] for i in test], [names[i] for i in test]


def held_out(folder, limit=None):
    """A folder's held-out color photos and their names: all of them, or ``limit`` spread
    evenly over the split's name order, the first among them.

    Not the first ``limit``: names often start with the kind of photo, and the first 60 of
    ``scenes-256``'s 128 held-out photos are all coasts (its forests come after them).
    """
    _, test, names = split_folder(folder)
    keep = evenly_spaced(len(test), limit)
    return [test[i] for i in keep], [names[i] for i in keep]


def training_part(folder):
    """The training color photos of a folder (the complement of :func:`held_out`)."""
    return split_folder(folder)[0]


def measure(model, images, names):
    """One row of figures for a fitted colorizer on color photos (uint8 RGB)."""
    start = time.perf_counter()
    table = evaluate(model, images, names)
    seconds = time.perf_counter() - start
    by = table.groupby("method")
    mp = sum(im.shape[0] * im.shape[1] for im in images) / 1e6
    truth = np.mean([colorfulness(im) for im in images])
    return {
        "gain_db": by["psnr"].mean()["colorizer"] - by["psnr"].mean()["gray"],
        "colorfulness": by["colorfulness"].mean()["colorizer"] / truth,
        "accuracy": by["accuracy"].mean()["colorizer"],
        # evaluate also converts and scores: an upper bound on predict's own time
        "s_per_mp": seconds / mp,
        "n_photos": len(images),
    }


def grid(rows, height=GRID_HEIGHT):
    """One picture of rows of (gray, ours, truth) images, each resized to ``height`` px."""
    def fit(im):
        im = np.asarray(im, dtype=np.float32)
        im = im / 255 if im.max() > 1.5 else im
        im = np.dstack([im] * 3) if im.ndim == 2 else im[..., :3]
        width = max(1, round(im.shape[1] * height / im.shape[0]))
        return resize(im, (height, width), anti_aliasing=True)

    strips = [np.hstack([fit(im) for im in row]) for row in rows]
    width = max(s.shape[1] for s in strips)
    return np.vstack([np.pad(s, ((0, 2), (0, width - s.shape[1]), (0, 0)), constant_values=1)
                      for s in strips])


def quality(models, decoders, out, limit, overwrite):
    """The per-folder table of every model and decoder; grids of the first model."""
    rows = []
    for folder in FOLDERS:
        if not (DATA / folder).is_dir():
            print(f"quality: {DATA / folder} not found, skipped", flush=True)
            continue
        images, names = held_out(DATA / folder, limit=limit)
        for name, model in models.items():
            # a mixture of models (nncolor.mixture) decodes with each expert's own decoder
            for decoder in decoders if hasattr(model, "decoder") else [EXPERTS_OWN]:
                _use_decoder(model, decoder)
                row = {"folder": folder, "model": name, "decoder": decoder,
                       **measure(model, images, names)}
                rows.append(row)
                print(f"{folder:15s} {name:10s} {decoder:12s} gain {row['gain_db']:+.2f} dB, "
                      f"colorfulness {row['colorfulness']:.2f}, accuracy "
                      f"{row['accuracy']:.3f}, {row['s_per_mp']:.2f} s/MP", flush=True)
            if getattr(model, "has_face_prior", False):
                # what the face prior is worth: the same model and decoder without it
                strength = model.face_prior
                model.set_params(decoder=decoders[0], face_prior=0.0)
                row = {"folder": folder, "model": f"{name}, no face prior",
                       "decoder": decoders[0], **measure(model, images, names)}
                model.set_params(face_prior=strength)
                rows.append(row)
                print(f"{folder:15s} {name} without the face prior: gain "
                      f"{row['gain_db']:+.2f} dB, colorfulness {row['colorfulness']:.2f}",
                      flush=True)
        first = _use_decoder(next(iter(models.values())), decoders[0])
        picks = images[:GRID_PHOTOS]
        grays = [gray_from_lightness(lightness(im / 255.0)) for im in picks]
        save_image(Path(out) / f"grid_{folder}.jpg",
                   grid([(g, first.predict(g), im) for g, im in zip(grays, picks)]),
                   overwrite=overwrite)
    return pd.DataFrame(rows)


#: The decoder column of a mixture of models' rows: each expert decodes with its own.
EXPERTS_OWN = "experts' own"


def _use_decoder(model, decoder):
    """The model, set to ``decoder`` where it has one (a mixture of models has not)."""
    return model.set_params(decoder=decoder) if hasattr(model, "decoder") else model


class KMeansQuantizer(BaseEstimator):
    """k-means in the quantizer slot of the colorizer, for the ablation only.

    Gives the interface :class:`nncolor.som.SOMQuantizer` gives (``predict``,
    ``inverse_transform``, ``n_colors_``, ``grid_``); the grid is the row-major order of
    a map of the same shape, with no topological meaning.
    """

    def __init__(self, shape=(3, 3), random_state=None):
        self.shape = shape
        self.random_state = random_state

    def fit(self, X, y=None):
        k = self.shape[0] * self.shape[1]
        self.kmeans_ = KMeans(k, n_init=4, random_state=self.random_state).fit(X)
        self.cluster_centers_ = self.kmeans_.cluster_centers_.astype(np.float32)
        self.n_colors_ = k
        self.grid_ = np.indices(self.shape).reshape(2, -1).T
        return self

    def predict(self, X):
        return self.kmeans_.predict(np.asarray(X, dtype=self.kmeans_.cluster_centers_.dtype))

    def inverse_transform(self, labels):
        return self.cluster_centers_[np.asarray(labels)]


def ablation_variants(quick):
    """(name, colorizer) of the paper's colorizer changed one thing at a time."""
    n = 100 if quick else 1000

    def paper(**changes):
        # as published: no learned prior, no learned scale (the guidance variants below), a
        # constant learning rate
        col = make_colorizer(5, (3, 3), (50, 50), n_samples=n, max_iter=5 if quick else 50,
                             early_stopping=False, decay_epochs=0, random_state=0,
                             global_prior=0.0, chroma_shrinkage=False)
        return col.set_params(**changes)

    som_before = {"quantizer__fine_tuning_iterations": 0}
    return [
        ("SOM as before (no convergence phase), 50 epochs", paper(**som_before)),
        ("SOM 100k steps, radius 1, no convergence phase",
         paper(**som_before, quantizer__n_iterations=100_000, quantizer__sigma=1.0)),
        # fitted with the prior on, so that the chroma scale is fitted as the library fits it
        ("SOM + convergence phase (batch map)", paper(global_prior=0.5)),
        ("k-means codebook", paper(quantizer=KMeansQuantizer((3, 3)))),
        ("SOM + convergence, early stopping",
         paper(classifier__early_stopping=True, classifier__n_iter_no_change=3)),
        ("SOM + convergence, 12 epochs then 3 decayed (the default)",
         paper(classifier__max_iter=3 if quick else 12, classifier__decay_epochs=3)),
        ("SOM + convergence, 300 px/photo", paper(features__n_samples=max(10, n * 3 // 10))),
        ("SOM + convergence, 2500 px/photo", paper(features__n_samples=n * 5 // 2)),
    ]


def ablation(folder, out, quick, overwrite):
    """Each variant trained on the training part of ``folder``, measured on its held-out part."""
    train = training_part(folder)
    images, names = held_out(folder, limit=8 if quick else None)
    if quick:
        train = train[:12]
    rows = []
    for variant, col in ablation_variants(quick):
        start = time.perf_counter()
        col.fit(train)
        fit_s = time.perf_counter() - start
        decoders = ("expectation", "annealed") if quick else ("mode", "expectation", "annealed")
        # the learned prior and scale are fitted anyway; set_params turns them on or off
        guidance = [(0.0, False), (0.5, False), (0.0, True), (0.5, True)] \
            if variant.startswith("SOM + convergence phase") else [(0.0, False)]
        for decoder in decoders:
            for prior, shrink in guidance:
                col.set_params(decoder=decoder, global_prior=prior, chroma_shrinkage=shrink)
                row = {"variant": variant, "decoder": decoder, "global_prior": prior,
                       "chroma_shrinkage": shrink, "fit_s": fit_s,
                       **measure(col, images, names)}
                rows.append(row)
                print(f"{variant:50s} {decoder:12s} prior {prior:.1f} scale {shrink!s:5s}: "
                      f"gain {row['gain_db']:+.2f} dB, colorfulness "
                      f"{row['colorfulness']:.2f}, fit {fit_s:.0f} s", flush=True)
    return pd.DataFrame(rows)


def markdown(table, keys):
    """A Markdown table of the figures, one row per ``keys`` combination."""
    cols = [*keys, "gain_db", "colorfulness", "accuracy", "s_per_mp", "n_photos"]
    cols += ["fit_s"] if "fit_s" in table else []
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in table.iterrows():
        cells = [f"{row[c]:+.2f}" if c == "gain_db" else
                 f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="out/quality", help="output folder")
    parser.add_argument("--models", nargs="+", default=None,
                        help="shipped model names or .skops files (default: every shipped model)")
    parser.add_argument("--decoders", nargs="+", default=None, choices=DECODERS)
    parser.add_argument("--limit", type=int, default=None,
                        help="held-out photos per folder, spread over the folder's names "
                             "(default: all of them)")
    parser.add_argument("--ablation", action="store_true",
                        help="train and compare variants instead (minutes)")
    parser.add_argument("--ablation-data", default="scenes-256",
                        help="folder of ../shared/data for --ablation")
    parser.add_argument("--quick", action="store_true", help="a few photos, for tests")
    parser.add_argument("--overwrite", action="store_true", help="replace earlier outputs")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"quality: {DATA} not found: this pipeline measures on its photos "
                 "(see data/README.md)")
    if args.limit is not None and args.limit < 1:
        sys.exit(f"quality: --limit must be a positive integer; got {args.limit}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.ablation:
        table = ablation(DATA / args.ablation_data, out, args.quick, args.overwrite)
        keys = ["variant", "decoder", "global_prior", "chroma_shrinkage"]
        name = "ablation"
    else:
        decoders = args.decoders or (DECODERS[:2] if args.quick else DECODERS)
        names = args.models or shipped_models()
        models = {Path(n).stem: load_model(n) for n in names}
        table = quality(models, decoders, out, 3 if args.quick else args.limit, args.overwrite)
        keys = ["folder", "model", "decoder"]
        name = "quality"
    save_table(out / f"{name}.csv", table, overwrite=args.overwrite)
    (out / f"{name}.md").write_text(markdown(table, keys))
    print(markdown(table, keys))


if __name__ == "__main__":
    main()
