"""Contract tests of SOMColorizer: the scikit-learn API, inputs, and bad inputs."""
import copy

import joblib
import numpy as np
import pytest
from skimage import data
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nncolor import SOMColorizer, make_colorizer
from nncolor.mlp import mlp_predict, mlp_predict_proba

from .conftest import small, tiny_colorizer


def test_fit_returns_self_and_fitted_attributes(photos):
    col = tiny_colorizer()
    assert col.fit(photos[:2]) is col
    assert col.n_colors_ == 9 and col.codebook_.shape == (9, 2)
    assert col.n_training_pixels_ == 600
    for step in ("color_space_", "quantizer_", "features_", "classifier_"):
        assert hasattr(col, step)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_labels", "score",
                                    "sample", "predict_uncertainty"])
def test_unfitted_raises(method):
    with pytest.raises(NotFittedError):
        getattr(tiny_colorizer(), method)(np.zeros((4, 4, 3)))


def test_failed_fit_leaves_no_fitted_model(fitted, photos):
    col = copy.deepcopy(fitted)
    gray_rgb = np.repeat(small(data.camera(), 32)[..., None], 3, axis=2)
    with pytest.raises(ValueError, match="no color"):
        col.fit([gray_rgb])
    # the earlier fit is still whole: no new quantizer mixed with the old codebook
    np.testing.assert_array_equal(col.codebook_, fitted.codebook_)
    with pytest.raises(ValueError, match="no color"):
        tiny_colorizer().fit([gray_rgb])
    from sklearn.utils.validation import check_is_fitted
    fresh = tiny_colorizer()
    with pytest.raises(ValueError):
        fresh.fit([gray_rgb])
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)


def test_init_stores_parameters_only():
    col = SOMColorizer()
    assert col.get_params() == {"classifier": None, "color_space": None, "features": None,
                                "decoder": "annealed", "temperature": 0.38, "global_prior": 0.5,
                                "chroma_shrinkage": True, "face_prior": 1.0, "face_feather": 0.4,
                                "face_size": 1.3, "mrf": None,
                                "n_jobs": None, "quantizer": None, "random_state": None,
                                "device": "cpu", "working_size": "auto"}
    SOMColorizer().fit([small(data.coffee(), 24)])  # None steps get their defaults in fit


def test_nested_params_and_clone():
    col = tiny_colorizer()
    col.set_params(features__patch_size=7, quantizer__shape=(5, 5),
                   classifier__hidden_layer_sizes=(8, 8))
    params = clone(col).get_params()
    assert params["features__patch_size"] == 7
    assert params["quantizer__shape"] == (5, 5)
    assert params["classifier__hidden_layer_sizes"] == (8, 8)


def test_predict_shapes_borders_and_range(fitted):
    gray = np.random.default_rng(0).random((13, 21)).astype(np.float32)
    out = fitted.predict(gray)
    assert out.shape == (13, 21, 3) and out.dtype == np.float32
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    proba = fitted.predict_proba([gray, gray[:5, :3]])
    assert [p.shape for p in proba] == [(13, 21, 9), (5, 3, 9)]
    np.testing.assert_allclose(proba[0].sum(-1), 1, atol=1e-5)
    labels = fitted.predict_labels(gray)
    np.testing.assert_array_equal(labels, proba[0].argmax(-1))


def test_output_keeps_input_lightness(fitted):
    from nncolor.color import lightness, rgb2luv

    gray = small(data.camera(), 40)
    out = fitted.predict(gray)
    np.testing.assert_allclose(rgb2luv(out)[..., 0], lightness(gray / 255.0), atol=0.6)


@pytest.mark.parametrize("make", [
    lambda: np.random.default_rng(0).integers(0, 256, (9, 9), dtype=np.uint8),
    lambda: np.random.default_rng(0).integers(0, 256, (9, 9, 1), dtype=np.uint8),
    lambda: np.random.default_rng(0).integers(0, 65536, (9, 9, 3), dtype=np.uint16),
    lambda: np.random.default_rng(0).random((9, 9, 3)).astype(np.float32),
    lambda: np.random.default_rng(0).random((9, 9)),
    lambda: np.zeros((2, 1)),  # smaller than the patch
    lambda: np.ones((1, 1), dtype=np.uint8),
])
def test_accepted_inputs(fitted, make):
    image = make()
    out = fitted.predict(image)
    assert out.shape == image.shape[:2] + (3,)


