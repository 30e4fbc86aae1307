"""Metrics for colorization: codebook accuracy, chroma RMSE, PSNR and colorfulness.

Image metrics take the images the colorizer takes, through the same input checker
(:func:`nncolor._images.check_image`): uint8 (scaled by 255), uint16 (by 65535), bool, or
floats in [0, 1], RGB or RGBA (alpha ignored); anything else is refused with an error
naming the image and the problem, never measured on the wrong scale. They average per
image, the protocol of Larsson et al. (2016): a large image does not outweigh a small one.
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio

from ._images import check_image
from .color import rgb2luv


def _pixels(image, name, color=True):
    """``image`` as float32 in [0, 1] (RGB, alpha dropped), or a clear error."""
    pixels, _ = check_image(image, name=name)
    if color and pixels.ndim != 3:
        raise ValueError(f"{name} is grayscale (shape {np.shape(image)}); this metric needs "
                         "color (RGB or RGBA) images")
    return pixels


def _pairs(y_true, y_pred, color=True):
    """(true, predicted) float32 pixels of each pair of images, checked."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true images but {len(y_pred)} predicted ones")
    if len(y_true) == 0:
        raise ValueError("no images to compare")
    pairs = []
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        t = _pixels(t, f"true image {i}", color)
        p = _pixels(p, f"predicted image {i}", color)
        if t.shape != p.shape:
            raise ValueError(f"image {i}: true shape {t.shape} != predicted {p.shape}")
        pairs.append((t, p))
    return pairs


def _label_pairs(y_true, y_pred):
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true label maps but {len(y_pred)} predicted ones")
    if len(y_true) == 0:
        raise ValueError("no label maps to compare")
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        if np.shape(t) != np.shape(p):
            raise ValueError(f"label map {i}: true shape {np.shape(t)} != predicted "
                             f"{np.shape(p)}")
    return zip(y_true, y_pred)


def codebook_accuracy(y_true, y_pred):
    """Fraction of pixels whose codebook color is predicted right (the paper's score).

    Parameters
    ----------
    y_true, y_pred : list of int arrays (label maps) of matching shapes

    Returns
    -------
    float
        Pooled over all pixels, as the paper counted them.
    """
    hits = total = 0
    for t, p in _label_pairs(y_true, y_pred):
        hits += int(np.count_nonzero(np.asarray(t) == np.asarray(p)))
        total += np.size(t)
    return hits / total


def psnr(y_true, y_pred):
    """PSNR in dB of images on the [0, 1] scale, averaged over images.

    Parameters
    ----------
    y_true, y_pred : lists of images of matching shapes
        Gray or RGB(A), uint8, uint16 or float in [0, 1] (each scaled to [0, 1] first, so
        a uint8 image and its float version score the same).

    Returns
    -------
    float
        dB. A perfect image would score infinity; its PSNR is capped at 100 dB so the mean
        stays finite.

    Raises
    ------
    ValueError, TypeError
        Unequal counts or shapes, or an image the input checker refuses (floats outside
        [0, 1], other integer dtypes).
    """
    scores = []
    for t, p in _pairs(y_true, y_pred, color=False):
        t, p = t.astype(np.float64), p.astype(np.float64)
        if np.array_equal(t, p):
            scores.append(100.0)
        else:
            scores.append(min(100.0, peak_signal_noise_ratio(t, p, data_range=1.0)))
    return float(np.mean(scores))


def rmse_uv(y_true, y_pred):
    """Root mean squared error of the (u, v) chroma of color images, averaged over images.

    Images as :func:`psnr` takes them, in color. Returns L*u*v* units.
    """
    return float(np.mean([
        np.sqrt(np.mean((rgb2luv(t)[..., 1:] - rgb2luv(p)[..., 1:]) ** 2))
        for t, p in _pairs(y_true, y_pred)
    ]))


def colorfulness(image):
    """Colorfulness of an RGB image (Hasler & Suesstrunk 2003), about 0 (gray) to 150.

    ``sigma_rgyb + 0.3 * mu_rgyb`` over the opponent channels rg = R - G and
    yb = (R + G) / 2 - B in 0-255 units. The brownish, washed-out colorizations of
    regression-to-the-mean models (Avery & Amin 2018) score low; the original photos
    score higher. ``image``: a color image as :func:`psnr` takes them (uint8, uint16 or
    floats in [0, 1]).
    """
    rgb = _pixels(image, "image").astype(np.float64) * 255
    rg = rgb[..., 0] - rgb[..., 1]
    yb = (rgb[..., 0] + rgb[..., 1]) / 2 - rgb[..., 2]
    sigma = np.hypot(rg.std(), yb.std())
    mu = np.hypot(rg.mean(), yb.mean())
    return float(sigma + 0.3 * mu)


