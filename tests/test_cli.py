"gmm_em_cli end to end, through a subprocess as a user runs it."
import json, os, subprocess, sys
import numpy as np
import pytest
from gmm_em.core import GaussianMixture
from gmm_em.data import make_example


def cli(*args, cwd=None):
    return subprocess.run(['gmm_em_cli', *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_first_command_just_works(tmp_path):
    "No data path: the built-in example, and a range search picks its true k = 4."
    r = cli('--find_num_clusters_range', 2, 10, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'built-in example' in r.stdout and '<- best' in r.stdout
    out = tmp_path / 'gmm_em_results'
    s = json.loads((out / 'summary.json').read_text())
    assert s['n_clusters'] == 4 and s['mode'] == 'search' and s['n_samples'] == 2000 and s['n_features'] == 2
    for key in ['n_clusters', 'covariance_type', 'log_likelihood', 'bic', 'aic', 'n_iter', 'converged',
                'n_samples', 'n_features', 'seconds']:
        assert key in s
    rows = (out / 'selection.csv').read_text().splitlines()
    assert rows[0].startswith('k,covariance_type,log_likelihood,bic,aic') and len(rows) == 10
    assert (out / 'bic.png').read_bytes()[:4] == b'\x89PNG'
    X = make_example()[0]
    m = GaussianMixture.load(out / 'model.npz')
    labels = np.load(out / 'labels.npy')
    assert labels.dtype == np.int64 and labels.shape == (2000,)
    np.testing.assert_array_equal(labels, m.predict(X))
    assert abs(m.score(X) - s['log_likelihood']) < 1e-12
    assert abs(m.bic(X) - s['bic']) < 1e-6 * abs(s['bic'])
    assert [p.name for p in out.iterdir() if p.name.startswith('.')] == ['.gmm_em.json']      # the manifest, no staging left
    assert json.loads((out / '.gmm_em.json').read_text())['files'] == sorted(p.name for p in out.iterdir() if p.name != '.gmm_em.json')
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.parametrize('ct', ['full', 'tied', 'diag', 'spherical'])
def test_fit_npy_file(tmp_path, ct):
    X = np.random.default_rng(0).normal(size=(500, 3)).astype(np.float32)
    X[250:] += 6
    np.save(tmp_path / 'x.npy', X)
    r = cli('--n_clusters', 2, '--data_path', tmp_path / 'x.npy', '--covariance_type', ct,
            '--output_dir', tmp_path / 'out', '--quiet')
    assert r.returncode == 0 and r.stdout == '' and r.stderr == '', r.stderr
    s = json.loads((tmp_path / 'out' / 'summary.json').read_text())
    assert s['covariance_type'] == ct and s['n_samples'] == 500 and s['n_features'] == 3
    labels = np.load(tmp_path / 'out' / 'labels.npy')
    assert len(set(labels[:250])) == 1 and len(set(labels[250:])) == 1 and labels[0] != labels[-1]
    assert not (tmp_path / 'out' / 'bic.png').exists()


def test_one_dimensional_file_is_one_feature(tmp_path):
    np.save(tmp_path / 'x.npy', np.r_[np.zeros(100), np.ones(100) * 10] + np.random.default_rng(0).normal(size=200))
    r = cli('--n_clusters', 2, '--data_path', tmp_path / 'x.npy', '--output_dir', tmp_path / 'o')
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / 'o' / 'summary.json').read_text())['n_features'] == 1


def test_not_converged_is_said(tmp_path):
    r = cli('--n_clusters', 6, '--max_iter', 1, '--tol', 0, '--output_dir', tmp_path / 'o')
    assert r.returncode == 0 and 'did NOT converge' in r.stdout and 'Warning' not in r.stderr
    assert json.loads((tmp_path / 'o' / 'summary.json').read_text())['converged'] is False


def _bad_files(d):
    np.save(d / 'obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
    np.save(d / 'str.npy', np.array([['a', 'b'], ['c', 'd']]))
    np.save(d / 'cplx.npy', np.ones((5, 2), dtype=complex))
    nan = np.ones((50, 2)); nan[37, 1] = np.nan; np.save(d / 'nan.npy', nan)
    inf = np.ones((50, 2)); inf[3, 0] = np.inf; np.save(d / 'inf.npy', inf)
    np.save(d / 'zero_d.npy', np.array(1.0))
    np.save(d / 'three_d.npy', np.ones((4, 3, 2)))
    np.save(d / 'empty.npy', np.ones((0, 2)))
    np.save(d / 'small.npy', np.ones((3, 2)))
    np.save(d / 'ok.npy', np.random.default_rng(0).normal(size=(40, 2)))
    (d / 'text.npy').write_text('1,2\n3,4\n')
    np.savez(d / 'arch.npz', a=np.ones(3))
    (d / 'trunc.npy').write_bytes((d / 'ok.npy').read_bytes()[:200])


BAD = [
    (['--n_clusters', 2, '--data_path', 'missing.npy'], 'no such file'),
    (['--n_clusters', 2, '--data_path', 'text.npy'], 'not a .npy file'),
    (['--n_clusters', 2, '--data_path', 'arch.npz'], '.npz'),
    (['--n_clusters', 2, '--data_path', 'trunc.npy'], 'truncated'),
    (['--n_clusters', 2, '--data_path', 'obj.npy'], 'Python objects'),
    (['--n_clusters', 2, '--data_path', 'str.npy'], 'numeric'),
    (['--n_clusters', 2, '--data_path', 'cplx.npy'], 'numeric'),
    (['--n_clusters', 2, '--data_path', 'nan.npy'], 'row 37'),
    (['--n_clusters', 2, '--data_path', 'inf.npy'], 'row 3'),
    (['--n_clusters', 2, '--data_path', 'zero_d.npy'], '0-D'),
    (['--n_clusters', 2, '--data_path', 'three_d.npy'], '3-D'),
    (['--n_clusters', 2, '--data_path', 'empty.npy'], 'no rows'),
    (['--n_clusters', 0], '--n_clusters must be >= 1'),
    (['--n_clusters', -3], '--n_clusters must be >= 1'),
    (['--n_clusters', 5, '--data_path', 'small.npy'], 'larger than the number of samples'),
    (['--find_num_clusters_range', 5, 2], 'A <= B'),
    (['--find_num_clusters_range', 0, 2], 'k >= 1'),
    (['--find_num_clusters_range', 4, 6, '--data_path', 'small.npy'], 'more than the number of samples'),
    (['--n_clusters', 2, '--find_num_clusters_range', 2, 3], 'not allowed with'),
    ([], 'required'),
    (['--n_clusters', 2, '--max_iter', 0], '--max_iter must be >= 1'),
    (['--n_clusters', 2, '--tol', -1], '--tol'),
    (['--n_clusters', 2, '--n_init', 0], '--n_init'),
    (['--n_clusters', 2, '--covariance_type', 'round'], 'invalid choice'),
    (['--n_clusters', 'two'], 'invalid int'),
    (['--n_clusters', 2, '--bogus'], 'unknown option --bogus'),
    (['--k', 3], 'unknown option --k'),
    (['--n_clusters', 2, '--output_dir', 'ok.npy'], 'not a directory'),
]


@pytest.mark.parametrize('args,msg', BAD, ids=[' '.join(map(str, a)) or 'nothing' for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, msg):
    _bad_files(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = cli(*args, '--output_dir', tmp_path / 'out', cwd=tmp_path) if '--output_dir' not in args else cli(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.count('\n') == 1 and r.stderr.startswith('gmm_em_cli: error: '), r.stderr
    assert msg in r.stderr, r.stderr
    assert 'Traceback' not in r.stderr and r.stdout == ''
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, not even the output folder


def test_failed_run_keeps_previous_results_intact(tmp_path):
    assert cli('--n_clusters', 3, '--output_dir', tmp_path / 'o', '--quiet').returncode == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / 'o').iterdir()}
    bad = np.ones((10, 2)); bad[5] = np.nan; np.save(tmp_path / 'nan.npy', bad)
    r = cli('--n_clusters', 3, '--data_path', tmp_path / 'nan.npy', '--output_dir', tmp_path / 'o')
    assert r.returncode == 2
    assert {p.name: p.read_bytes() for p in (tmp_path / 'o').iterdir()} == before


@pytest.mark.parametrize('kind', ['duplicates', 'constant_column', 'all_identical'])
def test_degenerate_data_never_nan(tmp_path, kind):
    rng = np.random.default_rng(0)
    X = {'duplicates': np.repeat(rng.normal(size=(5, 2)), 40, axis=0),
         'constant_column': np.c_[rng.normal(size=200), np.full(200, 7.0)],
         'all_identical': np.full((100, 3), 2.5)}[kind]
    np.save(tmp_path / 'x.npy', X)
    for ct in ['full', 'tied', 'diag', 'spherical']:
        r = cli('--find_num_clusters_range', 1, 6, '--data_path', tmp_path / 'x.npy', '--covariance_type', ct,
                '--output_dir', tmp_path / ct, '--quiet')
        assert r.returncode == 0, r.stderr
        m = GaussianMixture.load(tmp_path / ct / 'model.npz')
        for a in [m.weights_, m.means_, m.covariances_, m.precisions_cholesky_]:
            assert np.isfinite(a).all()
        s = json.loads((tmp_path / ct / 'summary.json').read_text())
        assert np.isfinite([s['log_likelihood'], s['bic'], s['aic']]).all()


def test_auto_covariance_search_grid(tmp_path):
    r = cli('--find_num_clusters_range', 2, 6, '--covariance_type', 'auto', '--output_dir', tmp_path / 'o')
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / 'o' / 'selection.csv').read_text().splitlines()[1:]
    assert len(rows) == 5 * 4
    assert {row.split(',')[1] for row in rows} == {'full', 'tied', 'diag', 'spherical'}
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text())
    assert s['n_clusters'] == 4 and s['covariance_types'] == ['full', 'tied', 'diag', 'spherical']
    bics = {(int(r.split(',')[0]), r.split(',')[1]): float(r.split(',')[3]) for r in rows}
    assert min(bics, key=bics.get) == (s['n_clusters'], s['covariance_type'])
    assert (tmp_path / 'o' / 'bic.png').exists()


def test_aic_criterion(tmp_path):
    r = cli('--find_num_clusters_range', 2, 5, '--criterion', 'aic', '--output_dir', tmp_path / 'o', '--quiet')
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text())
    assert s['criterion'] == 'aic' and (tmp_path / 'o' / 'aic.png').exists()
    rows = [l.split(',') for l in (tmp_path / 'o' / 'selection.csv').read_text().splitlines()[1:]]
    assert int(min(rows, key=lambda r: float(r[4]))[0]) == s['n_clusters']