def test_color_input_uses_only_its_lightness(fitted, photos):
    from nncolor.color import lightness

    rgb = photos[4]
    gray = np.clip(lightness(rgb / 255.0), 0, 100)
    a = fitted.predict_labels(rgb)
    # the same L reached through a gray image gives the same labels (up to rounding)
    from nncolor.color import linear_to_srgb

    y = np.where(gray > 8, ((gray + 16) / 116) ** 3, gray / 903.3)
    b = fitted.predict_labels(linear_to_srgb(y))
    assert (a == b).mean() > 0.99


def test_alpha_passes_through(fitted):
    rgba = np.random.default_rng(0).random((6, 7, 4)).astype(np.float32)
    out = fitted.predict(rgba)
    assert out.shape == (6, 7, 4)
    np.testing.assert_array_equal(out[..., 3], rgba[..., 3])


def test_list_array_and_single_image(fitted, photos):
    batch = np.stack(photos[:2])
    outs = fitted.predict(batch)
    assert isinstance(outs, list) and len(outs) == 2
    np.testing.assert_array_equal(outs[0], fitted.predict(photos[0]))
    np.testing.assert_array_equal(outs[1], fitted.predict([photos[1]])[0])


@pytest.mark.parametrize("bad, error, match", [
    ([], ValueError, "empty"),
    (np.zeros((2, 3, 4, 5, 3)), ValueError, "shape"),
    ([np.zeros((4, 4, 2))], ValueError, "image 0 must be"),
    ([np.zeros((4, 4, 5))], ValueError, "image 0 must be"),
    ([np.zeros(5)], ValueError, "image 0 must be"),
    ([np.zeros((0, 4))], ValueError, "empty"),
    ([np.full((4, 4), np.nan)], ValueError, "NaN"),
    ([np.full((4, 4), np.inf)], ValueError, "NaN or infinite"),
    ([np.array([["a", "b"], ["c", "d"]])], TypeError, "numeric"),
    ([np.full((4, 4), 7.0)], ValueError, r"\[0, 1\]"),
    ([np.full((4, 4), 7)], TypeError, "uint8"),  # int64: its scale would be a guess
    ("photo.jpg", TypeError, "list of images"),
])
def test_bad_input_names_the_problem(fitted, bad, error, match):
    with pytest.raises(error, match=match):
        fitted.predict(bad)


def test_training_needs_color(photos):
    gray_rgb = np.repeat(small(data.camera(), 32)[..., None], 3, axis=2)
    with pytest.raises(ValueError, match="no color"):
        tiny_colorizer().fit([gray_rgb])
    with pytest.raises(ValueError, match="grayscale"):
        tiny_colorizer().fit([small(data.camera(), 32)])
    with pytest.raises(ValueError, match="empty"):
        tiny_colorizer().fit([])


def test_same_random_state_same_model(photos):
    a = tiny_colorizer(random_state=7).fit(photos[:2]).predict(photos[4])
    b = tiny_colorizer(random_state=7).fit(photos[:2]).predict(photos[4])
    np.testing.assert_array_equal(a, b)


def test_joblib_round_trip(fitted, photos, tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(photos[4]), fitted.predict(photos[4]))


@pytest.mark.parametrize("decoder, atol", [("mode", 0), ("annealed", 1e-5)])
def test_threads_give_the_same_result(fitted, decoder, atol):
    big = small(data.camera(), 160)
    serial = copy.deepcopy(fitted).set_params(decoder=decoder)
    parallel = copy.deepcopy(fitted).set_params(decoder=decoder, n_jobs=2)
    # labels are identical; probabilities may differ in the last float32 bit, because
    # BLAS sums in another order with another thread count
    np.testing.assert_allclose(parallel.predict(big), serial.predict(big), rtol=0, atol=atol)
    # inside a user's joblib context that prefers processes, blocks still share memory
    from joblib import parallel_config

    with parallel_config(backend="loky", n_jobs=2):
        np.testing.assert_allclose(serial.predict(big), parallel.predict(big), rtol=0, atol=atol)


def test_fast_mlp_inference_matches_sklearn(fitted, photos):
    feats = fitted.features_.transform([fitted.color_space_.lightness(photos[4] / 255.0)])
    clf = fitted.classifier_
    np.testing.assert_array_equal(mlp_predict(clf, feats), clf.predict(feats))
    np.testing.assert_allclose(mlp_predict_proba(clf, feats), clf.predict_proba(feats), atol=1e-5)


