"""Guidance (nncolor.guidance): the learned global color prior and chroma scale, the
reference's histogram, hints and reweighting; and the SOM's convergence phase."""
import numpy as np
import pytest
from sklearn.base import clone

from nncolor.color import luv2rgb, rgb2luv
from nncolor.guidance import (DESCRIPTOR_SIZE, clamp_hints, fit_photo_regressor, hint_labels,
                              hint_prior, least_squares_scale, leave_one_out_predict,
                              lightness_descriptor, palette_weights, reference_photos,
                              reference_prior, reweight)
from nncolor.som import SOMQuantizer, batch_map

from .conftest import tiny_colorizer


def test_descriptor_shape_dtype_and_scale_invariance():
    rng = np.random.default_rng(0)
    L = rng.uniform(0, 100, (60, 80)).astype(np.float32)
    d = lightness_descriptor(L)
    assert d.shape == (DESCRIPTOR_SIZE,) and d.dtype == np.float32 and np.isfinite(d).all()
    # a tone histogram of fractions: it sums to one
    assert d[64:72].sum() == pytest.approx(1, abs=1e-6)
    # one pixel, a flat image and a huge one (decimated first) all work
    assert lightness_descriptor(np.full((1, 1), 50.0)).shape == (DESCRIPTOR_SIZE,)
    big = np.kron(L, np.ones((40, 40), np.float32))  # 2400 x 3200
    assert np.abs(lightness_descriptor(big)[:64] - d[:64]).max() < 2


@pytest.mark.parametrize("shape", [(1, 1), (7, 300), (64, 64), (65, 200), (1024, 768)])
def test_the_descriptors_64_pixel_version_is_scikit_images_resize(shape):
    from skimage.transform import resize

    from nncolor.guidance import _small  # the matrix form of the resize, for its speed

    L = np.random.default_rng(0).random(shape, dtype=np.float32)
    np.testing.assert_allclose(_small(L), resize(L, (64, 64), anti_aliasing=True),
                               atol=1e-6)


def test_descriptor_refuses_what_is_no_lightness_image():
    with pytest.raises(ValueError, match="2-D"):
        lightness_descriptor(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="2-D"):
        lightness_descriptor(np.zeros((0, 4)))


def test_palette_weights_follow_bayes_and_strength():
    pi = np.array([0.5, 0.3, 0.2])
    assert np.allclose(palette_weights([0.1, 0.1, 0.8], pi, 0), 1)  # strength 0: nothing
    w = palette_weights([0.1, 0.1, 0.8], pi, 1.0, floor=0)
    ratio = np.array([0.1, 0.1, 0.8]) / pi
    assert np.allclose(w, ratio / ratio.max(), atol=1e-6)
    # the floor keeps a color the palette rules out possible
    assert palette_weights([0, 0, 1], pi, 1.0).min() > 0


def test_leave_one_out_leaves_the_photo_out():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, DESCRIPTOR_SIZE)).astype(np.float32)
    Y = rng.uniform(size=(30, 3)).astype(np.float32)
    reg = fit_photo_regressor(X, Y, n_neighbors=4)
    np.testing.assert_allclose(reg.predict(X), Y, atol=1e-5)  # itself, at distance 0
    loo = leave_one_out_predict(reg, Y, X, np.arange(30))
    # the same as a regressor fitted without the photo
    for i in (0, 7, 29):
        others = np.delete(np.arange(30), i)
        alone = fit_photo_regressor(X[others], Y[others], n_neighbors=4)
        # the projection differs slightly without the photo; the neighbours do not
        dist, ind = reg[-1].kneighbors(reg[:-1].transform(X[i:i + 1]), 5)
        assert ind[0, 0] == i and i not in others[alone[-1].kneighbors(
            alone[:-1].transform(X[i:i + 1]), 4)[1][0]]
        w = 1 / dist[0, 1:]
        np.testing.assert_allclose(loo[i], (w[:, None] * Y[ind[0, 1:]]).sum(0) / w.sum(),
                                   rtol=1e-5)
    # a photo the regressor was not fitted on keeps all its nearest neighbours
    np.testing.assert_allclose(leave_one_out_predict(reg, Y, X[:1] + 0.5, [-1]),
                               reg.predict(X[:1] + 0.5), rtol=1e-4)


def test_reference_photos_are_bounded_and_seeded():
    assert np.array_equal(reference_photos(10, 20), np.arange(10))
    a = reference_photos(5000, 2000, random_state=0)
    assert len(a) == 2000 and np.all(np.diff(a) > 0)
    assert np.array_equal(a, reference_photos(5000, 2000, random_state=0))


def test_least_squares_scale():
    truth = np.array([[10.0, 0], [0, -20]])
    assert least_squares_scale(truth, truth) == pytest.approx(1)
    assert least_squares_scale(truth, 2 * truth) == pytest.approx(0.5)
    assert least_squares_scale(truth, -truth) == 0  # wrong colors: gray is best
    assert least_squares_scale(truth, np.zeros_like(truth)) == 1  # nothing to scale


