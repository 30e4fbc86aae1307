"""Metrics for colorization: codebook accuracy, chroma RMSE, PSNR, colorfulness and
splotchiness, on arrays alone (no model: :mod:`nncolor.evaluation` measures a colorizer).

Image metrics take the images the colorizer takes, through the same input checker
(:func:`nncolor._images.check_image`): uint8 (scaled by 255), uint16 (by 65535), bool, or
floats in [0, 1], RGB or RGBA (alpha ignored); anything else is refused with an error
naming the image and the problem, never measured on the wrong scale. They average per
image, the protocol of Larsson et al. (2016): a large image does not outweigh a small one.
"""
import numpy as np

from ._images import check_image
from .luv import rgb2luv


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
    # imported here: scikit-image's metrics load scipy.stats (half a second), which a
    # model card (nncolor.card, through nncolor.evaluation) does not need
    from skimage.metrics import peak_signal_noise_ratio

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
