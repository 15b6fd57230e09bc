"The compiled pass (`gmm_em.kernel`) against the numpy path and scikit-learn, its routing, and the fallback without numba."
import contextlib, subprocess, sys, textwrap, warnings
import numpy as np
import pytest
import gmm_em.stats as stats
from gmm_em.core import GaussianMixture
from gmm_em.selection import search


def _data(n=70_000, d=2, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-8, 8, size=(4, d))
    return centres[rng.integers(4, size=n)] + rng.normal(size=(n, d))*rng.uniform(.5, 2, d)


@contextlib.contextmanager
def _kernel(on):
    "The compiled pass on or off (the numpy path), warnings silenced."
    old = stats.USE_KERNEL
    stats.USE_KERNEL = on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            yield
    finally: stats.USE_KERNEL = old


def _fit(X, kernel, sample_weight=None, **kw):
    with _kernel(kernel): return GaussianMixture(**kw).fit(X, sample_weight=sample_weight)


@pytest.mark.parametrize('ct', ['full', 'tied', 'diag', 'spherical', 'VEV', 'EVE'])
def test_same_fit_as_the_numpy_path(ct):
    X = _data()
    assert stats.kernel_takes(len(X), 4, stats.n_quadratic_features(2, 'full')) and stats.compiled() is not None
    kw = dict(n_components=4, covariance_type=ct, random_state=0, max_iter=30, tol=0)
    a, b = _fit(X, True, **kw), _fit(X, False, **kw)
    assert abs(a.lower_bound_ - b.lower_bound_) <= 1e-10*abs(b.lower_bound_)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-7, atol=1e-9)


def test_weights_and_float32():
    X = _data(seed=1)
    w = np.random.default_rng(2).uniform(0, 3, len(X))
    kw = dict(n_components=4, random_state=0, max_iter=20, tol=0)
    out = {k: _fit(X, k, sample_weight=w, **kw) for k in (True, False)}
    assert abs(out[True].lower_bound_ - out[False].lower_bound_) <= 1e-10*abs(out[False].lower_bound_)
    np.testing.assert_allclose(out[True].means_, out[False].means_, rtol=1e-8, atol=1e-9)
    # float32 arithmetic through the kernel: the float64 fit's log-likelihood to float32 accuracy
    f64 = _fit(X, True, **kw)
    f32 = _fit(X.astype(np.float32), True, dtype=np.float32, **kw)
    assert abs(f32.lower_bound_ - f64.lower_bound_) <= 1e-5*abs(f64.lower_bound_)
    np.testing.assert_allclose(f32.means_, f64.means_, atol=1e-3)


def test_matches_scikit_learn():
    sk = pytest.importorskip('sklearn.mixture')
    X = _data(seed=3)
    g0 = sk.GaussianMixture(4, max_iter=0, random_state=0, init_params='kmeans')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g0.fit(X)
        init = dict(weights_init=g0.weights_, means_init=g0.means_, precisions_init=g0.precisions_)
        s = sk.GaussianMixture(4, max_iter=15, tol=0, **init).fit(X)
    o = _fit(X, True, n_components=4, max_iter=15, tol=0, **init)
    assert abs(o.lower_bound_ - s.lower_bound_) <= 1e-6*abs(s.lower_bound_)
    np.testing.assert_allclose(o.means_, s.means_, rtol=1e-6, atol=1e-6)


def test_search_screening_through_the_kernel():
    "The search screens its starts as stacked mixtures (`group_moments`): same choice and BIC on both paths."
    X = _data(n=40_000, seed=4)
    res = {}
    for k in (True, False):
        with _kernel(k): res[k] = search(X, range(3, 6), ['full'], random_state=0)
    a, b = res[True].best_row, res[False].best_row
    assert (a['k'], a['covariance_type']) == (b['k'], b['covariance_type'])
    assert abs(a['bic'] - b['bic']) <= 1e-6*abs(b['bic'])


def _run(code):
    r = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_small_fits_never_load_numba_and_large_ones_work_without_it():
    out = _run("""
        import sys, numpy as np
        from gmm_em.core import GaussianMixture
        X = np.random.default_rng(0).normal(size=(2000, 2))
        GaussianMixture(3, random_state=0).fit(X)
        print('numba' in sys.modules)
    """)
    assert out == ['False']
    out = _run("""
        import sys, numpy as np
        sys.modules['numba'] = None        # numba cannot be imported
        import gmm_em.stats as stats
        from gmm_em.core import GaussianMixture
        X = np.random.default_rng(0).normal(size=(100_000, 2))
        g = GaussianMixture(4, random_state=0, max_iter=5).fit(X)
        print(stats.compiled() is None, np.isfinite(g.lower_bound_))
    """)
    assert out == ['True', 'True']
