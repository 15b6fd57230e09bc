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
