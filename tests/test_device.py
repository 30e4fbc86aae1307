"""The device switch and the array-API colorize path (issue 8's GPU path).

The GPU path is array-API code: here it runs on ``array_api_strict`` arrays on the CPU,
which fail on any NumPy-only call, and must match the CPU path. The same comparisons run
on CuPy when a CUDA GPU is present (``test_cuda_*``); they skip elsewhere (CI has none).
"""
import logging
import sys
import types

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from nncolor import device as dev
from nncolor import gpu
from nncolor.mlp import class_probabilities

from .conftest import small, tiny_colorizer

xs = pytest.importorskip("array_api_strict")


@pytest.fixture(autouse=True)
def fresh_probe():
    """Each test probes CuPy itself (the probe and the fallback message are cached)."""
    dev.cuda_problem.cache_clear()
    dev._log_fallback.cache_clear()
    yield
    dev.cuda_problem.cache_clear()
    dev._log_fallback.cache_clear()


@pytest.fixture(scope="module")
def model(photos):
    # two hidden layers and a 3x3 codebook: every step of the forward pass is exercised
    return tiny_colorizer(hidden_layer_sizes=(16, 8), patch_size=5).fit(photos[:4])


@pytest.fixture(scope="module")
def gray(photos):
    from skimage import data

    return small(data.camera(), 40)[:33]  # odd height: blocks and padding edges


def no_cupy(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError


def test_resolve_device_validates_and_names_what_is_missing(monkeypatch):
    assert dev.resolve_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="'cpu', 'cuda', 'auto'.*'gpu'"):
        dev.resolve_device("gpu")
    no_cupy(monkeypatch)
    with pytest.raises(RuntimeError, match=r"CuPy.*pip install 'nncolor\[gpu\]'"):
        dev.resolve_device("cuda")


def test_cuda_without_a_visible_gpu_is_named(monkeypatch):
    runtime = types.SimpleNamespace(getDeviceCount=lambda: 0)
    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(
        cuda=types.SimpleNamespace(runtime=runtime)))
    with pytest.raises(RuntimeError, match="a CUDA GPU, and none is visible"):
        dev.resolve_device("cuda")


def test_auto_falls_back_to_the_cpu_with_one_log_message(monkeypatch, caplog, model, gray):
    no_cupy(monkeypatch)
    caplog.set_level(logging.INFO, logger="nncolor")
    auto = clone(model).set_params(device="auto")
    auto.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    out = [auto.predict(gray) for _ in range(3)]
    np.testing.assert_array_equal(out[0], model.predict(gray))
    messages = [r.getMessage() for r in caplog.records if r.name == "nncolor"]
    assert len(messages) == 1 and "running on the CPU" in messages[0]


def test_predict_on_cuda_without_cupy_fails_clearly(monkeypatch, model, gray):
    no_cupy(monkeypatch)
    cuda = clone(model).set_params(device="cuda")
    cuda.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    with pytest.raises(RuntimeError, match="device='cuda' needs CuPy"):
        cuda.predict(gray)


def test_device_is_a_searchable_parameter_and_old_models_load_without_it(model):
    assert model.get_params()["device"] == "cpu"
    state = model.__getstate__()
    state.pop("device")
    restored = type(model).__new__(type(model))
    restored.__setstate__(state)
    assert restored.device == "cpu"
    with pytest.raises(ValueError, match="device"):
        tiny_colorizer(device="tpu").fit([np.zeros((8, 8, 3), np.uint8)])


@pytest.mark.parametrize("mode", ["reflect", "symmetric", "edge"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (7, 5)])
def test_padding_by_gathers_equals_numpy_pad(mode, shape):
    L = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    for r in (0, 1, 3):
        got = gpu.padded(xs, xs.asarray(L), r, mode)
        np.testing.assert_array_equal(np.asarray(got), np.pad(L, r, mode=mode))


def test_first_layer_without_patches_equals_the_patch_product(model, gray):
    features = model.features_
    L = model.color_space_.lightness(gray.astype(np.float32) / 255)
    patches = features.transform([L])
    W1, b1 = model.classifier_.coefs_[0], model.classifier_.intercepts_[0]
    p = features.patch_size
    Lp = np.pad(L / np.float32(100), p // 2, mode=features.padding)
    got = gpu.first_layer(xs, xs.asarray(Lp), p, xs.asarray(W1), xs.asarray(b1))
    np.testing.assert_allclose(np.asarray(got).reshape(-1, W1.shape[1]), patches @ W1 + b1,
                               rtol=1e-5, atol=1e-5)


def assert_same_colorization(namespace, model, gray, decoder, to_host=np.asarray):
    """The device path on ``namespace`` against the CPU path: same labels but for exact
    ties, colors within 1e-3."""
    col = clone(model).set_params(decoder=decoder)
    col.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    device_model = gpu.DeviceModel(col, namespace)
    pixels = gray.astype(np.float32) / 255
    L = col.color_space_.lightness(pixels)
    proba = to_host(class_probabilities(device_model.logits(namespace.asarray(L))))
    cpu_proba = col.classifier_.predict_proba(col.features_.transform([L])).reshape(proba.shape)
    np.testing.assert_allclose(proba, cpu_proba, atol=1e-5)
    top2 = np.sort(cpu_proba, axis=-1)[..., -2:]
    tie = (top2[..., 1] - top2[..., 0]) < 1e-5
    differ = proba.argmax(-1) != cpu_proba.argmax(-1)
    assert not (differ & ~tie).any()
    rgb = to_host(gpu.colorize_image(col, device_model, pixels))  # with the learned prior
    assert rgb.shape == gray.shape[:2] + (3,) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb[~differ], col.predict(gray)[~differ], atol=1e-3)


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_array_api_path_matches_the_cpu_path(model, gray, decoder):
    assert_same_colorization(xs, model, gray, decoder)


@pytest.mark.filterwarnings("ignore:PCA initialization inappropriate")  # a 1 x 2 map, on purpose
def test_array_api_path_on_color_input_and_a_binary_classifier(photos):
    # two codebook colors: sklearn's MLP then has one logistic output
    two = tiny_colorizer(som_shape=(1, 2)).fit(photos[:4])
    assert two.classifier_.coefs_[-1].shape[1] == 1
    assert_same_colorization(xs, two, photos[4], "expectation")


def test_device_path_needs_an_mlp(photos):
    col = tiny_colorizer().set_params(classifier=LogisticRegression(max_iter=50))
    col.fit(photos[:2])
    with pytest.raises(ValueError, match="MLPClassifier.*LogisticRegression.*device='cpu'"):
        gpu.DeviceModel(col, xs)


# ------------------------------------------------------------ on a real GPU
def cuda_namespace():
    if dev.cuda_problem() is not None:
        pytest.skip(f"no GPU path here: it needs {dev.cuda_problem()}")
    return dev.device_namespace("cuda")


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_cuda_path_matches_the_cpu_path(model, gray, decoder):
    assert_same_colorization(cuda_namespace(), model, gray, decoder, to_host=dev.to_numpy)


def test_cuda_predict_end_to_end(model, gray):
    cuda_namespace()
    cuda = clone(model).set_params(device="cuda")
    cuda.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    np.testing.assert_allclose(cuda.predict(gray), model.predict(gray), atol=1e-3)
