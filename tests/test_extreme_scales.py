"Numbers at any scale floating point represents: the same fits as scikit-learn at 1e±10, 1e±50, 1e±150 and with mixed column scales."
import warnings
import numpy as np
import pytest
from gmm_em.core import GaussianMixture

sklearn_mixture = pytest.importorskip('sklearn.mixture')
TYPES = ['full', 'tied', 'diag', 'spherical']
SCALES = {'1e10': [1e10, 1e10], '1e-10': [1e-10, 1e-10], '1e50': [1e50, 1e50], '1e-50': [1e-50, 1e-50],
          '1e150': [1e150, 1e150], '1e-150': [1e-150, 1e-150], '1e-20 and 1e20': [1e-20, 1e20], '1e-150 and 1e150': [1e-150, 1e150]}


def _data(scale, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[-4., 0.], [3., 3.], [2., -4.]])
    return (centres[rng.integers(3, size=600)] + rng.normal(size=(600, 2)))*np.array(scale)


@pytest.mark.parametrize('scale', SCALES)
@pytest.mark.parametrize('ct', TYPES)
def test_one_component_is_scikit_learns(scale, ct):
    X = _data(SCALES[scale])
    with warnings.catch_warnings():
        warnings.simplefilter('error', RuntimeWarning)    # no overflow or invalid-value warnings either
        ours = GaussianMixture(1, covariance_type=ct).fit(X)
        ll = ours.score_samples(X)
    sk = sklearn_mixture.GaussianMixture(1, covariance_type=ct).fit(X)
    assert np.isfinite(ll).all()
    np.testing.assert_allclose(ll, sk.score_samples(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.covariances_, sk.covariances_, rtol=1e-9)
    if ct in ('full', 'tied'): assert (np.tril(ours.precisions_cholesky_, -1) == 0).all()   # exactly triangular


@pytest.mark.parametrize('scale', ['1e50', '1e-50', '1e150', '1e-20 and 1e20', '1e-150 and 1e150'])
@pytest.mark.parametrize('ct', TYPES)
def test_three_components_follow_scikit_learn_from_the_same_start(scale, ct):
    X = _data(SCALES[scale])
    sk0 = sklearn_mixture.GaussianMixture(3, covariance_type=ct, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sk0.fit(X)
        start = dict(weights_init=sk0.weights_, means_init=sk0.means_, precisions_init=sk0.precisions_)
        sk = sklearn_mixture.GaussianMixture(3, covariance_type=ct, tol=0, max_iter=8, **start).fit(X)
        ours = GaussianMixture(3, covariance_type=ct, tol=0, max_iter=8, **start).fit(X)
    assert np.isfinite(ours.score_samples(X)).all()
    np.testing.assert_allclose(ours.lower_bound_, sk.lower_bound_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.means_, sk.means_, rtol=1e-6, atol=1e-9*np.abs(X).max())


def test_a_far_row_is_minus_infinity_not_nan():
    X = _data([1., 1.])
    gm = GaussianMixture(3, random_state=0).fit(X)
    ll = gm.score_samples(np.array([[1e200, 0.], [0., 0.]]))
    assert ll[0] == -np.inf and np.isfinite(ll[1])
