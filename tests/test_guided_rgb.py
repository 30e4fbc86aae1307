"""nncolor.upsample.guided_rgb's two paths: NumPy for images up to NUMPY_MAX_PIXELS, the
numba kernel (nncolor.guided_kernel) above; the same colors either way."""
import subprocess
import sys

import numpy as np
import pytest

from nncolor import upsample
from nncolor.color import luv2rgb


def _case(shape, factor, spread, seed):
    """Lightness with edges and texture, and coefficients of a chroma ``spread`` wide (a
    wide one puts many pixels out of the sRGB gamut)."""
    rng = np.random.default_rng(seed)
    L = (rng.random(shape) * 100).astype(np.float32)
    L[:, : shape[1] // 3] *= np.float32(0.05)  # dark: the linear branch of L* -> Y
    small = upsample.block_mean(L, factor)
    chroma = ((rng.random(small.shape + (2,)) - 0.5) * spread).astype(np.float32)
    coef = upsample.guided_coefficients(small, chroma)
    bounds = [chroma[..., 0].min(), chroma[..., 0].max(),
              chroma[..., 1].min(), chroma[..., 1].max()]
    return coef, L, bounds


def _both(monkeypatch, *args, **kwargs):
    monkeypatch.setattr(upsample, "NUMPY_MAX_PIXELS", 1 << 40)
    by_numpy = upsample.guided_rgb(*args, **kwargs)
    monkeypatch.setattr(upsample, "NUMPY_MAX_PIXELS", 0)
    by_numba = upsample.guided_rgb(*args, **kwargs)
    return by_numpy, by_numba


@pytest.mark.parametrize("shape, factor, spread", [
    ((97, 131), 4, 40),     # partial blocks, mostly in gamut
    ((64, 300), 3, 250),    # far out of gamut
    ((33, 40), 1, 120),     # no reduction
])
def test_numpy_and_numba_give_the_same_colors(monkeypatch, shape, factor, spread):
    coef, L, bounds = _case(shape, factor, spread, seed=factor)
    by_numpy, by_numba = _both(monkeypatch, coef, L, factor, bounds=bounds)
    assert by_numpy.dtype == by_numba.dtype == np.float32
    assert by_numpy.min() >= 0 and by_numpy.max() <= 1
    np.testing.assert_allclose(by_numpy, by_numba, atol=2e-5)


def test_the_numpy_path_in_bands_equals_the_whole(monkeypatch):
    coef, L, bounds = _case((70, 90), 4, 150, seed=3)
    monkeypatch.setattr(upsample, "_BAND_PIXELS", 90 * 3)  # 3-row bands, in threads
    whole = upsample.guided_rgb(coef, L, 4, bounds=bounds)
    out = np.empty_like(whole)
    for y0 in range(0, 70, 8):  # a caller's bands (nncolor.tiling), the last one partial
        upsample.guided_rgb(coef, L[y0:y0 + 8], 4, row0=y0, bounds=bounds,
                            out=out[y0:y0 + 8])
    np.testing.assert_array_equal(out, whole)
    monkeypatch.setattr(upsample, "_cpu_count", lambda: 1)
    np.testing.assert_array_equal(upsample.guided_rgb(coef, L, 4, bounds=bounds), whole)


def test_the_numpy_path_is_luv2rgb(monkeypatch):
    """With a = 0, b = chroma and factor 1, as test_working_resolution's numba check."""
    rng = np.random.default_rng(2)
    L = (rng.random((64, 96)) * 100).astype(np.float32)
    uv = ((rng.random((64, 96, 2)) - 0.5) * 200).astype(np.float32)
    coef = np.zeros((64, 96, 4), np.float32)
    coef[..., 1], coef[..., 3] = uv[..., 0], uv[..., 1]
    monkeypatch.setattr(upsample, "NUMPY_MAX_PIXELS", 1 << 40)
    np.testing.assert_allclose(upsample.guided_rgb(coef, L, 1),
                               luv2rgb(np.dstack([L, uv])), atol=1e-4)


@pytest.mark.parametrize("row0", [0, 8])
def test_guided_chroma_is_what_guided_rgb_converts(row0):
    coef, L, bounds = _case((97, 131), 4, 40, seed=3)
    band = L[row0:row0 + 40]  # a band of rows of the image
    uv = upsample.guided_chroma(coef, band, 4, row0=row0, bounds=bounds)
    assert uv.shape == band.shape + (2,) and uv.dtype == np.float32
    assert uv[..., 0].min() >= bounds[0] and uv[..., 1].max() <= bounds[3]
    # converted as guided_rgb converts them (out-of-gamut colors are mapped by both)
    np.testing.assert_allclose(luv2rgb(np.dstack([band, uv])),
                               upsample.guided_rgb(coef, band, 4, row0=row0, bounds=bounds),
                               atol=2e-3)


def test_guided_chroma_in_threads_is_guided_chroma_in_one(monkeypatch):
    coef, L, bounds = _case((97, 131), 4, 40, seed=4)
    monkeypatch.setattr(upsample, "_BAND_PIXELS", 131 * 7)  # many bands, one a short one
    one = upsample.guided_chroma(coef, L, 4, bounds=bounds, n_jobs=1)
    np.testing.assert_array_equal(upsample.guided_chroma(coef, L, 4, bounds=bounds, n_jobs=2),
                                  one)
    # each band's rows are the whole image's: a band computed alone is those rows
    np.testing.assert_array_equal(
        upsample.guided_chroma(coef, L[7:30], 4, row0=7, bounds=bounds, n_jobs=1), one[7:30])


def test_the_path_is_chosen_by_the_whole_image():
    """Every band of one image takes the path of the whole image."""
    assert upsample.NUMPY_MAX_PIXELS == 1 << 22
    side = 2048 // 8
    code = ("import sys, numpy as np\nfrom nncolor import upsample\n"
            "coef = np.zeros(({h}, {w}, 4), np.float32)\n"
            "L = np.full((16, {w} * 8), 50, np.float32)\n"
            "upsample.guided_rgb(coef, L, 8, row0=64)\n"
            "print('numba' in sys.modules)")
    for h, numba in ((side, False), (side + 1, True)):  # 2048 x 2048 px: NumPy; more: numba
        done = subprocess.run([sys.executable, "-c", code.format(h=h, w=side)],
                              capture_output=True, text=True, check=True)
        assert done.stdout.strip() == str(numba)
