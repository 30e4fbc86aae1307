"""One fitted colorizer used from several threads at once gives the serial results.

A web service or a notebook with a thread pool shares one loaded model: predict keeps no
state on the estimator (each call writes its own arrays), so concurrent calls must not
interfere, whatever the decoder, whether each call also splits its pixels over threads
(``n_jobs``), and for a model loaded from a skops file.
"""
import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from skimage import data

from nncolor.model_file import load_model, save_model

from .conftest import small

N_THREADS = 4


@pytest.fixture(scope="module")
def grays():
    """Eight gray images of different sizes (so calls are not in lockstep)."""
    sources = [data.camera(), data.moon(), data.coins(), data.grass()]
    return [small(image, side) for image in sources for side in (32, 57)]


def _each(fn, items, threads):
    """``fn(item)`` for every item: in a pool of ``threads`` at once, or one after another."""
    if threads == 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, items))


@pytest.mark.parametrize("decoder", ["annealed", "mode", "mrf"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_predict_from_threads_equals_serial(fitted, grays, decoder, n_jobs):
    col = copy.deepcopy(fitted).set_params(decoder=decoder, n_jobs=n_jobs)
    serial = _each(col.predict, grays, 1)
    for _ in range(2):  # twice: an interleaving problem need not show the first time
        concurrent = _each(col.predict, grays, N_THREADS)
        for a, b in zip(serial, concurrent, strict=True):
            np.testing.assert_array_equal(a, b)


def test_every_method_from_threads_on_a_loaded_model(fitted, grays, tmp_path):
    col = load_model(save_model(fitted, tmp_path / "shared.skops"))
    calls = [(method, image) for image in grays
             for method in ("predict", "predict_proba", "predict_labels",
                            "predict_uncertainty")]

    def call(item):
        method, image = item
        return getattr(col, method)(image)

    serial = _each(call, calls, 1)
    concurrent = _each(call, calls[::-1], N_THREADS)[::-1]  # another order, too
    for a, b in zip(serial, concurrent, strict=True):
        np.testing.assert_array_equal(a, b)


def test_hints_and_reference_from_threads(fitted, grays, photos):
    """The paths that build priors per call (a reference, color hints) share nothing."""
    col = copy.deepcopy(fitted)
    reference = photos[1]

    def colorize(image):
        hints = np.zeros((*image.shape[:2], 4), np.float32)
        hints[:5, :5] = (1, 0, 0, 1)  # a red corner
        return col.predict(image, reference=reference, hints=hints)

    serial = _each(colorize, grays, 1)
    concurrent = _each(colorize, grays, N_THREADS)
    for a, b in zip(serial, concurrent, strict=True):
        np.testing.assert_array_equal(a, b)
