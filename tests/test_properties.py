"Properties of EM that must hold on any data (hypothesis draws the data)."
import warnings
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st, HealthCheck
from gmm_em.core import GaussianMixture, FitHistory
from gmm_em.data import DataError

TYPES = ['full', 'tied', 'diag', 'spherical']


@st.composite
def mixtures(draw):
    "Data from a random mixture: n, d, k, centres, scales and an offset all drawn."
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(20, 400)); d = draw(st.integers(1, 4)); k_true = draw(st.integers(1, 4))
    offset = draw(st.sampled_from([0.0, 1e3, -1e5]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(k_true, d))
    X = (centres[rng.integers(k_true, size=n)] + rng.normal(size=(n, d))) * scale + offset
    if draw(st.booleans()): X[: n // 4] = X[0]          # a block of duplicated points
    return X, seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mixtures(), k=st.integers(1, 5), ct=st.sampled_from(TYPES), init=st.sampled_from(['kmeans', 'random']))
def test_log_likelihood_never_decreases(data, k, ct, init):
    """EM's theorem: without regularisation each iteration can only raise the log-likelihood.
    (`reg_covar` > 0 moves the M-step off the maximiser, so there the plain log-likelihood may dip slightly
    when the data's variance is comparable to `reg_covar`.)"""
    X, seed = data
    X = X + np.random.default_rng(seed).normal(scale=1e-3 * np.abs(X).max() + 1e-9, size=X.shape)  # no exact duplicates
    k = min(k, len(X))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            gm = GaussianMixture(k, covariance_type=ct, init_params=init, max_iter=30, tol=0, reg_covar=0,
                                 random_state=seed).fit(X)
        except ValueError as e:            # a component collapsed onto fewer than d points
            assume('ill-defined' not in str(e)); raise
    ll = gm.history_.log_likelihood
    assert np.isfinite(ll).all()
    assert (np.diff(ll) >= -1e-9 * np.maximum(1, np.abs(ll[1:]))).all(), np.diff(ll).min()
    assert len(gm.history_) == gm.n_iter_ + 1
    assert np.isclose(gm.score(X), ll[-1], rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mixtures(), k=st.integers(1, 5), ct=st.sampled_from(TYPES),
       init=st.sampled_from(['kmeans', 'k-means++', 'random', 'random_from_data']))
def test_degenerate_data_gives_finite_models(data, k, ct, init):
    "With the default reg_covar, duplicated points, tiny scales and far offsets never give NaN or inf."
    X, seed = data
    k = min(k, len(X))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        gm = GaussianMixture(k, covariance_type=ct, init_params=init, max_iter=30, random_state=seed).fit(X)
    for a in [gm.weights_, gm.means_, gm.covariances_, gm.precisions_cholesky_, gm.history_.log_likelihood]:
        assert np.isfinite(a).all()
    assert abs(gm.weights_.sum() - 1) < 1e-12
    assert np.isfinite(gm.score_samples(X)).all()


@settings(max_examples=25, deadline=None)
@given(data=mixtures(), k=st.integers(1, 4), ct=st.sampled_from(TYPES), block=st.integers(1, 97))
def test_blocking_is_only_summation_order(data, k, ct, block):
    X, seed = data
    k = min(k, len(X))
    kw = dict(covariance_type=ct, max_iter=5, tol=0, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a = GaussianMixture(k, **kw).fit(X)
        b = GaussianMixture(k, block_rows=block, **kw).fit(X)
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-8, atol=1e-8 * np.abs(X).max())
    np.testing.assert_allclose(b.history_.log_likelihood, a.history_.log_likelihood, rtol=1e-9, atol=1e-9)
    proba = b.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-12)
    np.testing.assert_array_equal(b.predict(X), proba.argmax(1))


@settings(max_examples=15, deadline=None)
@given(data=mixtures(), ct=st.sampled_from(TYPES))
def test_save_load_roundtrip_exact(tmp_path_factory, data, ct):
    X, seed = data
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        gm = GaussianMixture(2 if len(X) > 1 else 1, covariance_type=ct, random_state=seed).fit(X)
    p = tmp_path_factory.mktemp('m') / 'model.npz'
    gm.save(p)
    g2 = GaussianMixture.load(p)
    for a in ['weights_', 'means_', 'covariances_', 'precisions_cholesky_']:
        np.testing.assert_array_equal(getattr(g2, a), getattr(gm, a))
    np.testing.assert_array_equal(g2.score_samples(X), gm.score_samples(X))
    assert g2.get_params() == {**gm.get_params()}


def test_invalid_parameters_are_checked_in_fit():
    X = np.random.default_rng(0).normal(size=(30, 2))
    gm = GaussianMixture(n_components=-1, covariance_type='bogus')   # constructor stores, fit checks
    assert gm.n_components == -1
    with pytest.raises(ValueError, match='n_components'):
        gm.fit(X)
    with pytest.raises(DataError, match='NaN'):
        GaussianMixture(2).fit(np.r_[X, [[np.nan, 0]]])
    with pytest.raises(DataError, match='numeric'):
        GaussianMixture(2).fit(np.array([['a', 'b']] * 5))
