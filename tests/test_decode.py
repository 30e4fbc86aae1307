"""Decoders, histogram transfer, hints, uncertainty and samples (the Potts MRF itself:
test_mrf.py)."""
import copy

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from nncolor.decode import (PROBABILITY_DECODERS, anneal, decode, decode_annealed,
                            decode_expectation, decode_mode, entropy, sample_labels)
from nncolor.guidance import histogram_prior, reweight

from .conftest import tiny_colorizer

CODEBOOK = np.array([[-30, 0], [0, 0], [30, 10]], dtype=np.float32)


def test_decoders_on_known_distributions():
    p = np.array([[0.6, 0.3, 0.1], [0.1, 0.1, 0.8]], dtype=np.float32)
    np.testing.assert_array_equal(decode_mode(p, CODEBOOK), CODEBOOK[[0, 2]])
    np.testing.assert_allclose(decode_expectation(p, CODEBOOK), p @ CODEBOOK, rtol=1e-6)
    np.testing.assert_allclose(anneal(p, 1.0), p, rtol=1e-5)
    np.testing.assert_allclose(anneal(p, 1e-3), np.eye(3)[[0, 2]], atol=1e-6)  # T -> 0: mode
    sharp = decode_annealed(p, CODEBOOK, 0.38)
    mean = decode_expectation(p, CODEBOOK)
    mode = decode_mode(p, CODEBOOK)
    # the annealed mean lies between the mean and the mode
    assert np.all(np.linalg.norm(sharp - mode, axis=1) < np.linalg.norm(mean - mode, axis=1))


def test_entropy_and_sampling():
    p = np.array([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], dtype=np.float32)
    np.testing.assert_allclose(entropy(p), [0, 1], atol=1e-6)
    many = np.repeat(np.array([[0.2, 0.5, 0.3]], np.float32), 20000, axis=0)
    freq = np.bincount(sample_labels(many, np.random.default_rng(0)), minlength=3) / 20000
    np.testing.assert_allclose(freq, [0.2, 0.5, 0.3], atol=0.015)


def test_decode_by_name():
    p = np.array([[0.6, 0.3, 0.1], [0.1, 0.1, 0.8]], dtype=np.float32)
    np.testing.assert_array_equal(decode(p, CODEBOOK, "mode"), decode_mode(p, CODEBOOK))
    np.testing.assert_array_equal(decode(p, CODEBOOK, "expectation"),
                                  decode_expectation(p, CODEBOOK))
    np.testing.assert_array_equal(decode(p, CODEBOOK, "annealed", 0.5),
                                  decode_annealed(p, CODEBOOK, 0.5))
    assert set(PROBABILITY_DECODERS) == {"mode", "expectation", "annealed"}


@pytest.mark.parametrize("name", ["median", "mrf", "Mode", ""])
def test_decode_refuses_an_unknown_decoder_and_names_the_valid_ones(name):
    p = np.full((2, 3), 1 / 3, np.float32)
    with pytest.raises(ValueError, match=f"unknown decoder '{name}'.*'mode', 'expectation', "
                                         "'annealed'"):
        decode(p, CODEBOOK, name)


def test_histogram_prior_and_reweight():
    prior = histogram_prior([2, 2, 2, 1], 3, floor=0.0)
    np.testing.assert_allclose(prior, [0, 0.25, 0.75])
    out = reweight(np.full((1, 3), 1 / 3, np.float32), prior)
    np.testing.assert_allclose(out, [[0, 0.25, 0.75]], atol=1e-6)
    with pytest.raises(ValueError, match="no colors"):
        histogram_prior([], 3)


@pytest.fixture(scope="module")
def fitted_once(photos):
    return tiny_colorizer(som_shape=(3, 3)).fit(photos[:4])


@pytest.fixture
def trained(fitted_once):
    """A private copy of the fitted colorizer: tests change its decoder freely."""
    return copy.deepcopy(fitted_once)


@pytest.mark.parametrize("decoder", ["mode", "expectation", "annealed", "mrf"])
def test_every_decoder_colorizes(trained, photos, decoder):
    col = trained.set_params(decoder=decoder)
    out = col.predict(photos[4])
    assert out.shape == photos[4].shape and np.isfinite(out).all()
    assert 0 <= out.min() and out.max() <= 1


