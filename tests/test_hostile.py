"Hostile and unlucky input (issue 11): crafted .npy headers, files truncated while read, far-away rows."
import json, struct, subprocess
import numpy as np
import pytest
from gmm_em.data import NpyFileSource, DataError


def _crafted(path, shape, fortran=False, payload=64):
    "A .npy file whose header claims `shape` but holds only `payload` bytes of data."
    hdr = "{'descr': '<f8', 'fortran_order': %s, 'shape': %s, }" % (fortran, shape)
    hdr += ' ' * ((64 - (10 + len(hdr) + 1) % 64) % 64) + '\n'
    path.write_bytes(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() + b'\0' * payload)
    return path


@pytest.mark.parametrize('shape,fortran', [((2**62, 4), False), ((2**32, 2**32), False), ((2**62, 4), True), ((2**63 - 1,), False)])
def test_crafted_header_is_one_line_not_a_hang(tmp_path, shape, fortran):
    p = _crafted(tmp_path / 'x.npy', shape, fortran)
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--data_path', str(p), '--output_dir', str(tmp_path / 'o')],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'truncated' in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists()


def test_file_truncated_while_read_is_an_error_not_a_spin(tmp_path):
    X = np.random.default_rng(0).normal(size=(10_000, 2)); np.save(tmp_path / 'x.npy', X)
    src = NpyFileSource(tmp_path / 'x.npy')
    with open(tmp_path / 'x.npy', 'r+b') as f: f.truncate(128 + 16 * 5000)
    with pytest.raises(DataError, match='ended early'):
        for _ in src.blocks(1000): pass


def test_fortran_order_is_read_in_blocks(tmp_path):
    X = np.random.default_rng(1).normal(size=(1001, 3))
    np.save(tmp_path / 'f.npy', np.asfortranarray(X))
    src = NpyFileSource(tmp_path / 'f.npy')
    assert src.fortran and np.array_equal(np.vstack([b.copy() for _, b in src.blocks(100)]), X)
    assert np.array_equal(np.vstack([b.copy() for _, b in src.blocks(100, start=250, stop=700)]), X[250:700])


def test_far_rows_get_minus_inf_and_json_stays_strict(tmp_path):
    from gmm_em import GaussianMixture
    from gmm_em.data import make_example
    X, _ = make_example()
    gm = GaussianMixture(3, random_state=0).fit(X)
    far = np.array([[1e200, 1e200], [0., 0.], [-1e300, 5.]])
    lp = gm.score_samples(far)
    assert np.isneginf(lp[[0, 2]]).all() and np.isfinite(lp[1])
    np.testing.assert_allclose(gm.predict_proba(far)[[0, 2]], [gm.weights_] * 2)   # no evidence: the prior
    gm.save(tmp_path / 'm.npz'); np.save(tmp_path / 'far.npy', far)
    r = subprocess.run(['gmm_em_cli', '--model', str(tmp_path / 'm.npz'), '--data_path', str(tmp_path / 'far.npy'),
                        '--output_dir', str(tmp_path / 'o'), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == '', r.stderr
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text(), parse_constant=lambda c: pytest.fail(f'not strict JSON: {c}'))
    assert s['log_likelihood'] is None and np.isneginf(np.load(tmp_path / 'o' / 'loglik.npy')[0])
    assert s['warnings'] == ['2 rows lie where no component reaches (log-likelihood -inf)']


@pytest.mark.parametrize('scale', [1e-150, 1e-50, 1e50, 1e150])
def test_search_at_extreme_scales_without_warnings(scale):
    "Any scale whose variances float64 holds: the same choice, log-likelihoods shifted by the Jacobian only, no warnings."
    import warnings
    from gmm_em.data import make_example
    from gmm_em.selection import search
    X, _ = make_example()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        a, b = search(X, range(3, 6), 'auto', random_state=0), search(X*scale, range(3, 6), 'auto', random_state=0)
    assert (b.best_row['k'], b.best_row['covariance_type']) == (a.best_row['k'], a.best_row['covariance_type']) == (4, 'full')
    for ra, rb in zip(a.rows, b.rows):
        if ra['covariance_type'] != 'spherical' and not ra['degenerate']:
            assert abs(rb['log_likelihood'] + 2*np.log(scale) - ra['log_likelihood']) < 1e-6


@pytest.mark.parametrize('scale', [1e-200, 1e200])
def test_beyond_float64_variances_is_one_line(tmp_path, scale):
    from gmm_em.data import make_example
    np.save(tmp_path / 'x.npy', make_example()[0]*scale)
    r = subprocess.run(['gmm_em_cli', '--find_num_clusters_range', '1', '4', '--data_path', str(tmp_path / 'x.npy'),
                        '--output_dir', str(tmp_path / 'o')], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'rescale' in r.stderr, r.stderr


def _tampered(tmp_path, change, compress=False):
    "A model file of the example fit, with `change(arrays, meta)` applied."
    from gmm_em import GaussianMixture
    from gmm_em.data import make_example
    X, _ = make_example()
    p = GaussianMixture(3, random_state=0).fit(X).save(tmp_path / 'good.npz')
    with np.load(p, allow_pickle=False) as z: arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop('meta')))
    change(arrays, meta)
    out = tmp_path / 'bad.npz'
    (np.savez_compressed if compress else np.savez)(out, meta=np.array(json.dumps(meta)), **arrays)
    np.save(tmp_path / 'x.npy', X[:50])
    return out


