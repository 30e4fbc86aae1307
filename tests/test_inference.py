"""The inference form of a fitted colorizer (nncolor.inference.FittedColorizer): it colorizes
as the colorizer does, and loads without importing scikit-learn."""
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from skimage import data
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from nncolor.guidance import DESCRIPTOR_SIZE, NeighborsRegressor, fit_photo_regressor
from nncolor.inference import FittedColorizer, NoInferenceFormError, check_fitted
from nncolor.luv import luv2rgb
from nncolor.mlp import MLPWeights, mlp_predict_proba
from nncolor.model_cache import entry_path
from nncolor.model_file import load_model, save_model, shipped_models

from .conftest import tiny_colorizer

ROOT = Path(__file__).resolve().parents[1]
# float rounding of the nearest-neighbour distances of the learned priors (scikit-learn
# computes them in float32) moves a color by about 1e-6
ATOL = 1e-4


@pytest.fixture(scope="module")
def default_pair():
    model = load_model("default")
    return model, FittedColorizer(model)


def _hints(shape):
    hints = np.zeros(shape[:2] + (4,), np.uint8)
    hints[20:40, 30:50] = (200, 40, 30, 255)
    return hints


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_the_shipped_model_colorizes_as_its_inference_form(default_pair, decoder):
    model, fitted = default_pair
    model.set_params(decoder=decoder)
    fitted.set_params(decoder=decoder)
    try:
        for image in (data.astronaut(), data.camera()[::2, ::2], data.coffee()[:90, :130]):
            np.testing.assert_allclose(fitted.predict(image), model.predict(image), atol=ATOL)
    finally:
        model.set_params(decoder="expectation")
        fitted.set_params(decoder="expectation")


def test_reference_hints_full_resolution_and_stages_agree(default_pair):
    model, fitted = default_pair
    photo, reference = data.astronaut(), data.coffee()
    np.testing.assert_allclose(fitted.predict(photo, reference=reference),
                               model.predict(photo, reference=reference), atol=ATOL)
    np.testing.assert_allclose(fitted.predict(photo, hints=_hints(photo.shape)),
                               model.predict(photo, hints=_hints(photo.shape)), atol=ATOL)
    L = model.lightness(photo)
    np.testing.assert_allclose(fitted.probabilities(L), model.probabilities(L), atol=ATOL)
    np.testing.assert_allclose(fitted.predict_palette(photo), model.predict_palette(photo),
                               atol=ATOL)
    assert fitted.chroma_scale(photo) == pytest.approx(model.chroma_scale(photo), abs=ATOL)
    np.testing.assert_array_equal(fitted.faces(L), model.faces(L))
    full = dict(working_size=None)
    try:
        model.set_params(**full)
        fitted.set_params(**full)
        np.testing.assert_allclose(fitted.predict(photo), model.predict(photo), atol=ATOL)
    finally:
        model.set_params(working_size="auto")
        fitted.set_params(working_size="auto")


@pytest.mark.parametrize("working_size", ["auto", None])
def test_predict_chroma_is_what_predict_converts_to_rgb(default_pair, working_size):
    model, fitted = default_pair
    photo = data.astronaut()  # 512 px: classified at a third of its size with "auto"
    L = model.lightness(photo)
    cases = [{}, dict(reference=data.coffee()), dict(hints=_hints(photo.shape))]
    try:
        for form in (model, fitted):
            form.set_params(working_size=working_size)
            assert form.reduction_factor(photo.shape) == (3 if working_size else 1)
            for kwargs in cases:
                chroma = form.predict_chroma(photo, **kwargs)
                assert chroma.shape == photo.shape[:2] + (2,) and chroma.dtype == np.float32
                np.testing.assert_allclose(luv2rgb(np.dstack([L, chroma])),
                                           form.predict(photo, **kwargs), atol=1e-4)
            both = form.predict_chroma([photo, photo[:50]])
            assert [c.shape for c in both] == [photo.shape[:2] + (2,), (50, 512, 2)]
    finally:
        model.set_params(working_size="auto")
        fitted.set_params(working_size="auto")


def test_an_inference_form_cached_before_the_soft_face_edge_loads_with_a_hard_one(default_pair):
    model, fitted = default_pair
    state = dict(fitted.__dict__)
    del state["face_feather"], state["face_size"]
    old = FittedColorizer.__new__(FittedColorizer)
    old.__setstate__(state)
    assert old.face_feather == 0.0 and old.face_size == 1.0
    photo = data.astronaut()
    try:
        model.set_params(face_feather=0.0, face_size=1.0)
        np.testing.assert_allclose(old.predict(photo), model.predict(photo), atol=ATOL)
    finally:
        model.set_params(face_feather=0.4, face_size=1.3)


