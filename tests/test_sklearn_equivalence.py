"From the same start, gmm_em's EM follows scikit-learn's iterate for iterate (scikit-learn is a test-only dependency)."
import warnings
import numpy as np
import pytest
from sklearn import datasets
from sklearn.mixture import GaussianMixture as SkGM
from gmm_em.core import GaussianMixture
from gmm_em.data import make_example

TYPES = ['full', 'tied', 'diag', 'spherical']


def _start(X, k, ct, seed=0):
    "A common start: scikit-learn's own k-means initialisation, as explicit init arrays."
    sk = SkGM(k, covariance_type=ct, max_iter=0, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sk.fit(X)
    return dict(weights_init=sk.weights_, means_init=sk.means_, precisions_init=sk.precisions_)


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


class _Shifted:
    "scikit-learn fitted on centred data, seen in the original coordinates."
    def __init__(self, sk, c): self.sk, self.c = sk, c
    def __getattr__(self, a):
        v = getattr(self.sk, a)
        return v + self.c if a == 'means_' else v
    def __getstate__(self): return vars(self)
    def __setstate__(self, s): vars(self).update(s)
    def _c(self, X): return np.asarray(X) - self.c
    def score(self, X): return self.sk.score(self._c(X))
    def score_samples(self, X): return self.sk.score_samples(self._c(X))
    def predict_proba(self, X): return self.sk.predict_proba(self._c(X))
    def predict(self, X): return self.sk.predict(self._c(X))
    def bic(self, X): return self.sk.bic(self._c(X))
    def aic(self, X): return self.sk.aic(self._c(X))


def _pair(X, k, ct, n_iter, center=False, **kw):
    """Our fit and scikit-learn's from the same start. With `center`, scikit-learn runs on centred data:
    its `tied`/`diag` M-step subtracts large numbers (X'X - N m m'), so far from the origin its own
    answer loses digits that ours keeps; the centred run is the exact reference."""
    init = _start(X, k, ct)
    c = X.mean(0) if center else np.zeros(X.shape[1])
    sk_init = dict(init, means_init=init['means_init'] - c)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sk = SkGM(k, covariance_type=ct, tol=0, max_iter=n_iter, **sk_init, **kw).fit(X - c)
        ours = GaussianMixture(k, covariance_type=ct, tol=0, max_iter=n_iter, **init, **kw).fit(X)
    return ours, (_Shifted(sk, c) if center else sk)


def _assert_same(ours, sk, X, rtol=1e-6):
    assert ours.n_iter_ == sk.n_iter_
    for a in ['weights_', 'means_', 'covariances_', 'precisions_cholesky_', 'precisions_']:
        assert _rel(getattr(ours, a), getattr(sk, a)) < rtol, a
    assert abs(ours.lower_bound_ - sk.lower_bound_) <= rtol * abs(sk.lower_bound_)
    np.testing.assert_allclose(ours.lower_bounds_, sk.lower_bounds_, rtol=rtol)
    assert abs(ours.score(X) - sk.score(X)) <= rtol * abs(sk.score(X))
    np.testing.assert_allclose(ours.score_samples(X), sk.score_samples(X), rtol=rtol, atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.bic(X), sk.bic(X), rtol=rtol)
    np.testing.assert_allclose(ours.aic(X), sk.aic(X), rtol=rtol)


def _blobs(n=3000, d=3, k=4, seed=0, offset=0.0, scales=None):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 5, size=(k, d))
    y = rng.integers(k, size=n)
    A = rng.normal(size=(k, d, d)) * 0.7 + np.eye(d)
    X = centers[y] + np.einsum('nij,nj->ni', A[y], rng.standard_normal((n, d)))
    if scales is not None: X = X * np.asarray(scales)
    return X + offset