def test_an_ensemble_fits_the_slot(photos):
    from sklearn.ensemble import RandomForestClassifier

    col = tiny_colorizer().set_params(classifier=RandomForestClassifier(n_estimators=5))
    col.fit(photos[:2])
    assert col.classifier_.random_state is not None  # seeded by the colorizer
    np.testing.assert_allclose(col.predict_proba(photos[4]).sum(-1), 1, atol=1e-5)


def test_any_classifier_pipeline_fits_the_slot(photos):
    col = tiny_colorizer(som_shape=(4, 4)).set_params(
        classifier=make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)))
    col.fit(photos[:2])
    proba = col.predict_proba(photos[4])
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)


def test_codebook_color_unused_in_training_has_zero_probability(photos):
    # 36 codebook colors for two photos and no convergence phase: some nodes win no
    # training pixel
    col = tiny_colorizer(som_shape=(6, 6)).set_params(quantizer__fine_tuning_iterations=0)
    col = col.fit(photos[:2])
    used = np.asarray(col.classifier_.classes_)
    assert len(used) < 36
    proba = col.predict_proba(photos[4])
    unused = np.setdiff1d(np.arange(36), used)
    assert (proba[..., unused] == 0).all()
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    assert col.predict(photos[4]).shape == photos[4].shape


def test_score_is_psnr_higher_is_better(fitted, photos):
    from nncolor.metrics import psnr

    score = fitted.score(photos[4:])
    truth = [photos[4] / np.float32(255)]
    assert isinstance(score, float)
    assert score == pytest.approx(psnr(truth, [fitted.predict(truth[0])]))


def test_grid_search_splits_by_image(photos):
    images = photos + [small(data.hubble_deep_field()), small(data.retina())]
    col = tiny_colorizer(som_iterations=100, max_iter=10, n_samples=150)
    search = GridSearchCV(col, {"features__patch_size": [3, 5, 11],
                                "quantizer__shape": [(3, 3), (5, 5), (10, 10), (20, 20)]},
                          cv=3, n_jobs=2)
    search.fit(images)
    assert len(search.cv_results_["params"]) == 12
    # each fold trains on whole images: n_samples pixels from each of 2/3 of the photos
    from sklearn.model_selection import cross_validate

    fits = cross_validate(col, images, cv=3, return_estimator=True)["estimator"]
    assert sorted(f.n_training_pixels_ for f in fits) == [150 * 4, 150 * 5, 150 * 5]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.predict(images[0]).shape == images[0].shape


def test_make_colorizer_has_the_papers_defaults():
    col = make_colorizer()
    p = col.get_params()
    assert p["features__patch_size"] == 5 and p["quantizer__shape"] == (3, 3)
    assert p["classifier__hidden_layer_sizes"] == (50, 50)
    assert p["classifier__activation"] == "relu" and p["classifier__solver"] == "adam"
    # the paper's 200 pixels per step at 0.001, scaled up together
    assert p["classifier__batch_size"] == 1000 and p["classifier__learning_rate_init"] == 0.004
    mine = make_colorizer(batch_size=200, learning_rate=0.001).get_params()
    assert mine["classifier__batch_size"] == 200 and mine["classifier__learning_rate_init"] == 0.001


def test_make_colorizer_passes_batch_and_rate_to_the_cnn():
    pytest.importorskip("torch")
    p = make_colorizer(backend="cnn", batch_size=4, learning_rate=0.01).get_params()
    assert p["classifier__batch_size"] == 4 and p["classifier__learning_rate"] == 0.01
    from nncolor.cnn import CNNClassifier

    assert make_colorizer(backend="cnn").get_params()["classifier__batch_size"] == \
        CNNClassifier().batch_size