def test_batch_map_converges_to_the_cluster_means():
    rng = np.random.default_rng(0)
    centers = np.array([[-30, -30], [-30, 30], [30, -30], [30, 30]], np.float32)
    X = (centers[rng.integers(0, 4, 4000)] + rng.normal(0, 2, (4000, 2))).astype(np.float32)
    grid = np.indices((2, 2)).reshape(2, -1).T
    start = np.array([[-5, -5], [-5, 5], [5, -5], [5, 5]], np.float32)  # an ordered, shrunk map
    out = batch_map(X, start, grid, 10, 1.0)
    assert np.abs(np.sort(out, 0) - np.sort(centers, 0)).max() < 1


def test_the_convergence_phase_keeps_the_codebook_spread(photos):
    from nncolor.color import rgb2luv

    # the chroma of real photos: mostly near gray, with a few vivid colors
    X = np.concatenate([rgb2luv(p / np.float32(255))[..., 1:].reshape(-1, 2) for p in photos])
    before = SOMQuantizer((3, 3), fine_tuning_iterations=0, random_state=0).fit(X)
    after = SOMQuantizer((3, 3), random_state=0).fit(X)
    spread = [np.linalg.norm(q.cluster_centers_ - X.mean(0), axis=1).max() for q in (before, after)]
    assert spread[1] > 1.2 * spread[0]  # the neighbours no longer pull the vivid colors in
    assert after.quantization_error(X) < before.quantization_error(X)


@pytest.fixture(scope="module")
def fitted(photos):
    return tiny_colorizer(chroma_shrinkage=True).fit(photos[:4])


def test_the_learned_prior_and_scale_are_fitted(fitted, photos):
    palette = fitted.predict_palette(photos[4])
    assert palette.shape == (fitted.n_colors_,) and palette.sum() == pytest.approx(1, abs=1e-5)
    assert (palette >= 0).all()
    assert 0 <= fitted.chroma_scale(photos[4]) <= 1
    assert fitted.color_prior(photos[4]).shape == (fitted.n_colors_,)


def test_turning_guidance_off_gives_the_plain_colorizer(fitted, photos):
    plain = clone(fitted).set_params(global_prior=0, chroma_shrinkage=False).fit(photos[:4])
    off = fitted.set_params(global_prior=0, chroma_shrinkage=False)
    try:
        np.testing.assert_array_equal(off.predict(photos[4]), plain.predict(photos[4]))
        assert off.color_prior(photos[4]) is None and off.chroma_scale(photos[4]) == 1
    finally:
        fitted.set_params(global_prior=0.5, chroma_shrinkage=True)
    assert np.abs(fitted.predict(photos[4]) - plain.predict(photos[4])).max() > 1e-3


def test_a_reference_replaces_the_prior_and_keeps_full_chroma(fitted, photos):
    ref = photos[1]
    with_ref = fitted.predict(photos[4], reference=ref)
    fitted.set_params(global_prior=0, chroma_shrinkage=False)
    try:
        np.testing.assert_allclose(with_ref, fitted.predict(photos[4], reference=ref), atol=1e-6)
    finally:
        fitted.set_params(global_prior=0.5, chroma_shrinkage=True)


def test_the_chroma_scale_has_a_strength(fitted, photos):
    full = fitted.chroma_scale(photos[4])
    assert full < 1  # a factor that does something, for the test to mean something
    try:
        for strength in (0.25, 0.5, 1.0):
            fitted.set_params(chroma_shrinkage=strength)
            assert fitted.chroma_scale(photos[4]) == pytest.approx(1 - strength * (1 - full))
        fitted.set_params(chroma_shrinkage=0.0)
        assert fitted.chroma_scale(photos[4]) == 1
        # the weaker the scale, the more colorful the colors
        chroma = []
        for strength in (1.0, 0.5, 0.0):
            luv = rgb2luv(fitted.set_params(chroma_shrinkage=strength).predict(photos[4]))
            chroma.append(np.hypot(luv[..., 1], luv[..., 2]).mean())
        assert chroma[0] < chroma[1] < chroma[2]
    finally:
        fitted.set_params(chroma_shrinkage=True)


def test_the_inference_form_and_a_model_file_keep_the_strength(fitted, photos, tmp_path):
    from nncolor.inference import FittedColorizer
    from nncolor.model_file import load_model, save_model

    full = fitted.chroma_scale(photos[4])
    form = FittedColorizer(fitted).set_params(chroma_shrinkage=0.5)
    assert form.chroma_scale(photos[4]) == pytest.approx(1 - 0.5 * (1 - full))
    with pytest.raises(ValueError, match="chroma_shrinkage"):
        form.set_params(chroma_shrinkage=2.0)
    assert form.chroma_shrinkage == 0.5  # a refused value leaves the old one
    try:
        fitted.set_params(chroma_shrinkage=0.5)
        path = save_model(fitted, tmp_path / "half.skops")
        for loaded in (load_model(path), load_model(path, inference_only=True)):
            assert loaded.chroma_shrinkage == 0.5
            np.testing.assert_allclose(loaded.predict(photos[4]), fitted.predict(photos[4]),
                                       atol=1e-5)
    finally:
        fitted.set_params(chroma_shrinkage=True)