def test_apply_saved_model(tmp_path):
    assert cli('--n_clusters', 4, '--output_dir', tmp_path / 'fit', '--quiet').returncode == 0
    new = make_example(3000, random_state=7)[0]
    np.save(tmp_path / 'new.npy', new)
    r = cli('--model', tmp_path / 'fit' / 'model.npz', '--data_path', tmp_path / 'new.npy', '--output_dir',
            tmp_path / 'out', '--proba')
    assert r.returncode == 0, r.stderr
    m = GaussianMixture.load(tmp_path / 'fit' / 'model.npz')
    np.testing.assert_array_equal(np.load(tmp_path / 'out' / 'labels.npy'), m.predict(new))
    np.testing.assert_array_equal(np.load(tmp_path / 'out' / 'loglik.npy'), m.score_samples(new))
    np.testing.assert_array_equal(np.load(tmp_path / 'out' / 'proba.npy'), m.predict_proba(new))
    s = json.loads((tmp_path / 'out' / 'summary.json').read_text())
    assert s['mode'] == 'apply' and s['n_samples'] == 3000 and abs(s['log_likelihood'] - m.score(new)) < 1e-12


def test_apply_errors(tmp_path):
    assert cli('--n_clusters', 2, '--output_dir', tmp_path / 'fit', '--quiet').returncode == 0
    np.save(tmp_path / 'three.npy', np.ones((10, 3)))
    np.save(tmp_path / 'x.npy', np.ones((10, 2)))
    for model, data, msg in [(tmp_path / 'fit' / 'model.npz', tmp_path / 'three.npy', 'expects 2 features'),
                             (tmp_path / 'x.npy', tmp_path / 'x.npy', 'not a gmm_em model file'),
                             (tmp_path / 'nope.npz', tmp_path / 'x.npy', 'no such file')]:
        r = cli('--model', model, '--data_path', data, '--output_dir', tmp_path / 'out')
        assert r.returncode == 2 and msg in r.stderr and r.stderr.count('\n') == 1, r.stderr
        assert not (tmp_path / 'out').exists()