def test_mode_decoder_equals_argmax_of_proba(trained, photos):
    from nncolor.color import lightness, luv2rgb

    out = trained.set_params(decoder="mode").predict(photos[4])
    labels = trained.predict_proba(photos[4]).argmax(-1)
    L = lightness(photos[4] / np.float32(255))
    # the learned chroma scale tones every color of the photo down alike
    scale = trained.chroma_scale(photos[4])
    assert 0 <= scale <= 1
    expected = luv2rgb(np.dstack([L, trained.codebook_[labels] * np.float32(scale)]))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_decoder_is_a_searchable_parameter(photos):
    search = GridSearchCV(tiny_colorizer(max_iter=10), {"decoder": ["mode", "expectation"],
                                                       "mrf__sigma": [25.0]}, cv=2)
    search.fit(photos[:4])
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2 and scores[0] != scores[1]  # the decoder changed the output
    assert search.best_params_["decoder"] == ["mode", "expectation"][int(np.argmax(scores))]


def test_bad_decoder_settings(trained, photos):
    with pytest.raises(ValueError, match="'decoder' parameter"):
        trained.set_params(decoder="median").predict(photos[4])
    with pytest.raises(ValueError, match="'temperature' parameter"):
        trained.set_params(decoder="annealed", temperature=0).predict(photos[4])


def test_histogram_transfer_moves_colors_toward_the_reference(trained, photos):
    gray = photos[4]
    red = [[200, 30, 30]]  # a plain list of 0-255 ints
    ref_label = trained.quantizer_.predict(
        __import__("nncolor").rgb2luv(np.array(red) / 255.0)[:, 1:])[0]

    def share(out):
        from nncolor.color import rgb2luv
        return (trained.quantizer_.predict(rgb2luv(out)[..., 1:].reshape(-1, 2)) == ref_label).mean()

    plain = trained.predict(gray)
    shifted = trained.predict(gray, reference=red)
    assert share(shifted) > share(plain)
    # a reference image works the same way
    assert trained.predict(gray, reference=photos[0]).shape == plain.shape


def test_hints_are_respected_and_spread_with_the_mrf(trained):
    from nncolor.color import rgb2luv

    gray = np.full((30, 30), 0.5, np.float32)
    gray[:, 15:] = 0.9  # two flat regions
    target = trained.codebook_[trained.codebook_[:, 0].argmax()]  # the reddest codebook color
    hint_rgb = __import__("nncolor").luv2rgb(np.array([[55.0, *target]], np.float32))[0]
    hints = np.zeros((30, 30, 4), np.float32)
    hints[5, 5, :3] = hint_rgb
    hints[5, 5, 3] = 1
    label = trained.quantizer_.predict(rgb2luv(hint_rgb[None])[:, 1:])[0]

    def labels(out):
        return trained.quantizer_.predict(rgb2luv(out)[..., 1:].reshape(-1, 2)).reshape(30, 30)

    plain = labels(trained.predict(gray))
    hinted = labels(trained.predict(gray, hints=hints))
    assert hinted[5, 5] == label
    # the hint recolors its own flat region, not the brighter one across the edge
    assert (hinted[:, :15] == label).mean() > 0.9 > (plain[:, :15] == label).mean()
    assert (hinted[:, 15:] == plain[:, 15:]).mean() > 0.9
    smoothed = labels(trained.set_params(decoder="mrf").predict(gray, hints=hints))
    assert smoothed[5, 5] == label and (smoothed[:, :15] == label).mean() > 0.9
    with pytest.raises(ValueError, match="RGBA"):
        trained.predict(gray, hints=np.zeros((30, 30, 3)))
    with pytest.raises(ValueError, match="shape"):
        trained.predict(gray, hints=np.zeros((10, 30, 4)))


def test_uncertainty_and_coherent_samples(trained, photos):
    u = trained.predict_uncertainty(photos[4])
    assert u.shape == photos[4].shape[:2] and 0 <= u.min() and u.max() <= 1
    samples = trained.sample(photos[4], n_samples=3, random_state=0)
    assert len(samples) == 3 and all(s.shape == photos[4].shape for s in samples)
    again = trained.sample(photos[4], n_samples=3, random_state=0)
    np.testing.assert_array_equal(samples[0], again[0])
    assert not np.array_equal(samples[0], samples[1])
    # coherent: far less speckled than colors drawn pixel by pixel without smoothing
    from nncolor.color import lightness, luv2rgb
    from nncolor.metrics import splotchiness

    proba = trained.predict_proba(photos[4])
    raw = trained.codebook_[sample_labels(proba, np.random.default_rng(0))]
    raw = luv2rgb(np.dstack([lightness(photos[4] / np.float32(255)), raw]))
    assert splotchiness(samples[0]) < 0.5 * splotchiness(raw)