def test_guidance_parameters_are_validated(photos):
    with pytest.raises(ValueError, match="global_prior"):
        tiny_colorizer(global_prior=-1).fit(photos[:2])
    for bad in ("yes", 1.5, -0.1):
        with pytest.raises(ValueError, match="chroma_shrinkage"):
            tiny_colorizer(chroma_shrinkage=bad).fit(photos[:2])


# ------------------------------------------------------ reference and hints
def test_reweight_applies_each_prior_in_turn_and_skips_none():
    proba = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]], np.float32)
    assert reweight(proba) is proba and reweight(proba, None) is proba
    g = np.array([1, 2, 1], np.float32)
    local = np.array([[1, 1, 4], [2, 1, 1]], np.float32)
    both = reweight(proba, g, None, local)
    expected = proba * g * local
    np.testing.assert_allclose(both, expected / expected.sum(-1, keepdims=True), rtol=1e-6)
    np.testing.assert_array_equal(both, reweight(reweight(proba, g), local))


def test_reference_prior_of_colors_and_images(fitted):
    red = [[200, 30, 30]]
    label = fitted.quantizer_.predict(fitted.color_space_.transform(
        np.array(red, np.uint8)[None])[0, :, 1:])[0]
    prior = reference_prior(red, fitted.quantizer_, fitted.n_colors_)
    assert prior.dtype == np.float32 and prior.shape == (fitted.n_colors_,)
    assert prior.argmax() == label and prior.sum() == pytest.approx(1)
    as_image = reference_prior(np.full((4, 5, 3), [200, 30, 30], np.uint8), fitted.quantizer_,
                               fitted.n_colors_)
    np.testing.assert_array_equal(as_image, prior)
    with pytest.raises(ValueError, match="0-255"):
        reference_prior([[300, 0, 0]], fitted.quantizer_, fitted.n_colors_)


def test_hint_labels_mark_only_the_hinted_pixels(fitted):
    target = fitted.codebook_[4]
    hints = np.zeros((6, 7, 4), np.float32)
    hints[2, 3, :3] = np.clip(luv2rgb(np.array([[60.0, *target]], np.float32))[0], 0, 1)
    hints[2, 3, 3] = 1
    hints[4, 4, 3] = 0.4  # alpha <= 0.5: not a hint
    clamp = hint_labels(hints, fitted.quantizer_, (6, 7))
    assert clamp.dtype == np.intp and clamp.shape == (6, 7)
    assert (clamp >= 0).sum() == 1 and clamp[2, 3] >= 0
    np.testing.assert_array_equal(fitted.hint_labels(hints), clamp)  # the colorizer's stage
    with pytest.raises(ValueError, match="RGBA"):
        hint_labels(hints[..., :3], fitted.quantizer_)
    with pytest.raises(ValueError, match=r"hints have shape \(6, 7\), the image \(6, 8\)"):
        hint_labels(hints, fitted.quantizer_, (6, 8))


def test_hint_prior_spreads_within_a_region_and_clamp_sets_the_hint():
    L = np.full((20, 20), 30, np.float32)
    L[:, 10:] = 80  # an edge between two flat regions
    clamp = np.full((20, 20), -1, np.intp)
    clamp[5, 2] = 1
    prior = hint_prior(L, clamp, 3)
    assert prior.shape == (20, 20, 3) and prior.dtype == np.float32
    np.testing.assert_array_equal(prior[..., [0, 2]], 1)
    assert prior[5, 2, 1] > prior[5, 9, 1] > prior[5, 10, 1] >= 1
    proba = np.full((4, 3), 1 / 3, np.float32)
    out = clamp_hints(proba, np.array([-1, 2, -1, 0]))
    assert out is proba
    np.testing.assert_array_equal(out[[1, 3]], [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(out[[0, 2]], 1 / np.float32(3))


def test_the_colorizer_guesses_with_the_guidance_functions(fitted, photos):
    from nncolor.guidance import guess_palette, guess_scale

    L = fitted.lightness(photos[4])
    descriptor = lightness_descriptor(L)
    palette = guess_palette(fitted.palette_regressor_, descriptor)
    np.testing.assert_array_equal(palette, fitted.predict_palette(photos[4]))
    scale = guess_scale(fitted.chroma_scale_regressor_, descriptor, 2)  # annealed's column
    assert 0 <= scale <= 1 and scale == pytest.approx(fitted.chroma_scale(photos[4]))