# ------------------------------------------------------------ prediction stages
def hint_image(shape, codebook_color, at=(5, 5)):
    """An RGBA hint image marking one pixel with a codebook color."""
    from nncolor.color import luv2rgb

    hints = np.zeros(shape + (4,), np.float32)
    hints[at][:3] = np.clip(luv2rgb(np.array([[60.0, *codebook_color]], np.float32))[0], 0, 1)
    hints[at][3] = 1
    return hints


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_the_public_stages_compose_to_predict(fitted, photos, decoder):
    col = copy.deepcopy(fitted).set_params(decoder=decoder)
    image = photos[4]
    L = col.lightness(image)
    assert L.dtype == np.float32 and L.shape == image.shape[:2]
    prior, scale = col.guidance(image)
    chroma = col.chroma(L, prior=prior, scale=scale)
    assert chroma.dtype == np.float32 and chroma.shape == L.shape + (2,)
    np.testing.assert_array_equal(col.to_rgb(L, chroma), col.predict(image))
    np.testing.assert_array_equal(col.chroma(L), chroma)  # "auto": what predict applies
    proba = col.probabilities(L)
    np.testing.assert_array_equal(proba, col.predict_proba(image))
    np.testing.assert_array_equal(col.probabilities(L, prior=prior), proba)
    # chroma is decode_proba of the probabilities, block by block
    np.testing.assert_allclose(col.decode_proba(proba, L, scale=scale), chroma, atol=1e-5)


@pytest.mark.parametrize("decoder", ["annealed", "mrf"])
def test_the_stages_with_a_reference_and_hints(fitted, photos, decoder):
    col = copy.deepcopy(fitted).set_params(decoder=decoder)
    image = photos[4]
    hints = hint_image(image.shape[:2], col.codebook_[0])
    L = col.lightness(image)
    prior, scale = col.guidance(image, reference=photos[0], hinted=True)
    assert scale == 1.0 and prior.shape == (col.n_colors_,)
    clamp = col.hint_labels(hints, L.shape)
    chroma = col.chroma(L, prior=prior, clamp=clamp, scale=scale)
    np.testing.assert_array_equal(col.to_rgb(L, chroma),
                                  col.predict(image, reference=photos[0], hints=hints))
    np.testing.assert_array_equal(col.chroma(L, prior=prior, clamp=clamp), chroma)  # "auto"
    proba = col.probabilities(L, prior=prior, clamp=clamp)
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(col.decode_proba(proba, L, clamp=clamp, scale=scale), chroma,
                               atol=1e-5)
    # the hinted pixel takes its hint's codebook color
    np.testing.assert_allclose(chroma[5, 5], col.codebook_[clamp[5, 5]], atol=1e-4)


def test_to_rgb_passes_alpha_through(fitted):
    L = np.full((3, 4), 50, np.float32)
    alpha = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    rgb = fitted.to_rgb(L, np.zeros((3, 4, 2), np.float32), alpha)
    assert rgb.shape == (3, 4, 4) and rgb.dtype == np.float32
    np.testing.assert_array_equal(rgb[..., 3], alpha)
    np.testing.assert_allclose(rgb[..., 0], rgb[..., 2], atol=1e-4)  # zero chroma: gray


def test_stage_inputs_are_checked(fitted):
    L = np.full((4, 4), 50, np.float32)
    with pytest.raises(ValueError, match="2-D lightness"):
        fitted.probabilities(L[..., None])
    with pytest.raises(ValueError, match="prior must have shape"):
        fitted.chroma(L, prior=np.ones(3))
    with pytest.raises(ValueError, match="clamp must be"):
        fitted.chroma(L, clamp=np.zeros((3, 4), int))
    with pytest.raises(ValueError, match="clamp must be"):
        fitted.decode_proba(fitted.probabilities(L), L, clamp=np.zeros((4, 4)))
    with pytest.raises(ValueError, match="chroma of shape"):
        fitted.to_rgb(L, np.zeros((16, 2)))
    for stage in ("lightness", "probabilities", "chroma", "hint_labels"):
        with pytest.raises(NotFittedError):
            getattr(tiny_colorizer(), stage)(L)


def test_image_classifiers_say_so_in_their_tags():
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils import get_tags

    from nncolor.cnn import CNNClassifier
    from nncolor.colorizer import takes_images

    tags = get_tags(CNNClassifier())
    assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array
    assert takes_images(CNNClassifier())
    assert not takes_images(MLPClassifier())
    assert not takes_images(make_pipeline(StandardScaler(), LogisticRegression()))
    assert not takes_images(object())  # no tags at all: rows of features


def test_a_fit_on_fewer_pixels_than_a_batch_raises_no_warning(photos, recwarn):
    # make_colorizer's batch (1000 pixels) is clipped to the 2 x 100 pixels without a notice
    col = make_colorizer(patch_size=3, n_samples=100, max_iter=2, som_iterations=50,
                         global_prior=0, face_prior=0, random_state=0)
    col.fit(photos[:2])
    assert col.classifier_.batch_size == 1000
    assert not [w for w in recwarn if "batch_size" in str(w.message)]