def test_a_small_fitted_colorizer_and_a_pickle_round_trip(fitted, photos):
    form = pickle.loads(pickle.dumps(FittedColorizer(fitted)))
    np.testing.assert_allclose(form.predict(photos[4]), fitted.predict(photos[4]), atol=ATOL)
    np.testing.assert_array_equal(form.predict_labels(photos[4]), fitted.predict_labels(photos[4]))
    assert form.has_face_prior == fitted.has_face_prior
    assert form.get_params()["decoder"] == fitted.decoder


def test_loading_it_from_the_cache_imports_no_scikit_learn(tmp_path):
    """The whole point: a fresh process gets a shipped model's inference form from the
    model cache without scikit-learn, SciPy's statistics or pandas, and colorizes."""
    child = """
import json, sys
import numpy as np
from nncolor.model_file import load_model
model = load_model("default", inference_only=True)
out = model.predict(np.linspace(0, 1, 64 * 80, dtype=np.float32).reshape(64, 80))
print(json.dumps(dict(kind=type(model).__name__, shape=list(out.shape),
                      loaded=[m for m in ("sklearn", "scipy.stats", "pandas", "torch")
                              if m in sys.modules])))
"""
    env = dict(os.environ, NNCOLOR_CACHE_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    runs = [json.loads(subprocess.run([sys.executable, "-c", child], env=env, check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(2)]
    assert runs[0]["kind"] == runs[1]["kind"] == "FittedColorizer"
    assert runs[1]["shape"] == [64, 80, 3]
    assert "sklearn" in runs[0]["loaded"]  # the first run reads the skops file
    assert runs[1]["loaded"] == []  # the second, the cached inference form alone
    assert any(p.name.startswith("default.inference-") for p in tmp_path.iterdir())


def test_a_user_model_file_gives_its_inference_form(fitted, tmp_path, photos):
    path = tmp_path / "mine.skops"
    save_model(fitted, path)
    form = load_model(path, inference_only=True)
    assert isinstance(form, FittedColorizer)
    np.testing.assert_allclose(form.predict(photos[0]), fitted.predict(photos[0]), atol=ATOL)


def test_a_colorizer_without_an_mlp_has_no_inference_form(photos):
    other = tiny_colorizer().set_params(classifier=LogisticRegression(max_iter=50))
    other.fit(photos[:2])
    with pytest.raises(NoInferenceFormError, match="LogisticRegression"):
        FittedColorizer(other)


def test_check_fitted():
    with pytest.raises(NotFittedError):
        FittedColorizer(tiny_colorizer())
    with pytest.raises(TypeError, match="expected a colorizer"):
        check_fitted(object())


def test_set_params_checks_names_and_values(default_pair):
    _, fitted = default_pair
    with pytest.raises(ValueError, match="not parameters of FittedColorizer: colour"):
        fitted.set_params(colour="red")
    with pytest.raises(ValueError, match="decoder must be one of"):
        fitted.set_params(decoder="median")
    with pytest.raises(ValueError, match="working_size"):
        fitted.set_params(working_size=8)
    for size in (0, -1.3, "1.3"):
        with pytest.raises(ValueError, match="face_size must be a positive number"):
            fitted.set_params(face_size=size)
    assert fitted.decoder == "expectation" and fitted.working_size == "auto"  # unchanged
    assert fitted.face_size == 1.3
    assert "FittedColorizer(decoder='expectation'" in repr(fitted)


@pytest.mark.parametrize("n_photos", [1, 5, 300])
def test_neighbors_regressor_predicts_as_the_pipeline(n_photos):
    rng = np.random.default_rng(n_photos)
    descriptors = rng.random((n_photos, DESCRIPTOR_SIZE)).astype(np.float32)
    targets = rng.random((n_photos, 9)).astype(np.float32)
    pipeline = fit_photo_regressor(descriptors, targets)
    plain = NeighborsRegressor.from_pipeline(pipeline)
    queries = np.vstack([rng.random((6, DESCRIPTOR_SIZE)).astype(np.float32), descriptors[:1]])
    np.testing.assert_allclose(plain.predict(queries), pipeline.predict(queries), atol=1e-5)


def test_mlp_weights_predict_as_the_classifier():
    rng = np.random.default_rng(0)
    X = rng.random((300, 9)).astype(np.float32)
    y = (X[:, 0] * 3).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    weights = MLPWeights.from_mlp(mlp)
    np.testing.assert_allclose(mlp_predict_proba(weights, X), mlp.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(weights.classes_, mlp.classes_)
    with pytest.raises(ValueError, match="expected a fitted MLPClassifier"):
        MLPWeights.from_mlp(LogisticRegression())
    with pytest.raises(ValueError, match="activation must be one of"):
        MLPWeights(weights.coefs_, weights.intercepts_, "swish", weights.classes_)


def test_the_cache_forms_have_their_own_entries():
    path = shipped_models()["default"]
    colorizer, inference = entry_path(path), entry_path(path, "inference")
    assert colorizer != inference and inference.name.startswith("default.inference-")
    with pytest.raises(ValueError, match="form must be one of"):
        entry_path(path, "onnx")
