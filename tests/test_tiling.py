"""Tiled colorization: the tiled result equals the untiled one, for every decoder.

A medium image (the 300 x 340 top-left of ``camera``) in 128-pixel tiles: 3 x 3, the last
ones partial and of odd size; the halo is checked to be needed by shrinking it.
"""
import copy

import numpy as np
import pytest
from PIL import Image
from skimage import data
from skimage.util import img_as_ubyte

from nncolor import cli, tiling
from nncolor.decode import DECODERS
from nncolor.tiling import colorize_image, colorize_tiled, tile_halo

from .conftest import tiny_colorizer

TILE = 128


@pytest.fixture(scope="module")
def col(photos):
    # patch 5: a halo wider than one pixel. Without the SOM's convergence phase: on this
    # tiny model its codebook makes the MRF's labels near tile edges depend on the halo,
    # which test_the_halo_is_needed relies on to show the halo matters
    return tiny_colorizer(patch_size=5).set_params(
        quantizer__fine_tuning_iterations=0).fit(photos[:4])


@pytest.fixture(scope="module")
def gray():
    return data.camera()[:300, :340]


def with_decoder(col, decoder, **mrf):
    out = copy.deepcopy(col).set_params(decoder=decoder)
    out.mrf.set_params(**mrf)
    return out


def assert_same_uint8(image, rgb):
    """uint8 image equal to float RGB rounded (one level apart where noise crosses .5)."""
    expected = img_as_ubyte(np.clip(rgb, 0, 1)).astype(int)
    assert image.dtype == np.uint8 and np.abs(image - expected).max() <= 1


@pytest.mark.parametrize("decoder", DECODERS)
def test_tiled_equals_untiled(col, gray, decoder):
    # tol=0: the untiled MRF runs its n_iter sweeps, as tiles do (the early stop is global)
    model = with_decoder(col, decoder, tol=0.0)
    tiled = colorize_tiled(model, gray, tile_size=TILE, dtype=np.float32)
    np.testing.assert_allclose(tiled, model.predict(gray), atol=1e-5)


@pytest.mark.parametrize("decoder", ["annealed", "mrf"])
def test_the_halo_is_needed(col, gray, decoder, monkeypatch):
    model = with_decoder(col, decoder, tol=0.0)
    # mrf: only the patch's margin, none for the mean field's reach; else: no margin
    short = model.features_.patch_size // 2 if decoder == "mrf" else 0
    assert short < tile_halo(model)
    monkeypatch.setattr(tiling, "tile_halo", lambda colorizer: short)
    tiled = colorize_tiled(model, gray, tile_size=TILE, dtype=np.float32)
    assert np.abs(tiled - model.predict(gray)).max() > 1e-3


def test_the_default_mrf_early_stop_differs_little(col, gray):
    """Tiles run all sweeps; the early-stopped untiled MRF is the same up to its tol."""
    model = with_decoder(col, "mrf")
    assert model.mrf.tol > 0
    tiled = colorize_tiled(model, gray, tile_size=TILE)
    untiled = img_as_ubyte(np.clip(model.predict(gray), 0, 1))
    assert (np.abs(tiled.astype(int) - untiled).max(axis=-1) > 2).mean() < 0.01
    assert model.mrf.tol > 0  # the caller's colorizer is not changed


def test_reference_rgba_and_bit_depth(col, gray, photos):
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 200)])
    ref = photos[1]
    tiled = colorize_tiled(col, rgba, tile_size=TILE, reference=ref, dtype=np.float32)
    np.testing.assert_allclose(tiled, col.predict(rgba, reference=ref), atol=1e-5)
    assert tiled.shape == gray.shape + (4,)
    eight = colorize_tiled(col, gray, tile_size=TILE)
    assert eight.dtype == np.uint8
    assert_same_uint8(eight, col.predict(gray))
    assert colorize_tiled(col, gray.astype(np.uint16) * 257, tile_size=TILE).dtype == np.uint16


def test_hints_are_cropped_per_tile(col, gray):
    hints = np.zeros(gray.shape + (4,), np.uint8)
    hints[100:104, 100:104] = (200, 40, 40, 255)  # a red hint, inside one tile's core
    tiled = colorize_tiled(col, gray, tile_size=TILE, hints=hints, dtype=np.float32)
    untiled = col.predict(gray, hints=hints)
    np.testing.assert_allclose(tiled[100:104, 100:104], untiled[100:104, 100:104], atol=1e-5)
    # the hint's spread stops at its tile's halo: only part of the image can differ
    assert (np.abs(tiled - untiled).max(axis=-1) > 1e-3).mean() < 0.5


@pytest.mark.parametrize("kwargs, message", [
    ({"tile_size": 15}, "even integer"), ({"tile_size": 100.0}, "even integer"),
    ({"dtype": np.int32}, "dtype"), ({"hints": np.zeros((5, 5, 4))}, "hints have shape"),
])
def test_bad_arguments_are_named(col, gray, kwargs, message):
    with pytest.raises(ValueError, match=message):
        colorize_tiled(col, gray, **{"tile_size": TILE, **kwargs})
    with pytest.raises(ValueError, match="must be H x W"):
        colorize_tiled(col, np.zeros((4, 4, 2)), tile_size=TILE)


def image_classifier_tags(classifier):
    """``classifier``'s scikit-learn tags, saying what CNNClassifier's say: it takes images."""
    tags = type(classifier).__sklearn_tags__(classifier)
    tags.input_tags.two_d_array, tags.input_tags.three_d_array = False, True
    return tags


def test_a_cnn_is_not_tiled(col, gray):
    cnn_like = copy.deepcopy(col)
    clf = cnn_like.classifier_
    clf.__sklearn_tags__ = lambda: image_classifier_tags(clf)
    with pytest.raises(ValueError, match="CNN"):
        colorize_tiled(cnn_like, gray)
    assert tiling.can_tile(col) and not tiling.can_tile(cnn_like)


def test_large_images_are_tiled_automatically(col, gray, monkeypatch, tmp_path):
    assert colorize_image(col, gray).dtype == np.float32  # small: predict as it is
    monkeypatch.setattr(tiling, "AUTO_TILE_PIXELS", gray.size - 1)
    monkeypatch.setattr(tiling, "DEFAULT_TILE_SIZE", TILE)
    assert colorize_image(col, gray).dtype == np.uint8
    # and the command goes through it: the written file is the tiled image
    from nncolor.model_file import save_model

    model = save_model(col, tmp_path / "m.skops")
    Image.fromarray(gray).save(tmp_path / "big.png")
    calls = []
    real = tiling.colorize_tiled
    monkeypatch.setattr(tiling, "colorize_tiled", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert cli.main(["colorize", str(tmp_path / "big.png"), "-m", str(model), "-q"]) == 0
    written = np.asarray(Image.open(tmp_path / "big_colorized.png"))
    assert calls == [1]
    assert_same_uint8(written, col.predict(gray))
