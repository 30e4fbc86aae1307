"""Model files saved by earlier nncolor releases load and colorize as they did."""
from pathlib import Path

import numpy as np
import pytest

from nncolor.model_file import load_model

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def old():
    """The default model shipped with nncolor 0.1.0, and its outputs computed by 0.1.0."""
    return load_model(DATA / "model_0_1.skops"), np.load(DATA / "model_0_1_camera.npz")


def test_new_parameters_default_to_the_old_behaviour(old):
    model, _ = old
    assert model.global_prior == 0.0  # no learned prior: the model has none
    assert model.face_prior == 0.0 and model.face_feather == 0.0 and model.face_size == 1.0
    assert model.quantizer_.fine_tuning_iterations == 0  # its SOM had no convergence phase
    assert not hasattr(model, "palette_regressor_")


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_old_model_gives_its_old_output(old, decoder):
    model, expected = old
    model.set_params(decoder=decoder)
    # float32 sums in another order (BLAS threads) move a value by 2e-6: far below the
    # 1.5e-5 step of a 16-bit output
    np.testing.assert_allclose(model.predict(expected["gray"]), expected[decoder], atol=1e-5)


def test_turning_the_prior_on_for_an_old_model_says_what_to_do(old):
    model, expected = old
    with pytest.raises(ValueError, match="fitted before the global color prior"):
        model.set_params(global_prior=0.5).predict(expected["gray"])
    model.set_params(global_prior=0.0)


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_old_model_in_its_inference_form_gives_its_old_output(old, decoder):
    """What `nncolor colorize` runs: the inference form of the old file."""
    _, expected = old
    form = load_model(DATA / "model_0_1.skops", inference_only=True).set_params(decoder=decoder)
    np.testing.assert_allclose(form.predict(expected["gray"]), expected[decoder], atol=1e-5)
    with pytest.raises(ValueError, match="fitted before the global color prior"):
        form.set_params(global_prior=0.5).predict(expected["gray"])
