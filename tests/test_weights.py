"Weighted rows (issue 13): a weight counts as that many copies of the row, in memory, from files, on Dask, in the search and the CLI."
import json, subprocess, warnings
import numpy as np
import pytest
from gmm_em.core import GaussianMixture
from gmm_em.data import NpyFileSource, DataError
from gmm_em.selection import search

TYPES = ['full', 'tied', 'diag', 'spherical']


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(size=(80, 3))*s + c for s, c in ((1, [0, 0, 0]), (0.5, [5, 0, 0]), (2, [0, 6, 1]))])
    return X, rng.integers(0, 4, len(X)).astype(float)


def _start(X, ct, k=3):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = GaussianMixture(k, covariance_type=ct, max_iter=2, random_state=1).fit(X)
    return dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)


def _fit(X, ct, start, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return GaussianMixture(3, covariance_type=ct, tol=0, max_iter=25, **start).fit(X, **kw)


def _same(a, b, tol=1e-9):
    for attr in ('weights_', 'means_', 'covariances_'):
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=tol, atol=tol, err_msg=attr)
    np.testing.assert_allclose(a.history_.log_likelihood, b.history_.log_likelihood, rtol=tol, atol=tol)


@pytest.mark.parametrize('ct', TYPES)
def test_integer_weights_are_repeated_rows(ct):
    X, w = _data()
    start = _start(X, ct)
    a, b = _fit(X, ct, start, sample_weight=w), _fit(np.repeat(X, w.astype(int), axis=0), ct, start)
    _same(a, b)
    Xr = np.repeat(X, w.astype(int), axis=0)
    for crit in ('bic', 'aic', 'icl'):
        np.testing.assert_allclose(getattr(a, crit)(X, sample_weight=w), getattr(b, crit)(Xr), rtol=1e-9)
    np.testing.assert_allclose(a.score(X, sample_weight=w), b.score(Xr), rtol=1e-12)


@pytest.mark.parametrize('ct', TYPES)
def test_zero_weights_and_scale_change_nothing(ct):
    X, w = _data(1)
    start = _start(X, ct)
    a = _fit(X, ct, start, sample_weight=w)
    keep = w > 0
    _same(a, _fit(X[keep], ct, start, sample_weight=w[keep]))
    _same(a, _fit(X, ct, start, sample_weight=w*1e-3))
    far = X.copy(); far[w == 0] = 1e6          # rows of weight 0 can be anything finite
    _same(a, _fit(far, ct, start, sample_weight=w))


def test_unit_weights_are_the_unweighted_fit():
    X, _ = _data(2)
    start = _start(X, 'full')
    _same(_fit(X, 'full', start, sample_weight=np.ones(len(X))), _fit(X, 'full', start), tol=1e-12)


def test_files_out_of_core_and_dask_agree(tmp_path, monkeypatch):
    import gmm_em.core as core
    da = pytest.importorskip('dask.array')
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(size=(3000, 2)) + c for c in ([0, 0], [6, 0], [0, 6])])
    w = rng.uniform(0, 3, len(X)); w[::5] = 0
    np.save(tmp_path / 'x.npy', X); np.save(tmp_path / 'w.npy', w)
    start = _start(X, 'full')
    a = _fit(X, 'full', start, sample_weight=w)
    monkeypatch.setattr(core, 'INIT_SAMPLE_SIZE', 1000)   # the file stays on disk: weights read block by block beside it
    fits = [GaussianMixture(3, tol=0, max_iter=25, block_rows=700, **start).fit(str(tmp_path / 'x.npy'), sample_weight=str(tmp_path / 'w.npy')),
            _fit(da.from_array(X, chunks=(2500, 2)), 'full', start, sample_weight=da.from_array(w, chunks=4000))]
    for b in fits: _same(a, b, tol=1e-10)


def test_search_with_weights_is_the_search_on_repeated_rows():
    X, w = _data(4)
    a = search(X, range(1, 5), 'auto', sample_weight=w, random_state=0)
    b = search(np.repeat(X, w.astype(int), axis=0), range(1, 5), 'auto', random_state=0)
    assert (a.best_row['k'], a.best_row['covariance_type']) == (b.best_row['k'], b.best_row['covariance_type'])
    np.testing.assert_allclose(a.best_row['bic'], b.best_row['bic'], rtol=1e-6)


@pytest.mark.parametrize('bad, msg', [([1.0, 2.0], 'weights for'), (-1, 'negative'), (0, 'all zero'), (np.nan, 'NaN'), ('2d', '1-D')])
def test_bad_weights_are_one_line(tmp_path, bad, msg):
    X, w = _data()
    wb = {'2d': np.ones((len(X), 2))}.get(bad) if isinstance(bad, str) else (np.array(bad) if isinstance(bad, list) else np.full(len(X), bad, dtype=float))
    with pytest.raises(DataError, match=msg): GaussianMixture(2).fit(X, sample_weight=wb)
    np.save(tmp_path / 'x.npy', X); np.save(tmp_path / 'w.npy', wb)
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--data_path', str(tmp_path / 'x.npy'), '--sample_weight', str(tmp_path / 'w.npy'),
                        '--output_dir', str(tmp_path / 'o')], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and msg in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists()


def test_cli_weighted_run_is_the_run_on_repeated_rows(tmp_path):
    X, w = _data(5)
    np.save(tmp_path / 'x.npy', X); np.save(tmp_path / 'w.npy', w); np.save(tmp_path / 'xr.npy', np.repeat(X, w.astype(int), axis=0))
    run = lambda *a: subprocess.run(['gmm_em_cli', '--find_num_clusters_range', '1', '4', '--quiet', *map(str, a)], capture_output=True, text=True, timeout=300)
    assert run('--data_path', tmp_path / 'x.npy', '--sample_weight', tmp_path / 'w.npy', '--output_dir', tmp_path / 'a').returncode == 0
    assert run('--data_path', tmp_path / 'xr.npy', '--output_dir', tmp_path / 'b').returncode == 0
    a, b = (json.loads((tmp_path / o / 'summary.json').read_text()) for o in 'ab')
    assert a['n_clusters'] == b['n_clusters'] and a['total_weight'] == b['n_samples'] == w.sum()
    assert abs(a['bic'] - b['bic']) < 1e-6*abs(b['bic'])
    assert len(np.load(tmp_path / 'a' / 'labels.npy')) == len(X)


def test_cli_glob_of_files_with_a_weights_file(tmp_path):
    pytest.importorskip('dask.array')
    X, w = _data(6)
    (tmp_path / 'parts').mkdir()
    np.save(tmp_path / 'parts' / 'a.npy', X[:100]); np.save(tmp_path / 'parts' / 'b.npy', X[100:]); np.save(tmp_path / 'w.npy', w); np.save(tmp_path / 'x.npy', X)
    run = lambda data, out: subprocess.run(['gmm_em_cli', '--n_clusters', '3', '--data_path', str(data), '--sample_weight', str(tmp_path / 'w.npy'),
                                            '--output_dir', str(tmp_path / out), '--quiet'], capture_output=True, text=True, timeout=300)
    for data, out in ((tmp_path / 'parts' / '*.npy', 'g'), (tmp_path / 'x.npy', 'f')):
        r = run(data, out); assert r.returncode == 0, r.stderr
    g, f = (json.loads((tmp_path / o / 'summary.json').read_text()) for o in 'gf')
    assert g['total_weight'] == f['total_weight'] == w.sum() and abs(g['log_likelihood'] - f['log_likelihood']) < 1e-9
