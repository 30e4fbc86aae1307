import numpy as np
import pytest
from skimage import color as skcolor

from nncolor import LuvConverter, luv2rgb, rgb2luv
from nncolor.color import lightness


@pytest.fixture
def rgb():
    return np.random.default_rng(0).random((64, 80, 3), dtype=np.float32)


def test_rgb2luv_matches_scikit_image(rgb):
    ref = skcolor.rgb2luv(rgb.astype(np.float64))
    out = rgb2luv(rgb)
    assert out.dtype == np.float32 and out.shape == rgb.shape
    np.testing.assert_allclose(out, ref, atol=2e-3)


def test_luv2rgb_matches_scikit_image(rgb):
    luv = skcolor.rgb2luv(rgb.astype(np.float64))
    np.testing.assert_allclose(luv2rgb(luv), skcolor.luv2rgb(luv), atol=1e-4)


def test_round_trip_and_extremes(rgb):
    np.testing.assert_allclose(luv2rgb(rgb2luv(rgb)), rgb, atol=1e-4)
    corners = np.array(np.meshgrid([0, 1], [0, 1], [0, 1])).reshape(3, -1).T.astype(np.float32)
    np.testing.assert_allclose(luv2rgb(rgb2luv(corners)), corners, atol=1e-4)
    assert np.isfinite(rgb2luv(np.zeros((2, 2, 3)))).all()


def test_lightness_of_gray_and_rgb(rgb):
    gray = rgb[..., 0]
    ref = skcolor.rgb2luv(np.stack([gray] * 3, axis=-1).astype(np.float64))[..., 0]
    np.testing.assert_allclose(lightness(gray), ref, atol=2e-3)
    np.testing.assert_allclose(lightness(rgb), rgb2luv(rgb)[..., 0], atol=1e-4)


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_the_conversions_scale_unsigned_integers_as_scikit_image_does(dtype, top):
    pixels = np.random.default_rng(1).integers(0, top, (20, 30, 3), endpoint=True).astype(dtype)
    floats = pixels.astype(np.float32) / top
    np.testing.assert_array_equal(rgb2luv(pixels), rgb2luv(floats))
    np.testing.assert_array_equal(lightness(pixels), lightness(floats))
    np.testing.assert_allclose(rgb2luv(pixels), skcolor.rgb2luv(pixels), atol=2e-3)


@pytest.mark.parametrize("values", [np.array([1, 0, 0]), np.zeros((2, 3), bool),
                                    np.zeros((2, 2, 3), np.int16)])
def test_the_conversions_refuse_signed_integers_and_booleans(values):
    for convert in (rgb2luv, lightness):
        with pytest.raises(ValueError, match="floats in \\[0, 1\\] or unsigned integers"):
            convert(values)


def test_the_conversions_name_a_wrong_shape():
    with pytest.raises(ValueError, match=r"rgb2luv takes RGB of shape \(..., 3\); got shape \(4, 5\)"):
        rgb2luv(np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"lightness takes gray .* got shape \(4, 5, 4\)"):
        lightness(np.zeros((4, 5, 4), np.uint8))  # RGBA


def test_python_numbers_and_lists_are_floats_as_before():
    np.testing.assert_array_equal(rgb2luv([1, 0, 0]), rgb2luv(np.float32([1, 0, 0])))
    assert float(lightness(1)) == pytest.approx(100, abs=1e-3) and float(lightness(0)) == 0


@pytest.mark.parametrize("dtype, top", [(np.uint8, 255), (np.uint16, 65535)])
def test_converter_is_dtype_aware(dtype, top):
    img = np.full((3, 3, 3), top, dtype=dtype)
    luv = LuvConverter().fit().transform(img)
    assert luv.dtype == np.float32
    np.testing.assert_allclose(luv[..., 0], 100, atol=1e-3)
    np.testing.assert_allclose(luv[..., 1:], 0, atol=1e-2)


def test_converter_rows_and_errors():
    conv = LuvConverter()
    rows = np.random.default_rng(1).random((10, 3))
    np.testing.assert_allclose(conv.inverse_transform(conv.transform(rows)), rows, atol=1e-4)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        conv.transform(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        conv.transform(np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        conv.transform(np.full((2, 3), 2.0))


def test_out_of_gamut_colors_keep_their_lightness():
    rng = np.random.default_rng(3)
    luv = np.stack([rng.uniform(0, 100, 5000), rng.uniform(-150, 180, 5000),
                    rng.uniform(-140, 120, 5000)], axis=-1).astype(np.float32)
    rgb = luv2rgb(luv)
    assert rgb.min() >= 0 and rgb.max() <= 1
    np.testing.assert_allclose(rgb2luv(rgb)[..., 0], luv[..., 0], atol=0.05)
    # the hue angle in (u, v) is kept for physical colors (XYZ >= 0) that keep some chroma;
    # (u, v) too large for their L are imaginary colors, which have no hue to keep
    back = rgb2luv(rgb)
    physical = (skcolor.luv2xyz(luv.astype(np.float64)) >= 0).all(axis=-1)
    keep = physical & (np.hypot(back[..., 1], back[..., 2]) > 5)
    assert keep.sum() > 1000
    angle = np.angle((back[keep, 1] + 1j * back[keep, 2]) / (luv[keep, 1] + 1j * luv[keep, 2]))
    assert np.percentile(np.abs(angle), 99) < 0.05