def _in_terminal(args, cwd):
    "Run the CLI with stdout/stderr on a 100-column pseudo-terminal; return what it showed."
    import fcntl, pty, struct, termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
    p = subprocess.Popen(['gmm_em_cli', *map(str, args)], stdout=slave, stderr=slave, cwd=cwd)
    os.close(slave)
    out = bytearray()
    while True:
        try: chunk = os.read(master, 4096)
        except OSError: break
        if not chunk: break
        out.extend(chunk)
    p.wait(timeout=120); os.close(master)
    return p.returncode, out.decode(errors='replace')


def test_progress_bar_only_on_a_terminal(tmp_path):
    "stderr is a pipe here: no bar. On a terminal the bar shows the search grid and the log-likelihood."
    r = cli('--find_num_clusters_range', 2, 4, '--output_dir', tmp_path / 'a')
    assert r.returncode == 0 and 'loglik' not in r.stderr and 'search' not in r.stderr
    rc, text = _in_terminal(['--find_num_clusters_range', 2, 4, '--covariance_type', 'auto', '--output_dir', 'b'], tmp_path)
    assert rc == 0 and 'search' in text and 'loglik' in text and 'BIC=' in text, text
    rc, text = _in_terminal(['--find_num_clusters_range', 2, 4, '--quiet', '--output_dir', 'c'], tmp_path)
    assert rc == 0 and text.strip() == ''


