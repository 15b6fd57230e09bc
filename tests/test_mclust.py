"""Model choice against R's mclust 6.0 on its own datasets (fixtures written by tests/fixtures/mclust/make_fixtures.R;
no R needed). `gmm_em_cli --find_num_clusters_range 1 9 --covariance_type auto --seed S` runs this very search."""
import json, subprocess
from functools import lru_cache
from pathlib import Path
import numpy as np
import pytest
from gmm_em.selection import search

FIX = Path(__file__).parent/'fixtures'/'mclust'
REF = json.loads((FIX/'mclust_reference.json').read_text())['datasets']
MAIN = [k for k, v in REF.items() if v.get('main')]
MODEL = {'full': 'VVV', 'tied': 'EEE', 'diag': 'VVI', 'spherical': 'VII'}

def load(name): return np.loadtxt(FIX/'data'/f'{name}.csv', delimiter=',', skiprows=1, ndmin=2)

def mclust_name(ct, d): return ('E' if ct == 'tied' else 'V') if d == 1 else MODEL[ct]

@lru_cache(maxsize=None)
def run(name, seed):
    return search(load(name), range(1, 10), 'auto', random_state=seed)

def test_main_datasets():
    assert sorted(MAIN) == ['acidity', 'banknote', 'diabetes', 'faithful', 'iris']

@pytest.mark.parametrize('seed', range(5))
@pytest.mark.parametrize('name', MAIN)
def test_choice_as_good_as_mclust(name, seed):
    "The chosen model's BIC is at most mclust's best (sign flipped) + 0.5, and it is not degenerate."
    res, ref = run(name, seed), REF[name]
    best = res.best_row
    assert best['bic'] <= -ref['best']['bic'] + 0.5, (best, ref['best'])
    assert not best['degenerate'] and not res.best.degenerate_

def test_cells_reach_mclust():
    "Over the five datasets and seeds 0-4, the log-likelihood is at least mclust's - 0.01 in at least 95% of the cells mclust fits."
    ok = total = 0
    for name in MAIN:
        n, d = REF[name]['n'], REF[name]['d']
        mcl = {(c['model'], c['k']): c['loglik'] for c in REF[name]['cells'] if c['loglik'] is not None}
        for seed in range(5):
            for r in run(name, seed).rows:
                ll = mcl.get((mclust_name(r['covariance_type'], d), r['k']))
                if ll is None: continue
                total += 1; ok += r['log_likelihood']*n >= ll - 0.01
    assert total >= 790 and ok/total >= 0.95, (ok, total)

def test_icl_is_mclusts():
    "ICL at mclust's optimum equals mclust's ICL (sign flipped), where both reached the same log-likelihood."
    res, ref = run('faithful', 0), REF['faithful']
    mcl = {(c['model'], c['k']): c for c in ref['cells']}
    n, close = ref['n'], 0
    for r in res.rows:
        c = mcl[(MODEL[r['covariance_type']], r['k'])]
        if abs(r['log_likelihood']*n - c['loglik']) < 5e-3:   # the same optimum, as far as mclust went
            close += 1
            assert abs(r['icl'] + c['icl']) < 0.05, (r, c)
    assert close >= 6

def test_degenerate_cells_are_skipped():
    "EuroUnemployment (31 x 3): mclust has NA for VVV with 5..9 components; here they are degenerate and never chosen."
    res = run('EuroUnemployment', 0)
    full = {r['k']: r['degenerate'] for r in res.rows if r['covariance_type'] == 'full'}
    assert all(full[k] for k in range(6, 10)) and not any(full[k] for k in range(1, 4))
    assert not res.best_row['degenerate']
    assert res.best_row['bic'] <= -REF['EuroUnemployment']['best']['bic'] + 0.5

@pytest.mark.parametrize('name', ['iris', 'diabetes'])
def test_units_do_not_matter(name):
    "Scaling columns by 1e-4 and 1e4: the same choice, log-likelihoods that differ by the Jacobian only."
    X = load(name)
    n, d = X.shape
    s = np.ones(d); s[0], s[-1] = 1e-4, 1e4
    types = ('full', 'tied', 'diag')
    a, b = search(X, range(1, 10), types, random_state=1), search(X*s, range(1, 10), types, random_state=1)
    assert (a.best_row['k'], a.best_row['covariance_type']) == (b.best_row['k'], b.best_row['covariance_type'])
    la, lb = a.column('log_likelihood'), b.column('log_likelihood')
    np.testing.assert_allclose(lb + np.log(s).sum(), la, rtol=0, atol=1e-7)

def test_cli_matches_api(tmp_path):
    "The CLI's search is this search: same choice and BIC, and the fixtures' data as a .npy file."
    X = load('faithful'); np.save(tmp_path/'f.npy', X)
    r = subprocess.run(['gmm_em_cli', '--data_path', str(tmp_path/'f.npy'), '--find_num_clusters_range', '1', '9', '--covariance_type', 'auto',
                        '--output_dir', str(tmp_path/'o'), '--quiet'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path/'o'/'summary.json').read_text())
    best = run('faithful', 0).best_row
    assert (s['n_clusters'], s['covariance_type']) == (best['k'], best['covariance_type']) == (3, 'tied')
    assert abs(s['bic'] - best['bic']) < 1e-6 and s['warnings'] == [] and s['degenerate'] == []

def test_files_and_dask_search_as_arrays(tmp_path):
    "A search on a .npy file and on a Dask array gives the array's table (summation order aside)."
    da = pytest.importorskip('dask.array')
    X = load('diabetes'); np.save(tmp_path/'d.npy', X)
    a = search(X, range(1, 5), 'auto', random_state=0)
    for src in (str(tmp_path/'d.npy'), da.from_array(X, chunks=50)):
        b = search(src, range(1, 5), 'auto', random_state=0)
        np.testing.assert_allclose(b.column('log_likelihood'), a.column('log_likelihood'), rtol=1e-9)
        assert b.best_row['k'] == a.best_row['k']