def _set(name, value): return lambda a, m: a.__setitem__(name, value)

TAMPERINGS = {
    'missing weights': lambda a, m: a.pop('weights'),
    'NaN weight': lambda a, m: a['weights'].__setitem__(0, np.nan),
    'negative weight': lambda a, m: a['weights'].__setitem__(slice(None), [-0.2, 0.6, 0.6]),
    'unnormalised weights': lambda a, m: a['weights'].__setitem__(slice(None), [0.5, 0.5, 0.5]),
    'zero precision factor': lambda a, m: a['precisions_cholesky'].__setitem__(slice(None), 0.),
    'lower-triangular factor': lambda a, m: a.__setitem__('precisions_cholesky', np.swapaxes(a['precisions_cholesky'], 1, 2).copy()),
    'scalar for means': _set('means', np.array(3.0)),
    'string for weights': _set('weights', np.array(['a', 'b', 'c'])),
    'k in metadata disagrees': lambda a, m: m['params'].__setitem__('n_components', 5),
    'diag arrays in a full model': lambda a, m: (a.__setitem__('covariances', np.ones((3, 2))), a.__setitem__('precisions_cholesky', np.ones((3, 2)))),
    'negative block_rows': lambda a, m: m['params'].__setitem__('block_rows', -4),
    'absurd n_features': lambda a, m: m.__setitem__('n_features_in', 2**62),
    'wrong type of converged': lambda a, m: m.__setitem__('converged', 'yes'),
    'unknown parameter': lambda a, m: m['params'].__setitem__('evil', 1),
    'covariances disagree': lambda a, m: a['covariances'].__setitem__(slice(None), a['covariances'] * 2),
}


