"""Property tests (hypothesis) on the components: for any image size from 1 x 1 and any
supported dtype and value range, the invariants the rest of nncolor relies on.

Examples are kept small (sides up to 24 pixels) and few, so the module runs in seconds;
the fitted colorizer is the session's tiny one.
"""
import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nncolor.color import luv2rgb, rgb2luv
from nncolor.decode import DECODERS
from nncolor.mrf import PottsMRF

from .conftest import tiny_colorizer

# no example database: a test run leaves nothing in the working tree
FEW = settings(max_examples=15, deadline=None, database=None)

DTYPES = [np.uint8, np.uint16, np.float32, np.float64, np.bool_]


@st.composite
def images(draw, max_side=24):
    """An image nncolor accepts: gray (2-D or H x W x 1), RGB or RGBA; uint8, uint16,
    bool, or float in [0, 1] (edges 0 and 1 included); sides from 1."""
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    channels = draw(st.sampled_from([None, 1, 3, 4]))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = (h, w) if channels is None else (h, w, channels)
    if dtype.kind == "f":
        elements = st.floats(0, 1, width=dtype.itemsize * 8)
    else:
        elements = None  # the dtype's whole range
    return draw(hnp.arrays(dtype, shape, elements=elements))


@pytest.fixture(scope="module")
def by_decoder(fitted):
    """The session's colorizer, one copy per decoder (copies: the fixture is shared)."""
    return {d: copy.deepcopy(fitted).set_params(decoder=d) for d in DECODERS}


# ------------------------------------------------------------------ colorizing
@FEW
@given(image=images(), decoder=st.sampled_from(DECODERS))
def test_predict_shape_dtype_and_range(by_decoder, image, decoder):
    out = by_decoder[decoder].predict(image)
    h, w = image.shape[:2]
    rgba = image.ndim == 3 and image.shape[2] == 4
    assert out.shape == (h, w, 4 if rgba else 3)
    assert out.dtype == np.float32
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    if rgba:  # alpha passes through, scaled to [0, 1]
        from skimage.util import img_as_float32

        np.testing.assert_array_equal(out[..., 3], img_as_float32(image[..., 3]))


@FEW
@given(image=images())
def test_labels_in_range_and_probabilities_sum_to_one(fitted, image):
    h, w = image.shape[:2]
    labels = fitted.predict_labels(image)
    assert labels.shape == (h, w) and np.issubdtype(labels.dtype, np.integer)
    assert labels.min() >= 0 and labels.max() < fitted.n_colors_
    proba = fitted.predict_proba(image)
    assert proba.shape == (h, w, fitted.n_colors_) and proba.dtype == np.float32
    assert proba.min() >= 0
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    # the label is the most probable color (up to ties in float32)
    picked = np.take_along_axis(proba, labels[..., None], -1)[..., 0]
    np.testing.assert_allclose(picked, proba.max(-1), atol=1e-6)
    uncertainty = fitted.predict_uncertainty(image)
    assert uncertainty.shape == (h, w) and uncertainty.min() >= 0
    assert uncertainty.max() <= 1 + 1e-6


@FEW
@given(image=images(max_side=40), decoder=st.sampled_from(DECODERS))
def test_predict_is_the_same_in_threads(by_decoder, image, decoder):
    """n_jobs splits pixels into blocks: any split gives the same colors, bit for bit."""
    col = by_decoder[decoder]
    serial = col.set_params(n_jobs=1).predict(image)
    try:
        threaded = col.set_params(n_jobs=2).predict(image)
    finally:
        col.set_params(n_jobs=None)
    np.testing.assert_array_equal(serial, threaded)


@pytest.mark.parametrize("seed", [0, 7])
def test_fit_is_determined_by_the_seed_whatever_n_jobs(photos, seed):
    fits = [tiny_colorizer(random_state=seed, n_jobs=n_jobs).fit(photos[:2])
            for n_jobs in (1, 1, 2)]
    gray = photos[4]
    first = fits[0]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.codebook_, first.codebook_)
        np.testing.assert_array_equal(other.predict(gray), first.predict(gray))


# ------------------------------------------------------------------ color space
@FEW
@given(rgb=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=16).map(
    lambda s: (*s, 3)), elements=st.floats(0, 1, width=32)))
def test_luv_round_trip(rgb):
    luv = rgb2luv(rgb)
    assert luv.shape == rgb.shape and luv.dtype == np.float32
    assert luv[..., 0].min() >= -1e-3 and luv[..., 0].max() <= 100 + 1e-3
    back = luv2rgb(luv)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, rgb, atol=2e-4)


# ------------------------------------------------------------------ MRF
@FEW
@given(h=st.integers(1, 12), w=st.integers(1, 12), k=st.integers(2, 9),
       seed=st.integers(0, 2**32 - 1), unary=st.sampled_from(["log", "linear", "sqrt"]),
       pairwise=st.floats(0, 8))
def test_mrf_never_increases_the_energy(h, w, k, seed, unary, pairwise):
    """Each mean-field sweep raises the ELBO (the negative free energy), or keeps it."""
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(k, 0.5), size=(h, w)).astype(np.float32)
    L = rng.uniform(0, 100, (h, w)).astype(np.float32)
    grid = np.array([divmod(i, 3) for i in range(k)], dtype=np.float32)
    mrf = PottsMRF(unary=unary, pairwise_weight=pairwise, n_iter=6, tol=0)
    q, info = mrf.smooth(proba, L, grid, return_info=True, track_elbo=True)
    energy = -np.array(info["elbo"])
    assert np.all(np.diff(energy) <= 1e-5 * np.maximum(1, np.abs(energy[:-1])))
    assert q.shape == (h, w, k) and q.min() >= 0
    np.testing.assert_allclose(q.sum(-1), 1, atol=1e-4)