def splotchiness(image, lightness_step=2.0, chroma_step=10.0):
    """Share of 4-neighbour pixel pairs of nearly equal lightness but different color.

    A pair counts when its L* differ by less than ``lightness_step`` (the same surface)
    while its (u, v) differ by more than ``chroma_step`` (a visible color change): the
    speckled look of per-pixel mode decoding. True photos score near zero. ``image``: a
    color image as :func:`psnr` takes them (uint8, uint16 or floats in [0, 1]).
    """
    luv = rgb2luv(_pixels(image, "image"))
    shares = []
    for a, b in ((luv[1:], luv[:-1]), (luv[:, 1:], luv[:, :-1])):
        same_l = np.abs(a[..., 0] - b[..., 0]) < lightness_step
        changed = np.linalg.norm(a[..., 1:] - b[..., 1:], axis=-1) > chroma_step
        shares.append((np.count_nonzero(same_l & changed), a[..., 0].size))
    pairs = sum(n for _, n in shares)
    return sum(c for c, _ in shares) / pairs if pairs else 0.0


def evaluate(colorizer, images, names=None):
    """Metrics table of a fitted colorizer on color ``images``, with two baselines.

    Each image's lightness is colorized and compared with its true colors. The baselines
    keep the same lightness and use u = v = 0 ("gray") or the training set's mean chroma
    ("mean color").

    Returns
    -------
    pandas.DataFrame
        One row per image and method (``colorizer``, ``gray``, ``mean color``), columns
        ``image, method, psnr, rmse_uv, accuracy, colorfulness, splotchiness``.
        ``accuracy`` is the codebook accuracy of the decoded colors (NaN for the
        baselines).
    """
    import pandas as pd

    from ._images import check_images
    from .color import luv2rgb

    truth = [pixels for pixels, _ in check_images(images, require_color=True)]
    if names is not None and len(names) != len(truth):
        raise ValueError(f"{len(names)} names for {len(truth)} images")
    names = names if names is not None else [f"image {i}" for i in range(len(truth))]
    predicted = colorizer.predict(truth)
    quantize = colorizer.quantizer_.predict
    rows = []
    for name, t, p in zip(names, truth, predicted):
        luv = rgb2luv(t)
        true_labels = quantize(luv[..., 1:].reshape(-1, 2))
        # the codebook color nearest each output pixel: for the mode decoder, the label
        # the classifier chose; for the others, the color the decoded chroma rounds to
        lab = quantize(rgb2luv(p)[..., 1:].reshape(-1, 2))
        gray = luv.copy()
        gray[..., 1:] = 0
        mean = luv.copy()
        mean[..., 1:] = colorizer.chroma_mean_
        for method, out, acc in [
            ("colorizer", p, codebook_accuracy([true_labels], [lab])),
            ("gray", luv2rgb(gray), np.nan),
            ("mean color", luv2rgb(mean), np.nan),
        ]:
            rows.append({
                "image": name, "method": method, "psnr": psnr([t], [out]),
                "rmse_uv": rmse_uv([t], [out]), "accuracy": acc,
                "colorfulness": colorfulness(out), "splotchiness": splotchiness(out),
            })
    return pd.DataFrame(rows)


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

    from ._images import check_images
    from .colorizer import takes_images as _takes_images

    check_is_fitted(colorizer)
    truth = [pixels for pixels, _ in check_images(images, require_color=True)]
    luv = [colorizer.color_space_.transform(pixels) for pixels in truth]
    quantize = colorizer.quantizer_.predict
    if n_pixels is None:
        true_labels = [quantize(im[..., 1:].reshape(-1, 2)).reshape(im.shape[:2]) for im in luv]
        return codebook_accuracy(true_labels, colorizer.predict_labels(truth))
    sampler = clone(colorizer.features_).set_params(n_samples=n_pixels)
    patches, chroma, picked = sampler.sample_luv(luv, random_state=random_state)
    if _takes_images(colorizer.classifier_):
        # a CNN labels whole images: read its labels at the drawn pixels
        labels = colorizer.predict_labels(truth)
        predicted = np.concatenate([lab.reshape(-1)[i] for lab, i in zip(labels, picked)])
    else:
        predicted = np.asarray(colorizer.classifier_.predict(patches))
    return float(np.mean(predicted == quantize(chroma)))