def test_gif_of_the_fit(tmp_path):
    from PIL import Image
    r = cli('--n_clusters', 4, '--init_params', 'random_from_data', '--seed', 4, '--gif', '--output_dir', tmp_path / 'o')
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text())
    im = Image.open(tmp_path / 'o' / 'clusters.gif')
    assert im.n_frames == s['n_iter'] + 1 == s['gif']['frames']          # one frame per EM iteration, plus the start
    assert 'animation:' in r.stdout
    # a long run is subsampled, first and last kept; a search animates its best model; an absolute path works
    r = cli('--find_num_clusters_range', 3, 5, '--init_params', 'random_from_data', '--seed', 4, '--gif',
            tmp_path / 'elsewhere.gif', '--gif_frames', 5, '--output_dir', tmp_path / 'o2', '--quiet')
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / 'elsewhere.gif').n_frames <= 5
    assert not (tmp_path / 'o2' / 'clusters.gif').exists()
    for args, msg in [(['--gif', 'x.png'], 'must end in .gif'), (['--gif_frames', 1], '--gif_frames'),
                      (['--gif', tmp_path / 'no' / 'dir' / 'a.gif'], 'no such directory')]:
        r = cli('--n_clusters', 2, *args, '--output_dir', tmp_path / 'bad')
        assert r.returncode == 2 and msg in r.stderr, r.stderr
        assert not (tmp_path / 'bad').exists() or not any((tmp_path / 'bad').iterdir())