DATA = {
    'blobs': lambda: _blobs(),
    'example': lambda: make_example()[0],
    'iris': lambda: datasets.load_iris().data,
    'wine': lambda: datasets.load_wine().data,
    'far_from_origin': lambda: _blobs(d=2, offset=1e5),
    'column_scales': lambda: _blobs(d=3, scales=[1e-3, 1.0, 1e3]),
}
K = {'blobs': 4, 'example': 4, 'iris': 3, 'wine': 3, 'far_from_origin': 3, 'column_scales': 3}


@pytest.mark.parametrize('ct', TYPES)
@pytest.mark.parametrize('name', list(DATA))
@pytest.mark.parametrize('n_iter', [1, 5, 20])
def test_same_iterates(name, ct, n_iter):
    X = DATA[name]()
    ours, sk = _pair(X, K[name], ct, n_iter, center=(name == 'far_from_origin'))
    _assert_same(ours, sk, X)


@pytest.mark.parametrize('ct', TYPES)
def test_same_convergence(ct):
    "With scikit-learn's default tol, both stop at the same iteration with the same model."
    X = _blobs(seed=3)
    init = _start(X, 4, ct)
    sk = SkGM(4, covariance_type=ct, **init).fit(X)
    ours = GaussianMixture(4, covariance_type=ct, **init).fit(X)
    assert ours.converged_ and sk.converged_
    _assert_same(ours, sk, X)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


@pytest.mark.parametrize('ct', TYPES)
def test_history_matches_sklearn_each_iteration(ct):
    "Entry t of our history is scikit-learn's model after t iterations."
    X = datasets.load_iris().data
    ours, _ = _pair(X, 3, ct, 8)
    for t in [1, 4, 8]:
        _, sk = _pair(X, 3, ct, t)
        h = ours.history_[t]
        assert _rel(h['means'], sk.means_) < 1e-6 and _rel(h['covariances'], sk.covariances_) < 1e-6
        assert abs(h['log_likelihood'] - sk.score(X)) < 1e-6 * abs(sk.score(X))


@pytest.mark.parametrize('ct', TYPES)
def test_block_size_does_not_change_the_answer(ct):
    X = _blobs(n=5000)
    init = _start(X, 4, ct)
    a = GaussianMixture(4, covariance_type=ct, tol=0, max_iter=10, **init).fit(X)
    b = GaussianMixture(4, covariance_type=ct, tol=0, max_iter=10, block_rows=337, **init).fit(X)
    for attr in ['weights_', 'means_', 'covariances_']:
        assert _rel(getattr(a, attr), getattr(b, attr)) < 1e-10
    assert abs(a.score(X) - b.score(X)) < 1e-12 * abs(a.score(X))


@pytest.mark.parametrize('ct', TYPES)
def test_n_parameters_like_sklearn(ct):
    X = datasets.load_wine().data
    ours, sk = _pair(X, 3, ct, 2)
    assert ours._n_parameters() == sk._n_parameters()


@pytest.mark.parametrize('init', ['kmeans', 'k-means++', 'random', 'random_from_data'])
@pytest.mark.parametrize('ct', TYPES)
def test_every_init_fits_as_well_as_sklearn(init, ct):
    "Our own initialisations (not sklearn's random streams) reach a log-likelihood as good as scikit-learn's."
    X = make_example()[0]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ours = GaussianMixture(4, covariance_type=ct, init_params=init, n_init=3, max_iter=300, random_state=0).fit(X)
        sk = SkGM(4, covariance_type=ct, init_params=init, n_init=3, max_iter=300, random_state=0).fit(X)
    assert ours.score(X) >= sk.score(X) - 0.02


@pytest.mark.parametrize('ct', TYPES)
def test_warm_start_like_sklearn(ct):
    "warm_start=True: a second fit continues from the first, as scikit-learn's does."
    X = datasets.load_iris().data
    init = _start(X, 3, ct)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sk = SkGM(3, covariance_type=ct, max_iter=3, tol=1e-9, warm_start=True, **init)
        ours = GaussianMixture(3, covariance_type=ct, max_iter=3, tol=1e-9, warm_start=True, **init)
        for _ in range(3):
            sk.fit(X); ours.fit(X)
            _assert_same(ours, sk, X)
