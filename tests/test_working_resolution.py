"""The working resolution: large photos classified at the training scale, chroma upsampled
by the guided filter on the full-resolution lightness (nncolor.upsample)."""
import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from skimage import data
from sklearn.base import clone

from nncolor import upsample
from nncolor.color import luv2rgb, rgb2luv
from nncolor.tiling import colorize_image, colorize_in_bands, colorize_tiled

from .conftest import tiny_colorizer


@pytest.fixture(scope="module")
def col(photos):
    """Fitted on 48 px photos: a 512 px image is classified about 11 times smaller."""
    return tiny_colorizer(working_size="auto").fit(photos[:4])


@pytest.fixture(scope="module")
def gray():
    return data.camera()


def full(col):
    """The fitted colorizer at full resolution."""
    return copy.deepcopy(col).set_params(working_size=None)


# ---------------------------------------------------------------- the colorizer
def test_fit_records_the_training_size(col):
    assert col.training_size_ == 48.0
    assert col.reduction_factor((512, 512)) == round(512 / 48)
    assert col.reduction_factor((48, 48)) == 1
    assert col.reduction_factor((70, 70)) == 1  # under 1.5 times: full resolution
    assert full(col).reduction_factor((5000, 5000)) == 1
    assert copy.deepcopy(col).set_params(working_size=128).reduction_factor((512, 512)) == 4
    assert col.reduction_factor((40, 4000)) == 5  # a strip keeps 8 pixels across


def test_shape_dtype_and_alpha_are_kept(col, gray):
    out = col.predict(gray)
    assert out.shape == gray.shape + (3,) and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1
    odd = gray[:301, :457]  # sides that are not multiples of the factor
    assert col.predict(odd).shape == odd.shape + (3,)
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 77)])
    out = col.predict(rgba)
    assert out.shape == gray.shape + (4,)
    np.testing.assert_allclose(out[..., 3], 77 / 255, atol=1e-6)


def test_it_differs_from_full_resolution(col, gray):
    """The working path is taken (else every other test here would pass vacuously)."""
    assert np.abs(col.predict(gray) - full(col).predict(gray)).max() > 0.05


def test_the_output_keeps_the_input_lightness(col, gray):
    out = col.predict(gray)
    L_in = rgb2luv(np.repeat((gray / np.float32(255))[..., None], 3, axis=-1))[..., 0]
    L_out = rgb2luv(out)[..., 0]
    assert np.abs(L_out - L_in).max() < 0.05
    # and the chroma is not flat: colors follow the photo
    assert np.abs(rgb2luv(out)[..., 1:]).max() > 1


def test_working_size_none_gives_the_full_resolution_output(col, gray):
    model = full(col)
    huge = copy.deepcopy(col).set_params(working_size=100_000)  # never reached
    np.testing.assert_array_equal(model.predict(gray), huge.predict(gray))


def test_an_image_no_larger_than_the_working_size_is_untouched(col, photos):
    small = photos[4][..., 0]  # 48 x 48, the training size
    np.testing.assert_array_equal(col.predict(small), full(col).predict(small))


@pytest.mark.parametrize("decoder", ["mode", "expectation", "mrf"])
def test_every_decoder_runs_at_the_working_size(col, gray, decoder):
    model = copy.deepcopy(col).set_params(decoder=decoder)
    out = model.predict(gray)
    assert out.shape == gray.shape + (3,) and np.isfinite(out).all()


def test_params_roundtrip_and_validation(col):
    model = clone(col).set_params(working_size=256)
    assert model.get_params()["working_size"] == 256
    assert clone(model).get_params()["working_size"] == 256
    for bad in (8, "big", 3.5):
        with pytest.raises(ValueError, match="working_size"):
            clone(col).set_params(working_size=bad).fit(
                [np.zeros((8, 8, 3), np.uint8)])


def _as_old(col):
    """The model as a file saved before the parameter existed: no working_size attribute."""
    old = copy.deepcopy(col)
    del old.__dict__["working_size"]
    return old