def test_review_fixes(tmp_path):
    "Cases a first user ran into: huge values, bad folders, gif paths, stale files, ignored options."
    np.save(tmp_path / 'huge.npy', np.random.default_rng(0).normal(size=(3000, 2)) * 1e200)
    r = cli('--n_clusters', 3, '--data_path', tmp_path / 'huge.npy', '--output_dir', tmp_path / 'h')
    assert r.returncode in (0, 2) and 'Traceback' not in r.stderr          # no crash inside k-means
    (tmp_path / 'afile').write_text('x')
    for out in [tmp_path / 'afile' / 'sub', '/proc/gmm_em_not_here']:
        r = cli('--n_clusters', 2, '--output_dir', out)
        assert r.returncode == 2 and r.stderr.count('\n') == 1 and str(out).split('/')[-1] in r.stderr, r.stderr
    r = cli('--n_clusters', 2, '--seed', -1, '--output_dir', tmp_path / 's')
    assert r.returncode == 2 and '--seed' in r.stderr
    np.save(tmp_path / 'one.npy', np.random.default_rng(0).normal(size=200))
    r = cli('--n_clusters', 2, '--data_path', tmp_path / 'one.npy', '--gif', tmp_path / 'x.gif', '--output_dir', tmp_path / 'g')
    assert r.returncode == 2 and 'at least 2 features' in r.stderr and not (tmp_path / 'g').exists()
    (tmp_path / 'sub').mkdir()
    for _ in range(2):   # a gif path with a folder is used as given, twice over
        r = cli('--n_clusters', 3, '--gif', tmp_path / 'sub' / 'x.gif', '--output_dir', tmp_path / 'o', '--quiet')
        assert r.returncode == 0, r.stderr
    assert (tmp_path / 'sub' / 'x.gif').exists() and not [p for p in (tmp_path / 'o').iterdir() if p.suffix == '.gif']
    assert cli('--find_num_clusters_range', 2, 3, '--output_dir', tmp_path / 'o', '--quiet').returncode == 0
    assert (tmp_path / 'o' / 'selection.csv').exists()
    assert cli('--n_clusters', 2, '--output_dir', tmp_path / 'o', '--quiet').returncode == 0
    assert not (tmp_path / 'o' / 'selection.csv').exists() and not (tmp_path / 'o' / 'bic.png').exists()
    for args, msg in [(['--model', tmp_path / 'o' / 'model.npz'], 'needs --data_path'),
                      (['--model', tmp_path / 'o' / 'model.npz', '--data_path', tmp_path / 'one.npy', '--covariance_type', 'diag'], 'would be ignored'),
                      (['--n_clusters', 2, '--criterion', 'aic'], '--criterion chooses'),
                      (['--find_num_clusters_range', 2, 500, '--data_path', tmp_path / 'one.npy'], 'more than the number of samples')]:
        r = cli(*args, '--output_dir', tmp_path / 'bad')
        assert r.returncode == 2 and msg in r.stderr, r.stderr
    assert (tmp_path / 'o' / 'model.npz').exists()
    r = cli('--model', tmp_path / 'o' / 'model.npz', '--data_path', tmp_path / 'huge.npy', '--output_dir', tmp_path / 'o', '--quiet')
    assert (tmp_path / 'o' / 'model.npz').exists()                         # applying a model never removes it


def test_unquoted_glob_and_picture(tmp_path):
    "An unquoted glob (expanded by the shell) gets a hint to quote it; every 2-D fit writes clusters.png."
    for i in range(2): np.save(tmp_path / f'p{i}.npy', np.random.default_rng(i).normal(size=(100, 2)))
    r = subprocess.run('gmm_em_cli --n_clusters 2 --data_path p*.npy', shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and "quote it" in r.stderr and r.stderr.count('\n') == 1, r.stderr
    r = cli('--n_clusters', 2, '--data_path', tmp_path / 'p0.npy', '--output_dir', tmp_path / 'o', '--quiet')
    assert r.returncode == 0 and (tmp_path / 'o' / 'clusters.png').read_bytes()[:4] == b'\x89PNG'
    s = json.loads((tmp_path / 'o' / 'summary.json').read_text())
    assert s['mode'] == 'fit' and 0 < s['fit_seconds'] <= s['seconds']


def test_tol_default_follows_the_search(tmp_path):
    "No --tol: the search's own default (1e-6 over mclust's fourteen models, 1e-7 otherwise), recorded in summary.json."
    from gmm_em.selection import FOCUS_TOL, SEARCH_DEFAULTS
    for ct, tol in [('all', FOCUS_TOL), ('auto', SEARCH_DEFAULTS['tol'])]:
        r = cli('--find_num_clusters_range', 1, 2, '--covariance_type', ct, '--output_dir', tmp_path / ct, '--quiet')
        assert r.returncode == 0, r.stderr
        assert json.loads((tmp_path / ct / 'summary.json').read_text())['tol'] == tol
    r = cli('--n_clusters', 2, '--tol', 1e-5, '--output_dir', tmp_path / 'given', '--quiet')
    assert r.returncode == 0 and json.loads((tmp_path / 'given' / 'summary.json').read_text())['tol'] == 1e-5
