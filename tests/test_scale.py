"Out of core and on Dask: the same model as in memory, from the same start."
import json, subprocess, sys, warnings
import numpy as np
import pytest
from gmm_em.core import GaussianMixture
from gmm_em.data import NpyFileSource, DaskSource, DataError

da = pytest.importorskip('dask.array')
distributed = pytest.importorskip('dask.distributed')

TYPES = ['full', 'tied', 'diag', 'spherical']


def _data(n=60_000, d=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, size=(4, d))
    return centres[rng.integers(4, size=n)] + rng.normal(size=(n, d)) + 100.0


def _start(X, ct, k=4):
    "A common start: a short in-memory fit's parameters, given to every run as explicit inits."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = GaussianMixture(k, covariance_type=ct, max_iter=2, random_state=1).fit(X)
    return dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)


def _fit(X, ct, init, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return GaussianMixture(4, covariance_type=ct, tol=0, max_iter=15, **init, **kw).fit(X)


def _same(a, b, rtol):
    for attr in ['weights_', 'means_', 'covariances_', 'precisions_cholesky_']:
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=rtol, atol=0, err_msg=attr)
    np.testing.assert_allclose(a.history_.log_likelihood, b.history_.log_likelihood, rtol=rtol, atol=0)
    assert a.n_iter_ == b.n_iter_


@pytest.fixture(scope='module')
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as c, distributed.Client(c) as client:
        yield client


@pytest.mark.parametrize('ct', TYPES)
def test_memory_file_memmap_dask_cluster_agree(tmp_path, cluster, ct):
    X = _data()
    np.save(tmp_path / 'x.npy', X)
    init = _start(X, ct)
    ref = _fit(X, ct, init)
    _same(_fit(NpyFileSource(tmp_path / 'x.npy'), ct, init), ref, 1e-12)           # read block by block
    _same(_fit(np.load(tmp_path / 'x.npy', mmap_mode='r'), ct, init), ref, 1e-12)    # a memory map, as an array
    dX = da.from_array(X, chunks=(7_000, 3))
    on_cluster = _fit(dX, ct, init)                                                  # runs on the LocalCluster
    _same(on_cluster, ref, 1e-9)
    assert cluster.scheduler_info()['workers'] and len(cluster.scheduler_info()['workers']) == 2


def test_dask_predict_score_lazy(cluster):
    X = _data(20_000)
    g = GaussianMixture(4, random_state=0).fit(X)
    dX = da.from_array(X, chunks=(3_000, 3))
    labels = g.predict(dX)
    assert isinstance(labels, da.Array) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels.compute(), g.predict(X))
    np.testing.assert_allclose(g.predict_proba(dX).compute(), g.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(g.score_samples(dX).compute(), g.score_samples(X), rtol=1e-12)
    assert abs(g.score(dX) - g.score(X)) < 1e-12 * abs(g.score(X))


def test_dask_fit_with_own_init_matches_memory():
    "Initialisation draws the same subsample and the same random numbers whatever the source."
    X = _data(30_000)
    dX = da.from_array(X, chunks=(4_000, 3))
    for init in ['kmeans', 'random', 'random_from_data', 'k-means++']:
        a = _fit(X, 'full', {}, init_params=init, random_state=3)
        b = _fit(dX, 'full', {}, init_params=init, random_state=3)
        _same(b, a, 1e-9)


def test_dask_nan_is_a_data_error():
    X = _data(10_000); X[8_765, 1] = np.nan
    with pytest.raises(DataError, match='row 8765'):
        GaussianMixture(2).fit(da.from_array(X, chunks=(1_000, 3)))


def test_blocked_file_reading_keeps_memory_bounded(tmp_path):
    "Fitting a 400 MB file adds far less than the file's size to the peak RSS."
    n = 25_000_000
    path = tmp_path / 'big.npy'
    rng = np.random.default_rng(0)
    with open(path, 'wb') as f:
        np.lib.format.write_array_header_1_0(f, {'descr': '<f8', 'fortran_order': False, 'shape': (n, 2)})
        for i in range(0, n, 1_000_000):
            (rng.normal(size=(1_000_000, 2)) + 4 * rng.integers(2, size=(1_000_000, 1))).tofile(f)
    code = ("import resource, numpy as np\n"
            "from gmm_em.core import GaussianMixture\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"g = GaussianMixture(2, max_iter=2, tol=0, random_state=0).fit({str(path)!r})\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)\n")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    extra_mb = int(r.stdout.split()[-1]) / 1024
    assert extra_mb < 150, extra_mb


def test_cli_glob_of_files_with_scheduler(tmp_path, cluster):
    X = _data(9_000, d=2)
    for i in range(3): np.save(tmp_path / f'part{i}.npy', X[i * 3000:(i + 1) * 3000])
    np.save(tmp_path / 'all.npy', X)
    addr = cluster.scheduler.address
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '4', '--data_path', str(tmp_path / 'part*.npy'),
                        '--scheduler', addr, '--output_dir', str(tmp_path / 'o'), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r2 = subprocess.run(['gmm_em_cli', '--n_clusters', '4', '--data_path', str(tmp_path / 'all.npy'),
                         '--output_dir', str(tmp_path / 'o2'), '--quiet'], capture_output=True, text=True)
    assert r2.returncode == 0, r2.stderr
    s, s2 = (json.loads((tmp_path / d / 'summary.json').read_text()) for d in ('o', 'o2'))
    assert s['n_samples'] == 9000 and abs(s['log_likelihood'] - s2['log_likelihood']) < 1e-9 * abs(s2['log_likelihood'])
    np.testing.assert_array_equal(np.load(tmp_path / 'o' / 'labels.npy'), np.load(tmp_path / 'o2' / 'labels.npy'))
    np.save(tmp_path / 'part3.npy', np.ones((10, 3)))
    r3 = subprocess.run(['gmm_em_cli', '--n_clusters', '4', '--data_path', str(tmp_path / 'part*.npy'),
                         '--output_dir', str(tmp_path / 'o3')], capture_output=True, text=True)
    assert r3.returncode == 2 and 'has 3 features' in r3.stderr and r3.stderr.count('\n') == 1
    r4 = subprocess.run(['gmm_em_cli', '--n_clusters', '4', '--data_path', str(tmp_path / 'nothing*.npy')],
                        capture_output=True, text=True)
    assert r4.returncode == 2 and 'no files match' in r4.stderr
