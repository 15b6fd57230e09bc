"Missing values (issue 13): nan_policy='omit' marginalises NaN entries; EM for incomplete data, checked against direct computations."
import json, subprocess, warnings
import numpy as np
import pytest
from scipy.stats import multivariate_normal
from gmm_em.core import GaussianMixture
from gmm_em.data import DataError
from gmm_em.init import full_covariances
from gmm_em.selection import search

TYPES = ['full', 'tied', 'diag', 'spherical']


def _data(n=300, frac=0.15, seed=0):
    rng = np.random.default_rng(seed)
    A = np.array([[1., .6, .2], [0, 1, .4], [0, 0, 1]])
    X = np.concatenate([rng.normal(size=(n, 3)) @ A + c for c in ([0, 0, 0], [4, 1, 0], [0, 5, 3])])
    Xm = X.copy(); Xm[rng.random(X.shape) < frac] = np.nan
    return X, Xm


def _direct(g, X):
    "Observed-data log-likelihood of each row, with scipy, on its observed coordinates (None for rows observing nothing)."
    k, d = g.means_.shape
    C = full_covariances(g.covariances_, g.covariance_type, k, d)
    out = []
    for x in X:
        o = ~np.isnan(x)
        out.append(None if not o.any() else np.log(sum(g.weights_[j]*multivariate_normal(g.means_[j, o], C[j][np.ix_(o, o)]).pdf(x[o]) for j in range(k))))
    return out


def _fit(X, ct, sample_weight=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return GaussianMixture(3, covariance_type=ct, nan_policy='omit', random_state=0, **kw).fit(X, sample_weight=sample_weight)


@pytest.mark.parametrize('ct', TYPES)
def test_observed_log_likelihood_is_the_direct_one(ct):
    _, Xm = _data()
    g = _fit(Xm, ct)
    direct = _direct(g, Xm)
    seen = [v for v in direct if v is not None]
    np.testing.assert_allclose(g.score(Xm), np.mean(seen), rtol=1e-8)
    np.testing.assert_allclose(g.score_samples(Xm), [0. if v is None else v for v in direct], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(g.lower_bound_, np.mean(seen), atol=1e-3)   # the last E-step's, one M-step earlier


@pytest.mark.parametrize('ct', TYPES)
def test_the_fit_is_a_fixed_point_and_never_goes_down(ct):
    _, Xm = _data(seed=1)
    g = _fit(Xm, ct, tol=1e-12, max_iter=5000)
    assert g.converged_ and np.all(np.diff(g.history_.log_likelihood) >= -1e-10)
    h = _fit(Xm, ct, tol=0, max_iter=1, weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)
    np.testing.assert_allclose(h.means_, g.means_, atol=1e-5)
    np.testing.assert_allclose(h.covariances_, g.covariances_, atol=1e-5)


@pytest.mark.parametrize('ct', TYPES)
def test_without_nan_omit_is_raise(ct):
    X, _ = _data(seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    b = _fit(X, ct)
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-12); np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-12)


def test_rows_observing_nothing_take_no_part():
    _, Xm = _data(seed=3)
    X2 = np.vstack([Xm, np.full((40, 3), np.nan)])
    a, b = _fit(Xm, 'full'), _fit(X2, 'full')
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-9); np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-9)
    np.testing.assert_allclose(b.predict_proba(X2[-2:]), [b.weights_]*2)
    assert (b.score_samples(X2[-2:]) == 0).all()


def test_raise_is_the_default_and_inf_is_never_missing():
    _, Xm = _data()
    with pytest.raises(DataError, match='NaN'): GaussianMixture(2).fit(Xm)
    Xi = Xm.copy(); Xi[0, 0] = np.inf
    with pytest.raises(DataError, match='infinite'): GaussianMixture(2, nan_policy='omit').fit(Xi)
    with pytest.raises(ValueError, match='nan_policy'): GaussianMixture(2, nan_policy='drop').fit(Xm)


def test_file_dask_and_weights(tmp_path, monkeypatch):
    import gmm_em.core as core
    da = pytest.importorskip('dask.array')
    _, Xm = _data(n=2000, seed=4)
    np.save(tmp_path / 'x.npy', Xm)
    start = _fit(Xm, 'full', max_iter=2)
    init = dict(weights_init=start.weights_, means_init=start.means_, precisions_init=start.precisions_, tol=0, max_iter=10)
    a = _fit(Xm, 'full', **init)
    monkeypatch.setattr(core, 'INIT_SAMPLE_SIZE', 1000)
    for X in (str(tmp_path / 'x.npy'), da.from_array(Xm, chunks=(1500, 3))):
        b = _fit(X, 'full', block_rows=700, **init)
        np.testing.assert_allclose(b.means_, a.means_, rtol=1e-10); np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-10)
    w = np.random.default_rng(0).integers(0, 3, len(Xm)).astype(float)
    c, r = _fit(Xm, 'full', sample_weight=w, **init), _fit(np.repeat(Xm, w.astype(int), axis=0), 'full', **init)
    np.testing.assert_allclose(c.means_, r.means_, rtol=1e-9); np.testing.assert_allclose(c.lower_bound_, r.lower_bound_, rtol=1e-9)


def test_search_and_cli(tmp_path):
    _, Xm = _data(seed=5)
    res = search(Xm, range(1, 5), 'auto', nan_policy='omit', random_state=0)
    assert res.best_row['k'] == 3 and not res.best_row['degenerate']
    np.save(tmp_path / 'x.npy', Xm)
    r = subprocess.run(['gmm_em_cli', '--find_num_clusters_range', '1', '4', '--data_path', str(tmp_path / 'x.npy'), '--output_dir', str(tmp_path / 'o')],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'NaN' in r.stderr and '--nan_policy omit' in r.stderr and r.stderr.count('\n') == 1
    r = subprocess.run(['gmm_em_cli', '--find_num_clusters_range', '1', '4', '--data_path', str(tmp_path / 'x.npy'), '--nan_policy', 'omit',
                        '--output_dir', str(tmp_path / 'o'), '--quiet'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text())
    assert s['n_clusters'] == 3 and np.isfinite(s['bic'])
    assert len(np.load(tmp_path / 'o' / 'labels.npy')) == len(Xm)


def test_warm_start_and_a_feature_never_observed():
    _, Xm = _data(seed=6)
    g = GaussianMixture(3, nan_policy='omit', warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        first = g.fit(Xm).lower_bound_
        assert g.fit(Xm).lower_bound_ >= first - 1e-12 and g.n_iter_ <= 2
    Xn = Xm.copy(); Xn[:, 1] = np.nan
    with pytest.raises(DataError, match='feature 1 is never observed'): GaussianMixture(2, nan_policy='omit').fit(Xn)