@pytest.mark.parametrize('case', TAMPERINGS)
def test_tampered_model_is_one_line(tmp_path, case):
    from gmm_em import GaussianMixture
    p = _tampered(tmp_path, TAMPERINGS[case])
    with pytest.raises(DataError):
        GaussianMixture.load(p)
    r = subprocess.run(['gmm_em_cli', '--model', str(p), '--data_path', str(tmp_path / 'x.npy'), '--output_dir', str(tmp_path / 'o')],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists()


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    from gmm_em import GaussianMixture
    p = _tampered(tmp_path, _set('history_means', np.zeros((5_000, 3, 2000))), compress=True)   # 240 MB inflated
    assert p.stat().st_size < 5_000_000
    with pytest.raises(DataError, match='larger than'):
        GaussianMixture.load(p)


@pytest.mark.parametrize('args', [['--n_clusters', '1', '--data_path', 'T.npy'], ['--n_clusters', '2', '--gif', '--fps', '1e-300'],
                                  ['--n_clusters', '2', '--gif', '--fps', '1e300']])
def test_impossible_sizes_are_one_line(tmp_path, args):
    np.save(tmp_path / 'T.npy', np.random.default_rng(0).normal(size=(2, 100_000)))   # rows and columns swapped
    r = subprocess.run(['gmm_em_cli', *args, '--output_dir', 'o'], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists()


# --- the output folder: killed runs, concurrent runs, foreign folders (real subprocesses) -------------------------------
import json, signal, time


def _set_of(out):
    "The run id a folder's manifest and summary agree on, after checking the manifest lists exactly the files there."
    man = json.loads((out / '.gmm_em.json').read_text())
    assert sorted(man['files']) == sorted(p.name for p in out.iterdir() if p.name != '.gmm_em.json')
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['run_id'] == man['run_id']
    np.load(out / 'labels.npy')   # complete, readable
    return man['run_id']


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    from gmm_em.data import make_example
    p = tmp_path_factory.mktemp('big') / 'big.npy'
    np.save(p, make_example(300_000)[0])
    return p


def _start(big, out, *more):
    return subprocess.Popen(['gmm_em_cli', '--n_clusters', '4', '--data_path', str(big), '--proba', '--tol', '0', '--max_iter', '40',
                             '--output_dir', str(out), '--quiet', *more], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize('sig, delay', [(signal.SIGKILL, 0.4), (signal.SIGKILL, 1.2), (signal.SIGTERM, 0.8), (signal.SIGHUP, 0.8)])
def test_killed_run_leaves_the_old_set_or_the_new_one(tmp_path, big, sig, delay):
    out = tmp_path / 'out'
    assert subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--output_dir', str(out), '--quiet'], timeout=120).returncode == 0
    first = _set_of(out)
    p = _start(big, out)
    time.sleep(delay); p.send_signal(sig); p.wait(timeout=60)
    assert _set_of(out) in (first, None) or (out / 'proba.npy').exists()   # the old set, or (if it ended first) the whole new one
    if sig != signal.SIGKILL:    # a catchable signal cleans up at once
        assert [q.name for q in tmp_path.iterdir()] == ['out'] and p.returncode in (0, 130), p.stderr
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '3', '--output_dir', str(out), '--quiet'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert [q.name for q in tmp_path.iterdir()] == ['out']    # the dead run's staging folder is gone
    assert _set_of(out) != first and not (out / 'proba.npy').exists()


def test_concurrent_run_into_the_same_folder_is_refused(tmp_path, big):
    out = tmp_path / 'out'
    p = _start(big, out)
    for _ in range(200):    # wait until the first run holds the folder
        if out.exists() and list(tmp_path.glob('.out.gmm_em-*')): break
        time.sleep(0.02)
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--output_dir', str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'another gmm_em_cli run' in r.stderr, r.stderr
    assert p.wait(timeout=300) == 0, p.stderr.read()
    _set_of(out)
    assert (out / 'proba.npy').exists() and [q.name for q in tmp_path.iterdir()] == ['out']


def test_a_folder_with_other_files_is_never_replaced(tmp_path):
    work = tmp_path / 'work'; work.mkdir(); (work / 'notes.txt').write_text('mine')
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--output_dir', str(work)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'did not write (notes.txt)' in r.stderr, r.stderr
    assert [q.name for q in work.iterdir()] == ['notes.txt'] and r.stdout == ''


def test_gif_to_an_unwritable_place_fails_before_the_fit(tmp_path):
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--gif', '/proc/a.gif', '--output_dir', str(tmp_path / 'o')],
                       capture_output=True, text=True, timeout=60)   # /proc: no one may create files there, not even root
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'not writable' in r.stderr, r.stderr
    assert not (tmp_path / 'o').exists() and r.stdout == ''


def test_every_run_replaces_the_whole_set(tmp_path):
    "A --model run into a search's folder, and a run without --gif after one with it, leave only their own files."
    out = tmp_path / 'o'
    run = lambda *a: subprocess.run(['gmm_em_cli', *map(str, a), '--output_dir', str(out), '--quiet'], capture_output=True, text=True, timeout=120)
    assert run('--find_num_clusters_range', 1, 3, '--gif', 'mine.gif').returncode == 0
    assert {'selection.csv', 'bic.png', 'mine.gif'} <= {q.name for q in out.iterdir()}
    np.save(tmp_path / 'x.npy', np.random.default_rng(0).normal(size=(50, 2)))
    r = run('--model', out / 'model.npz', '--data_path', tmp_path / 'x.npy')
    assert r.returncode == 0, r.stderr
    assert {q.name for q in out.iterdir()} == {'.gmm_em.json', 'summary.json', 'labels.npy', 'loglik.npy', 'model.npz'}
    assert run('--n_clusters', 2).returncode == 0 and not (out / 'mine.gif').exists() and not (out / 'loglik.npy').exists()


def test_a_link_to_the_output_folder_is_kept(tmp_path):
    (tmp_path / 'real').mkdir(); (tmp_path / 'link').symlink_to(tmp_path / 'real')
    for k in ('2', '3'):
        r = subprocess.run(['gmm_em_cli', '--n_clusters', k, '--output_dir', str(tmp_path / 'link'), '--quiet'], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    assert (tmp_path / 'link').is_symlink() and sorted(q.name for q in tmp_path.iterdir()) == ['link', 'real']
    assert json.loads((tmp_path / 'link' / 'summary.json').read_text())['n_clusters'] == 3
