"""Shared fixtures: small real photos from installed packages, and the shared data folder."""
import os
from pathlib import Path

import numpy as np
import pytest
from skimage import data
from skimage.transform import resize

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def small(image, side=48):
    """A photo downscaled to side x side, uint8: fast to train on, still a real photo."""
    out = resize(image, (side, side), anti_aliasing=True, preserve_range=True)
    return np.round(out).astype(np.uint8)


@pytest.fixture(scope="session", autouse=True)
def model_cache_dir(tmp_path_factory):
    """A temporary cache of shipped models (nncolor.model_cache) for the whole run, so no
    test reads or writes the user's own; set in the environment, subprocesses get it too."""
    from nncolor.model_cache import CACHE_ENV

    folder = tmp_path_factory.mktemp("model-cache")
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture(scope="session")
def photos():
    """Five small color photos from scikit-image (no downloads)."""
    return [small(im()) for im in (data.astronaut, data.coffee, data.chelsea, data.rocket,
                                   data.immunohistochemistry)]


def tiny_colorizer(**overrides):
    """The paper's colorizer with settings small enough for unit tests (about 1 s to fit)."""
    from nncolor import make_colorizer

    # working_size=None: these 48 px photos would make every larger test image go through
    # the working resolution; the tests that are about it ask for it (test_working_resolution).
    # No early stopping: a tenth of a few hundred pixels is too few to judge epochs by.
    params = dict(patch_size=3, som_shape=(3, 3), hidden_layer_sizes=(16,), n_samples=300,
                  max_iter=30, early_stopping=False, som_iterations=300, random_state=0,
                  working_size=None)
    params.update(overrides)
    return make_colorizer(**params)


@pytest.fixture(scope="session")
def fitted(photos):
    return tiny_colorizer().fit(photos[:4])


def shared_folder(name):
    """Path to a folder of ../shared/data, or skip the test with the reason."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        pytest.skip(f"real photos not available: {folder} is absent")
    return folder