def test_an_old_pickle_loads_with_full_resolution(col, gray):
    loaded = pickle.loads(pickle.dumps(_as_old(col)))
    assert loaded.working_size is None
    np.testing.assert_array_equal(loaded.predict(gray), full(col).predict(gray))


def test_an_old_skops_file_loads_with_full_resolution(col, gray, tmp_path):
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "old.skops"
    sio.dump(_as_old(col), path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert loaded.working_size is None
    np.testing.assert_array_equal(loaded.predict(gray), full(col).predict(gray))


def test_hints_land_where_painted(col):
    """A hint painted on a flat square recolors the square at full resolution."""
    image = np.full((480, 480), 60, np.uint8)
    image[100:300, 100:300] = 170  # a flat region with sharp edges
    target = int(np.argmax(np.linalg.norm(col.codebook_, axis=1)))  # the most vivid color
    u, v = col.codebook_[target]
    hint_rgb = luv2rgb(np.array([60.0, u, v], np.float32))
    hints = np.zeros((480, 480, 4), np.float32)
    hints[180:220, 180:220, :3] = hint_rgb
    hints[180:220, 180:220, 3] = 1
    free = rgb2luv(col.predict(image))[100:300, 100:300, 1:].reshape(-1, 2)
    hinted = rgb2luv(col.predict(image, hints=hints))[100:300, 100:300, 1:].reshape(-1, 2)
    # the square's chroma moves to the hinted color
    dist = lambda uv: np.linalg.norm(np.median(uv, axis=0) - [u, v])  # noqa: E731
    assert dist(free) > 10 and dist(hinted) < 0.2 * dist(free)
    # and a one-pixel hint is not lost by the shrink
    dot = np.zeros_like(hints)
    dot[200, 200] = hints[200, 200]
    small = upsample.downscale_labels(np.where(dot[..., 3] > 0.5, target, -1),
                                      col.reduction_factor(image.shape))
    assert (small == target).sum() == 1


# ----------------------------------------------------------------- the bands
def test_bands_equal_predict(col, gray, photos):
    rgba = np.dstack([gray, gray, gray, np.full_like(gray, 200)])
    hints = np.zeros(gray.shape + (4,), np.float32)
    hints[200:230, 250:280] = [0.9, 0.2, 0.1, 1.0]
    expected = col.predict(rgba, reference=photos[1], hints=hints)
    # small bands: many of them, the last one partial
    banded = colorize_in_bands(col, rgba, reference=photos[1], hints=hints,
                               dtype=np.float32, band_pixels=30 * 512)
    np.testing.assert_allclose(banded, expected, atol=1e-5)
    # colorize_tiled and colorize_image take the bands for this colorizer
    np.testing.assert_allclose(colorize_tiled(col, gray, tile_size=128, dtype=np.float32),
                               col.predict(gray), atol=1e-5)
    assert colorize_image(col, gray, tile_size=128).dtype == np.uint8


# ------------------------------------------------------------ upsample itself
def test_block_mean_in_bands_equals_whole():
    rng = np.random.default_rng(0)
    L = (rng.random((103, 77)) * 100).astype(np.float32)
    whole = upsample.block_mean(L, 4)
    assert whole.shape == (26, 20)
    np.testing.assert_allclose(whole[0, 0], L[:4, :4].mean(), rtol=1e-6)
    # the last, partial block averages the replicated edge
    np.testing.assert_allclose(whole[-1, -1], L[[100, 101, 102, 102], 76].mean(), rtol=1e-6)
    out = np.empty_like(whole)
    for y0 in range(0, 103, 12):
        upsample.block_mean(L[y0:y0 + 12], 4, out=out, row0=y0)
    np.testing.assert_array_equal(out, whole)
    with pytest.raises(ValueError, match="multiple"):
        upsample.block_mean(L[3:], 4, out=out, row0=3)


def test_guided_filter_reproduces_a_linear_chroma():
    rng = np.random.default_rng(1)
    L = (rng.random((40, 50)) * 100).astype(np.float32)
    chroma = np.stack([0.5 * L - 10, -0.2 * L + 30], axis=-1)
    coef = upsample.guided_coefficients(L, chroma, eps=1e-6)
    np.testing.assert_allclose(coef[..., 0] * L + coef[..., 1], chroma[..., 0], atol=1e-2)
    np.testing.assert_allclose(coef[..., 2] * L + coef[..., 3], chroma[..., 1], atol=1e-2)


def test_guided_rgb_is_luv2rgb():
    """With coefficients (a = 0, b = chroma) and factor 1 the kernel is a Luv -> RGB."""
    rng = np.random.default_rng(2)
    L = (rng.random((64, 96)) * 100).astype(np.float32)
    uv = ((rng.random((64, 96, 2)) - 0.5) * 200).astype(np.float32)  # much out of gamut
    coef = np.zeros((64, 96, 4), np.float32)
    coef[..., 1], coef[..., 3] = uv[..., 0], uv[..., 1]
    np.testing.assert_allclose(upsample.guided_rgb(coef, L, 1),
                               luv2rgb(np.dstack([L, uv])), atol=1e-4)


def test_guided_upsampling_follows_full_resolution_edges():
    """A chroma edge on a lightness edge that falls inside a block stays sharp."""
    L = np.full((64, 64), 30, np.float32)
    L[:, 37:] = 80  # 37: not on a 4-pixel block boundary
    small_L = upsample.block_mean(L, 4)
    small_chroma = np.zeros(small_L.shape + (2,), np.float32)
    small_chroma[..., 0] = np.where(small_L > 55, 40, -40)
    coef = upsample.guided_coefficients(small_L, small_chroma)
    u = rgb2luv(upsample.guided_rgb(coef, L, 4))[..., 1]
    assert u[:, 39:].min() > 20 and u[:, :35].max() < -20
    assert u[:, 36].mean() < 0 < u[:, 37].mean()  # the edge is where L has it


# ------------------------------------------------------------- the command line
def test_the_command_uses_the_model_working_size_and_the_option(col, tmp_path, capsys):
    from PIL import Image
    from skimage.util import img_as_ubyte

    from nncolor import cli
    from nncolor.model_file import save_model

    model = save_model(col, tmp_path / "m.skops")
    gray = data.camera()[:300, :420]
    Image.fromarray(gray).save(tmp_path / "g.png")

    def run(*options):
        out = tmp_path / "out.png"
        assert cli.main(["colorize", str(tmp_path / "g.png"), "-m", str(model), "-o",
                         str(out), "-q", "--overwrite", *options]) == 0
        return np.asarray(Image.open(out)).astype(int)

    def expected(size):
        rgb = copy.deepcopy(col).set_params(working_size=size).predict(gray)
        return img_as_ubyte(np.clip(rgb, 0, 1)).astype(int)

    assert np.abs(run() - expected("auto")).max() <= 1  # the model's own: auto
    assert np.abs(run("--working-size", "full") - expected(None)).max() <= 1
    assert np.abs(run("--working-size", "100") - expected(100)).max() <= 1
    assert np.abs(expected(None) - expected("auto")).max() > 10  # the three differ
    for bad in ("8", "big"):
        with pytest.raises(SystemExit) as stop:
            cli.main(["colorize", str(tmp_path / "g.png"), "--working-size", bad])
        assert stop.value.code == 2 and "expected auto, full" in capsys.readouterr().err


# ------------------------------------------------------------------ the pipeline
def test_the_pipeline_measures_both_paths_on_real_photos():
    from pipelines.working_resolution import VARIANTS, measure, summarize

    from .conftest import shared_folder

    folder = shared_folder("flickr-people")
    rows, col = measure(folder, shrink=4, n_train=12, n_test=2, quick=True)
    assert len(rows) == 2 * len(VARIANTS)
    by_variant = {r["variant"]: r for r in rows[:len(VARIANTS)]}
    assert by_variant["full resolution"]["factor"] == 1
    assert by_variant["working resolution"]["factor"] >= 3  # 4x larger than training
    assert all(np.isfinite(r["psnr_minus_gray"]) and r["seconds"] > 0 for r in rows)
    summary = summarize(pd.DataFrame(rows))
    assert set(summary["variant"]) == set(VARIANTS) and (summary["photos"] == 2).all()
