import numpy as np
import pytest

from nncolor.metrics import codebook_accuracy, colorfulness, psnr, rmse_uv, splotchiness


def test_psnr_known_value():
    a = np.zeros((4, 4, 3))
    b = np.full((4, 4, 3), 0.1)
    assert psnr([a], [b]) == pytest.approx(20.0)
    assert psnr([a, a], [b, a]) == pytest.approx((20 + 100) / 2)


def test_rmse_uv_and_accuracy():
    rng = np.random.default_rng(0)
    img = rng.random((5, 5, 3))
    assert rmse_uv([img], [img]) < 1e-3
    gray = np.repeat(img.mean(-1, keepdims=True), 3, axis=-1)
    assert rmse_uv([img], [gray]) > 5
    assert codebook_accuracy([np.array([[1, 2], [3, 4]])], [np.array([[1, 2], [0, 4]])]) == 0.75


def test_colorfulness_orders_gray_dull_vivid():
    gray = np.full((8, 8, 3), 0.5)
    dull = gray + np.array([0.05, 0.02, -0.03])
    vivid = np.zeros((8, 8, 3))
    vivid[::2, :, 0] = 1
    vivid[1::2, :, 2] = 1
    assert colorfulness(gray) == pytest.approx(0)
    assert 0 < colorfulness(dull) < colorfulness(vivid)


def test_mismatched_inputs():
    with pytest.raises(ValueError, match="2 true images but 1"):
        psnr([np.zeros((2, 2, 3))] * 2, [np.zeros((2, 2, 3))])
    with pytest.raises(ValueError, match="shape"):
        psnr([np.zeros((2, 2, 3))], [np.zeros((3, 2, 3))])


def test_splotchiness_sees_speckles_not_edges():
    from nncolor.color import luv2rgb

    flat = np.zeros((16, 16, 3), np.float32)
    flat[..., 0], flat[..., 1] = 50, 20
    speckled = flat.copy()
    speckled[::2, ::2, 1:] = [-30, 30]
    edge = flat.copy()
    edge[:, 8:] = [80, -40, 10]  # a color change with a lightness edge
    assert splotchiness(luv2rgb(flat)) == 0
    assert splotchiness(luv2rgb(edge)) == 0
    assert splotchiness(luv2rgb(speckled)) > 0.3


# ------------------------------------------------ every dtype the colorizer takes
def _photo_pair(photos):
    """A real photo and a colorization-like guess: its gray version, tinted."""
    true = photos[0]
    guess = np.repeat(true.mean(-1, keepdims=True), 3, axis=-1)
    guess[..., 0] = np.clip(guess[..., 0] + 20, 0, 255)
    return true, guess.astype(np.uint8)


def test_a_uint8_png_scores_as_its_float_version(tmp_path, photos):
    from PIL import Image

    true, guess = _photo_pair(photos)
    for name, image in (("true.png", true), ("guess.png", guess)):
        Image.fromarray(image).save(tmp_path / name)
    t8 = np.asarray(Image.open(tmp_path / "true.png"))
    p8 = np.asarray(Image.open(tmp_path / "guess.png"))
    assert t8.dtype == np.uint8
    tf, pf = t8 / 255.0, p8 / 255.0
    assert psnr([t8], [p8]) == pytest.approx(psnr([tf], [pf]), rel=1e-5)
    assert 5 < psnr([t8], [p8]) < 60  # a dB figure, not the -32 dB of 0-255 values
    assert rmse_uv([t8], [p8]) == pytest.approx(rmse_uv([tf], [pf]), rel=1e-4)
    assert colorfulness(t8) == pytest.approx(colorfulness(tf), rel=1e-5)
    assert colorfulness(t8) < 200  # not thousands, as 0-255 values read as [0, 1] gave
    assert splotchiness(p8) == pytest.approx(splotchiness(pf), abs=1e-6)
    assert splotchiness(t8) == pytest.approx(splotchiness(tf), abs=1e-6)


def test_uint16_float32_and_rgba_score_as_the_float64_version(photos):
    true, guess = _photo_pair(photos)
    t16, p16 = true.astype(np.uint16) * 257, guess.astype(np.uint16) * 257  # 255 -> 65535
    tf, pf = true / 255.0, guess / 255.0
    assert psnr([t16], [p16]) == pytest.approx(psnr([tf], [pf]), rel=1e-5)
    assert psnr([tf.astype(np.float32)], [pf.astype(np.float32)]) == pytest.approx(
        psnr([tf], [pf]), rel=1e-5)
    assert colorfulness(t16) == pytest.approx(colorfulness(tf), rel=1e-5)
    assert splotchiness(p16) == pytest.approx(splotchiness(pf), abs=1e-6)
    opaque = np.dstack([true, np.full(true.shape[:2], 255, np.uint8)])  # RGBA: alpha ignored
    assert colorfulness(opaque) == pytest.approx(colorfulness(true))
    assert psnr([opaque], [guess]) == pytest.approx(psnr([true], [guess]))


@pytest.mark.parametrize("bad, match", [
    (np.full((4, 4, 3), 200.0), r"float image with values in \[200, 200\]"),
    (np.full((4, 4, 3), 3, np.int64), "integer dtype int64"),
    (np.full((4, 4, 3), "a"), "numeric array"),
])
def test_images_on_another_scale_are_refused_not_measured(bad, match):
    good = np.zeros((4, 4, 3))
    for metric in (lambda im: psnr([good], [im]), lambda im: rmse_uv([im], [good]),
                   colorfulness, splotchiness):
        with pytest.raises((ValueError, TypeError), match=match):
            metric(bad)


def test_color_metrics_refuse_gray_images_psnr_takes_them():
    gray = np.full((4, 4), 0.5)
    with pytest.raises(ValueError, match="grayscale"):
        colorfulness(gray)
    with pytest.raises(ValueError, match="grayscale"):
        rmse_uv([gray], [gray])
    assert psnr([gray], [np.full((4, 4), 0.6)]) == pytest.approx(20.0)
