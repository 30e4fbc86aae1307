"""Model-aware evaluation: a fitted colorizer measured against the gray and mean-color
baselines, the verdict on it, and the codebook-accuracy scorer for model selection.

The metrics themselves are :mod:`nncolor.metrics` (arrays in, numbers out); this module
colorizes photos with a model and tabulates those metrics per photo and method
(:func:`evaluate`), summarizes such a table for a model card (:func:`summarize_metrics`)
and says whether the model is worth using (:func:`verdict`).
"""
import numpy as np

from ._images import check_images
from .luv import luv2rgb, rgb2luv
from .metrics import codebook_accuracy, colorfulness, psnr, rmse_uv, splotchiness

#: The per-image metric columns of :func:`evaluate`'s table, in order: PSNR (dB), chroma
#: RMSE (L*u*v* units), codebook accuracy (NaN for the baselines), colorfulness and
#: splotchiness.
METRIC_COLUMNS = ("psnr", "rmse_uv", "accuracy", "colorfulness", "splotchiness")


def evaluate(colorizer, images, names=None):
    """Metrics table of a fitted colorizer on color ``images``, with two baselines.

    Each image's lightness is colorized and compared with its true colors. The baselines
    keep the same lightness and use u = v = 0 ("gray") or the training set's mean chroma
    ("mean color").

    Returns
    -------
    pandas.DataFrame
        One row per image and method (``colorizer``, ``gray``, ``mean color``), columns
        ``image, method`` and :data:`METRIC_COLUMNS` (``psnr, rmse_uv, accuracy,
        colorfulness, splotchiness``).
        ``accuracy`` is the codebook accuracy of the decoded colors (NaN for the
        baselines, and for a :class:`~nncolor.mixture.MixtureOfExperts`, whose experts
        each have their own codebook).
    """
    import pandas as pd

    truth = [pixels for pixels, _ in check_images(images, require_color=True)]
    if names is not None and len(names) != len(truth):
        raise ValueError(f"{len(names)} names for {len(truth)} images")
    names = names if names is not None else [f"image {i}" for i in range(len(truth))]
    predicted = colorizer.predict(truth)
    # a mixture of models (nncolor.mixture) has no one codebook: no accuracy to measure
    quantizer = getattr(colorizer, "quantizer_", None)
    rows = []
    for name, t, p in zip(names, truth, predicted):
        luv = rgb2luv(t)
        gray = luv.copy()
        gray[..., 1:] = 0
        mean = luv.copy()
        mean[..., 1:] = colorizer.chroma_mean_
        for method, out, acc in [
            ("colorizer", p, np.nan if quantizer is None else _accuracy(quantizer, luv, p)),
            ("gray", luv2rgb(gray), np.nan),
            ("mean color", luv2rgb(mean), np.nan),
        ]:
            values = (psnr([t], [out]), rmse_uv([t], [out]), acc, colorfulness(out),
                      splotchiness(out))
            rows.append({"image": name, "method": method, **dict(zip(METRIC_COLUMNS, values))})
    return pd.DataFrame(rows, columns=["image", "method", *METRIC_COLUMNS])


def _accuracy(quantizer, luv, rgb):
    """Codebook accuracy of one output: its pixels' nearest codebook colors against the
    truth's (for the mode decoder, the label the classifier chose; for the others, the
    color the decoded chroma rounds to)."""
    labels = [quantizer.predict(x[..., 1:].reshape(-1, 2)) for x in (luv, rgb2luv(rgb))]
    return codebook_accuracy([labels[0]], [labels[1]])


#: How many dB of PSNR over the gray baseline make a model worth more than leaving the
#: photos gray: below it, :func:`verdict` warns. Differences of a few tenths of a dB are
#: within what another draw of held-out photos changes.
MIN_GAIN_DB = 0.5


class WeakModelWarning(UserWarning):
    """A model that does not beat the gray and mean-color baselines on held-out photos."""


