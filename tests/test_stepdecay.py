"""StepDecayMLPClassifier: scikit-learn's MLP, then a few epochs at a decayed rate."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.neural_network import MLPClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from nncolor.mlp import MLPWeights, is_fast_mlp, mlp_predict_proba
from nncolor.stepdecay import StepDecayMLPClassifier


@parametrize_with_checks([StepDecayMLPClassifier(max_iter=200, decay_epochs=2, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.random((600, 6), dtype=np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0.8).astype(int) + (X[:, 2] > 0.7)
    return X, y


def test_no_decay_is_the_mlp_itself(data):
    X, y = data
    ours = StepDecayMLPClassifier((8,), max_iter=6, decay_epochs=0, random_state=0).fit(X, y)
    theirs = MLPClassifier((8,), max_iter=6, random_state=0).fit(X, y)
    for a, b in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_array_equal(a, b)
    assert ours.n_iter_ == 6 and ours.n_decay_iter_ == 0


def test_the_decay_is_a_warm_start_at_the_decayed_rate(data):
    X, y = data
    ours = StepDecayMLPClassifier((8,), max_iter=6, decay_epochs=3, decay_factor=0.2,
                                  learning_rate_init=0.01, random_state=0).fit(X, y)
    by_hand = MLPClassifier((8,), max_iter=6, learning_rate_init=0.01, random_state=0).fit(X, y)
    by_hand.set_params(warm_start=True, max_iter=3, learning_rate_init=0.002).fit(X, y)
    for a, b in zip(ours.coefs_, by_hand.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert ours.n_iter_ == 9 and ours.n_decay_iter_ == 3
    # the parameters are the caller's again after fit
    assert (ours.max_iter, ours.learning_rate_init, ours.warm_start) == (6, 0.01, False)
    assert clone(ours).get_params() == ours.get_params()


def test_early_stopping_takes_no_decay(data):
    X, y = data
    with pytest.raises(ValueError, match="decay_epochs needs early_stopping=False"):
        StepDecayMLPClassifier((8,), early_stopping=True, decay_epochs=2).fit(X, y)
    clf = StepDecayMLPClassifier((8,), max_iter=50, early_stopping=True, n_iter_no_change=3,
                                 decay_epochs=0, random_state=0).fit(X, y)
    assert clf.n_decay_iter_ == 0 and clf.n_iter_ < 50


def test_lbfgs_has_no_rate_to_decay(data):
    X, y = data
    with pytest.raises(ValueError, match="decay_epochs needs a learning rate"):
        StepDecayMLPClassifier((4,), solver="lbfgs").fit(X, y)
    StepDecayMLPClassifier((4,), solver="lbfgs", max_iter=20, decay_epochs=0).fit(X, y)


@pytest.mark.parametrize("bad", [{"decay_epochs": -1}, {"decay_factor": 0.0},
                                 {"decay_factor": 1.5}])
def test_bad_parameters_are_named(data, bad):
    X, y = data
    with pytest.raises(ValueError, match=next(iter(bad))):
        StepDecayMLPClassifier((4,), **bad).fit(X, y)


def test_fast_inference_reads_it_as_an_mlp(data):
    X, y = data
    clf = StepDecayMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    assert is_fast_mlp(clf) and not is_fast_mlp(StepDecayMLPClassifier())
    np.testing.assert_allclose(mlp_predict_proba(MLPWeights.from_mlp(clf), X),
                               clf.predict_proba(X), atol=1e-5)