def verdict(table, min_gain=MIN_GAIN_DB):
    """Whether a model beats the gray and mean-color baselines, in one line.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`evaluate`'s table (methods ``colorizer``, ``gray``, ``mean color``).
    min_gain : float, default=:data:`MIN_GAIN_DB`
        dB over the better baseline (mean PSNR per photo) below which the model is
        reported as no better than doing nothing.

    Returns
    -------
    better : bool
        The model's mean PSNR beats both baselines by at least ``min_gain`` dB.
    line : str
        ``"better than gray by 1.21 dB on 12 held-out photos (21.52 dB against 20.31;
        mean color 20.50)"``, or a sentence saying it is not.
    """
    means = table.groupby("method", sort=False)["psnr"].mean()
    n = int((table["method"] == "colorizer").sum())
    ours, gray, mean = means["colorizer"], means["gray"], means["mean color"]
    best_name, best = ("gray", gray) if gray >= mean else ("mean color", mean)
    gain = ours - gray
    numbers = f"({ours:.2f} dB against {gray:.2f} dB for gray and {mean:.2f} for mean color)"
    photos = f"{n} held-out photo{'s' if n != 1 else ''}"
    if ours - best >= min_gain:
        return True, f"better than gray by {gain:.2f} dB on {photos} {numbers}"
    if ours > best:
        return False, (f"only {ours - best:.2f} dB better than {best_name} on {photos} "
                       f"{numbers}: barely better than not colorizing; try more or more "
                       "varied photos, or other settings")
    return False, (f"not better than {best_name} on {photos} {numbers}: this model "
                   "colorizes worse than not colorizing; try more or more varied photos, "
                   "or other settings")

def summarize_metrics(table):
    """Mean metrics per method of an :func:`evaluate` table, for a model card.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`evaluate`'s table (a ``method`` column and :data:`METRIC_COLUMNS`).

    Returns
    -------
    dict of str -> dict
        ``{method: {"psnr": ..., "rmse_uv": ..., ..., "n_images": n}}`` in the table's
        method order, means rounded to 4 decimals; a metric that is NaN for a method
        (accuracy of the baselines) is left out.
    """
    out = {}
    for method, rows in table.groupby("method", sort=False):
        means = rows[list(METRIC_COLUMNS)].mean()
        out[method] = {k: round(float(v), 4) for k, v in means.items() if np.isfinite(v)}
        out[method]["n_images"] = len(rows)
    return out


def codebook_accuracy_score(colorizer, images, y=None, *, n_pixels=None, random_state=0):
    """Codebook accuracy of a fitted colorizer on color images: a scorer for model selection.

    Each image's lightness (its gray version: the colorizer reads only L*) is classified
    pixel by pixel; a pixel counts as a hit when the predicted codebook color equals the
    codebook color of its true chroma, ``colorizer.quantizer_.predict((u, v))``. Hits are
    pooled over all scored pixels, as the paper counted them (:func:`codebook_accuracy`).
    The signature is a scikit-learn scorer's, ``scorer(estimator, X, y)``, so it can be
    passed as ``scoring`` to ``GridSearchCV`` or ``cross_validate`` (with ``n_pixels`` and
    ``random_state`` bound by ``functools.partial``).

    Parameters
    ----------
    colorizer : fitted SOMColorizer
    images : list of color images (RGB or RGBA), or one array of shape (N, H, W, 3|4)
    y : None
        Ignored: the targets come from the images themselves.
    n_pixels : int or None, default=None
        None scores every pixel (``colorizer.predict_labels``). An int scores only that
        many pixels drawn at random from each image (all of them when an image has
        fewer), with the same patches the colorizer trains on
        (``colorizer.features_.sample``) classified by ``colorizer.classifier_``: much
        faster on large images. Hits are pooled over the drawn pixels, so every image
        weighs ``min(n_pixels, H * W)``: for images of one size this estimates the full
        score without bias; otherwise small images count as much as large ones.
    random_state : int, RandomState instance or None, default=0
        Seeds the pixel draw when ``n_pixels`` is set; the default makes the score
        deterministic, so candidates of a grid search are scored on the same pixels.

    Returns
    -------
    float
        Fraction of scored pixels whose codebook color is predicted right, in [0, 1].
    """
    from sklearn.base import clone
    from sklearn.utils.validation import check_is_fitted

    from .inference import takes_images

    check_is_fitted(colorizer)
    truth = [pixels for pixels, _ in check_images(images, require_color=True)]
    luv = [colorizer.color_space_.transform(pixels) for pixels in truth]
    quantize = colorizer.quantizer_.predict
    if n_pixels is None:
        true_labels = [quantize(im[..., 1:].reshape(-1, 2)).reshape(im.shape[:2]) for im in luv]
        return codebook_accuracy(true_labels, colorizer.predict_labels(truth))
    sampler = clone(colorizer.features_).set_params(n_samples=n_pixels)
    patches, chroma, picked = sampler.sample_luv(luv, random_state=random_state)
    if takes_images(colorizer.classifier_):
        # a CNN labels whole images: read its labels at the drawn pixels
        labels = colorizer.predict_labels(truth)
        predicted = np.concatenate([lab.reshape(-1)[i] for lab, i in zip(labels, picked)])
    else:
        predicted = np.asarray(colorizer.classifier_.predict(patches))
    return float(np.mean(predicted == quantize(chroma)))
