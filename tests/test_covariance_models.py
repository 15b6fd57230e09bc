"""mclust's fourteen covariance models (`gmm_em.covariance`): their constraints, fixed points and parameter counts against
R's mclust 6.0 (tests/fixtures/mclust/models_reference.json, written by make_models_fixture.R; no R needed), the four that
are scikit-learn's under another name, files and Dask, one feature ('E', 'V'), save/load, search and the CLI over 'all',
and degenerate or constant data. mclust's BIC is minus ours."""
import json, math, subprocess, warnings
from functools import lru_cache
from pathlib import Path
import numpy as np
import pytest
import gmm_em.core as core
from gmm_em import GaussianMixture
from gmm_em.covariance import MCLUST_MODELS, ONE_FEATURE_MODELS, SAME_MODEL, n_parameters, min_rows
from gmm_em.data import DataError, NpyFileSource
from gmm_em.init import full_covariances
from gmm_em.selection import search

FIX = Path(__file__).parent/'fixtures'/'mclust'
REF = json.loads((FIX/'models_reference.json').read_text())
ME, DEFAULT = REF['me'], REF['mclust_default']
RTOL = 1e-8   # the constraints hold to this, relative


def load(name): return np.loadtxt(FIX/'data'/f'{name}.csv', delimiter=',', skiprows=1, ndmin=2)

IRIS, FAITHFUL, ACIDITY = load('iris'), load('faithful'), load('acidity')


def quiet(f, *a, **kw):
    "Call `f` with gmm_em's warnings (convergence, degenerate fits) silenced."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return f(*a, **kw)


@lru_cache(maxsize=None)
def iris_fit(M):
    "Test 1's fit of model M at k = 3 on iris (no regularisation, tight tolerance, mclust's hierarchical start among others)."
    return GaussianMixture(3, covariance_type=M, reg_covar=0, tol=1e-10, max_iter=2000, init_params='multistart',
                           random_state=0).fit(IRIS)


# --- the constraints --------------------------------------------------------------------------------------------------
def _equal(v, what):
    "Rows of `v` (one per component) equal to RTOL relative to the largest entry."
    v = np.asarray(v, dtype=np.float64)
    assert np.abs(v - v[0]).max() <= RTOL*np.abs(v).max(), (what, v)

def check_constraints(C, M):
    "Assert that covariances C (k, d, d) obey mclust model M: volume (1st letter), shape (2nd), orientation (3rd)."
    k, d = C.shape[:2]
    sign, logdet = np.linalg.slogdet(C)
    assert (sign == 1).all(), M
    lam = np.exp(logdet/d)                                      # volumes lambda_k = det^(1/d)
    if M[0] == 'E': _equal(lam, f'{M}: volumes')
    if M[2] == 'I':                                             # diagonal: shape = the diagonal / volume
        off = C*(1 - np.eye(d))
        assert np.abs(off).max() <= RTOL*np.abs(C).max(), (M, 'not diagonal')
        if M[1] == 'E': _equal(np.diagonal(C, axis1=1, axis2=2)/lam[:, None], f'{M}: shapes')
    elif M[2] == 'E':                                           # common axes: all simultaneously diagonalisable
        for i in range(k):                                      # symmetric matrices share eigenvectors iff they commute
            for j in range(i + 1, k):
                comm = C[i] @ C[j] - C[j] @ C[i]
                assert np.linalg.norm(comm) <= RTOL*np.linalg.norm(C[i])*np.linalg.norm(C[j]), (M, 'axes differ', i, j)
        # the axes D: eigenvectors of a generic combination (a repeated eigenvalue of one Sigma_k, or of all of them
        # at once, leaves D free inside that eigenspace; irrational weights keep the combination's eigenvalues apart)
        G = np.einsum('k,kij->ij', (1 + np.sqrt(2)*np.arange(k))/lam, C)
        D = np.linalg.eigh(G)[1]
        B = np.swapaxes(D, 0, 1) @ C @ D
        diag = np.diagonal(B, axis1=1, axis2=2)
        assert (np.abs(B*(1 - np.eye(d))).max(axis=(1, 2)) <= RTOL*np.abs(diag).max(axis=1)).all(), (M, "D'C_k D not diagonal")
        if M[1] == 'E': _equal(diag/lam[:, None], f'{M}: shapes')  # same axes, same eigenvalue on each
    elif M[1] == 'E':                                           # own axes, common shape: the sorted eigenvalues / volume
        _equal(np.linalg.eigvalsh(C)/lam[:, None], f'{M}: shapes')


# --- 1. every model on iris: shapes, constraints, and mclust's fixed point reached -------------------------------------
@pytest.mark.parametrize('M', MCLUST_MODELS)
def test_fit_shapes_and_constraints(M):
    gm = iris_fit(M)
    k, d = 3, 4
    for a in ('covariances_', 'precisions_', 'precisions_cholesky_'):
        assert getattr(gm, a).shape == (k, d, d), a
        assert np.isfinite(getattr(gm, a)).all(), a
    assert gm.weights_.shape == (k,) and gm.means_.shape == (k, d) and gm.converged_ and gm.degenerate_ == []
    C, P, U = gm.covariances_, gm.precisions_, gm.precisions_cholesky_
    np.testing.assert_allclose(np.swapaxes(C, 1, 2), C, rtol=0, atol=0)
    np.testing.assert_allclose(P @ C, np.broadcast_to(np.eye(d), C.shape), rtol=0, atol=1e-10)
    np.testing.assert_allclose(U @ np.swapaxes(U, 1, 2), P, rtol=1e-10, atol=1e-10*np.abs(P).max())
    assert np.abs(np.tril(U, -1)).max() == 0 and (np.diagonal(U, axis1=1, axis2=2) > 0).all()
    check_constraints(C, M)
    assert gm.history_.covariances.shape == (gm.n_iter_ + 1, k, d, d)
    for t in (0, len(gm.history_) - 1):   # the iterates obey the model too (the start is the first M-step's)
        check_constraints(gm.history_.covariances[t], M)


@pytest.mark.parametrize('M', [m for m in MCLUST_MODELS if m != 'VVV'])
def test_constraint_check_is_not_vacuous(M):
    "The unconstrained VVV fit violates every other model's constraints, so `check_constraints` does test something."
    with pytest.raises(AssertionError):
        check_constraints(iris_fit('VVV').covariances_, M)


def loglik_table():
    "(model, ours, mclust's me(), ours - mclust's) for the 14 iris fits."
    n = len(IRIS)
    return [(M, iris_fit(M).score(IRIS)*n, ME['iris']['models'][M]['loglik']) for M in MCLUST_MODELS]

def test_fits_reach_mclust_fixed_points():
    "Our final log-likelihood is at least mclust's me() (from its hierarchical start) - 0.01 for at least 12 of the 14 models."
    rows = loglik_table()
    print('\nmodel       ours       mclust      ours - mclust')
    for M, ours, ref in rows: print(f'{M}  {ours:12.6f} {ref:12.6f} {ours - ref:+12.3g}')
    ok = [M for M, ours, ref in rows if ours >= ref - 0.01]
    assert len(ok) >= 12, rows
    assert all(np.isfinite(ours) for _, ours, _ in rows)


def test_same_optimum_same_parameters():
    "Where our fit ends at mclust's log-likelihood (to 1e-6), the parameters are mclust's (up to the order of the components)."
    same = 0
    for M, ours, ref in loglik_table():
        if abs(ours - ref) > 1e-6: continue
        same += 1
        gm, r = iris_fit(M), ME['iris']['models'][M]
        order = [int(np.argmin(np.abs(gm.means_ - m).sum(1))) for m in np.array(r['mean'])]
        assert sorted(order) == [0, 1, 2], M
        np.testing.assert_allclose(gm.weights_[order], r['pro'], rtol=1e-4, err_msg=M)
        np.testing.assert_allclose(gm.means_[order], r['mean'], rtol=1e-4, err_msg=M)
        np.testing.assert_allclose(gm.covariances_[order], r['sigma'], rtol=1e-3, atol=1e-5, err_msg=M)
    assert same >= 10


# --- 2. the four that are scikit-learn's under another name -------------------------------------------------------------
def label_start(X, labels, k):
    "Weights, means and per-component covariances of a hard partition."
    n = len(X)
    w = np.bincount(labels, minlength=k)/n
    m = np.array([X[labels == j].mean(0) for j in range(k)])
    C = np.array([np.cov(X[labels == j].T, bias=True).reshape(X.shape[1], X.shape[1]) for j in range(k)])
    return w, m, C

def precisions_for(ct, w, C):
    "The precisions a start (w, C) gives model `ct`, in the shape `precisions_init` takes for it."
    k, d = C.shape[:2]
    pooled = np.einsum('k,kij->ij', w, C)
    diag = np.diagonal(C, axis1=1, axis2=2)
    if ct in ('full', 'VVV', 'V'): return np.linalg.inv(C)
    if ct == 'tied': return np.linalg.inv(pooled)
    if ct in ('EEE', 'E'): return np.broadcast_to(np.linalg.inv(pooled), (k, d, d)).copy()
    if ct == 'diag': return 1/diag
    if ct == 'VVI': return (1/diag)[:, :, None]*np.eye(d)
    if ct == 'spherical': return 1/diag.mean(1)
    if ct == 'VII': return (1/diag.mean(1))[:, None, None]*np.eye(d)
    return np.linalg.inv(C)   # any other mclust model: full precisions; the first M-step imposes the constraints

def fit_from(X, ct, w, m, C, **kw):
    k = len(w)
    params = dict(tol=1e-12, max_iter=1000) | kw
    return quiet(GaussianMixture(k, covariance_type=ct, weights_init=w, means_init=m,
                                 precisions_init=precisions_for(ct, w, C), **params).fit, X)

def assert_same_fit(a, b, lb_atol=1e-10, rtol=1e-8):
    k, d = a.means_.shape
    assert abs(a.lower_bound_ - b.lower_bound_) <= lb_atol, (a.lower_bound_, b.lower_bound_)
    Ca, Cb = (full_covariances(g.covariances_, g.covariance_type, k, d) for g in (a, b))
    np.testing.assert_allclose(Ca, Cb, rtol=rtol, atol=rtol*np.abs(Cb).max())
    np.testing.assert_allclose(a.means_, b.means_, rtol=rtol, atol=rtol*np.abs(b.means_).max())
    np.testing.assert_allclose(a.weights_, b.weights_, rtol=rtol, atol=rtol)

@pytest.mark.parametrize('name', ['iris', 'faithful'])
@pytest.mark.parametrize('mclust_name, sklearn_name', list(SAME_MODEL.items()))
def test_same_model_as_sklearn_name(name, mclust_name, sklearn_name):
    "VVV = full, EEE = tied, VVI = diag, VII = spherical: the same EM from the same start."
    X = load(name)
    w, m, C = label_start(X, np.array(ME[name]['start_labels']), 3)
    a, b = fit_from(X, mclust_name, w, m, C), fit_from(X, sklearn_name, w, m, C)
    assert a.covariances_.shape == (3, X.shape[1], X.shape[1])
    assert a.converged_ and b.converged_ and abs(a.n_iter_ - b.n_iter_) <= 1
    assert_same_fit(a, b)
    assert n_parameters(3, X.shape[1], mclust_name) == n_parameters(3, X.shape[1], sklearn_name)
    assert abs(a.bic(X) - b.bic(X)) <= 1e-7


# --- 3. parameter counts and BIC ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', list(ME))
def test_n_parameters_is_nMclustParams(name):
    d = ME[name]['d']
    for M, r in ME[name]['models'].items():
        assert n_parameters(3, d, M) == r['df'], (name, M)

def test_n_parameters_of_mclust_best_models_and_one_feature():
    for name, v in DEFAULT.items():
        b = v['best']
        assert n_parameters(b['G'], v['d'], b['model']) == b['df'], name
    for G in range(1, 10):   # nMclustParams('E', 1, G) = 2G, ('V', 1, G) = 3G - 1
        assert n_parameters(G, 1, 'E') == n_parameters(G, 1, 'tied') == 2*G
        assert n_parameters(G, 1, 'V') == n_parameters(G, 1, 'full') == 3*G - 1

@pytest.mark.parametrize('M', MCLUST_MODELS)
def test_bic_and_aic(M):
    "BIC = -2 log L + nMclustParams log n, AIC = -2 log L + 2 p; at mclust's optimum, minus mclust's BIC."
    gm, r, n = iris_fit(M), ME['iris']['models'][M], len(IRIS)
    ll, p = gm.score(IRIS)*n, n_parameters(3, 4, M)
    assert p == r['df']
    assert gm.bic(IRIS) == pytest.approx(-2*ll + p*math.log(n), rel=1e-12)
    assert gm.aic(IRIS) == pytest.approx(-2*ll + 2*p, rel=1e-12)
    if abs(ll - r['loglik']) < 1e-6:
        assert abs(gm.bic(IRIS) + r['bic']) < 1e-5


# --- 4. files read block by block, and Dask ------------------------------------------------------------------------------
FILE_MODELS = ['VEI', 'EVE', 'VVE', 'EEV', 'EVV']   # three iterative M-steps, two closed forms

@pytest.mark.parametrize('M', FILE_MODELS)
def test_file_and_dask_fits_are_the_in_memory_fit(tmp_path, monkeypatch, M):
    X = IRIS
    np.save(tmp_path/'x.npy', X)
    w, m, C = label_start(X, np.array(ME['iris']['start_labels']), 3)
    kw = dict(tol=1e-10, max_iter=500, init_params='kmeans')
    ref = fit_from(X, M, w, m, C, **kw)
    monkeypatch.setattr(core, 'INIT_SAMPLE_SIZE', 40)   # fewer rows than the file: it stays on disk, read block by block
    reads = []
    blocks = NpyFileSource.blocks
    def spy(self, block_rows, *a, **k):
        for start, b in blocks(self, block_rows, *a, **k):
            reads.append(len(b)); yield start, b
    monkeypatch.setattr(NpyFileSource, 'blocks', spy)
    fits = {'file': fit_from(str(tmp_path/'x.npy'), M, w, m, C, block_rows=37, **kw)}
    assert max(reads) <= 37 and len(reads) >= 5*fits['file'].n_iter_   # five blocks a pass, every pass from the file
    try: import dask.array as da
    except ImportError: da = None
    if da is not None: fits['dask'] = fit_from(da.from_array(X, chunks=(50, 4)), M, w, m, C, **kw)
    for how, b in fits.items():
        assert b.covariances_.shape == (3, 4, 4), how
        assert abs(b.lower_bound_ - ref.lower_bound_) <= 1e-9, (how, b.lower_bound_, ref.lower_bound_)
        np.testing.assert_allclose(b.covariances_, ref.covariances_, rtol=1e-7, atol=1e-7*np.abs(ref.covariances_).max(), err_msg=how)
        np.testing.assert_allclose(b.means_, ref.means_, rtol=1e-7, err_msg=how)
        check_constraints(b.covariances_, M)
    if da is None: pytest.skip('dask is not installed: the file fit was checked, not the Dask one')


# --- 5. one feature: mclust's E and V ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('one, sklearn_name', [('E', 'tied'), ('V', 'full')])
def test_one_feature_models(one, sklearn_name):
    X = ACIDITY
    lab = (X[:, 0] > np.median(X[:, 0])).astype(int)
    w, m, C = label_start(X, lab, 2)
    a, b = fit_from(X, one, w, m, C), fit_from(X, sklearn_name, w, m, C)
    assert a.covariances_.shape == (2, 1, 1) and a.converged_
    assert_same_fit(a, b)
    assert n_parameters(2, 1, one) == n_parameters(2, 1, sklearn_name)
    assert abs(a.bic(X) - b.bic(X)) <= 1e-7
    if one == 'E': assert a.covariances_[0, 0, 0] == pytest.approx(a.covariances_[1, 0, 0], rel=1e-12)
    g = quiet(GaussianMixture(2, covariance_type=one, random_state=0).fit, X)   # its own start too
    assert np.isfinite(g.covariances_).all() and g.covariances_.shape == (2, 1, 1)

@pytest.mark.parametrize('one', ONE_FEATURE_MODELS)
def test_one_feature_model_on_two_features_is_one_line(one):
    with pytest.raises(ValueError) as e:
        GaussianMixture(2, covariance_type=one).fit(FAITHFUL)
    msg = str(e.value)
    assert 'one feature' in msg and '\n' not in msg, msg


# --- 6. save and load --------------------------------------------------------------------------------------------------------
def _eve_file(tmp_path):
    gm = quiet(GaussianMixture(3, covariance_type='EVE', random_state=0).fit, IRIS)
    return gm, gm.save(tmp_path/'eve.npz')

def _rewrite(path, out, change):
    "A copy of model file `path` with `change(arrays, meta)` applied (as tests/test_hostile.py tampers files)."
    with np.load(path, allow_pickle=False) as z: arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop('meta')))
    change(arrays, meta)
    np.savez(out, meta=np.array(json.dumps(meta)), **arrays)
    return out

def _retype(ct): return lambda a, m: m['params'].__setitem__('covariance_type', ct)

def test_save_load_round_trip(tmp_path):
    gm, p = _eve_file(tmp_path)
    g2 = GaussianMixture.load(p)
    assert g2.covariance_type == 'EVE' and g2.covariances_.shape == (3, 4, 4)
    np.testing.assert_array_equal(g2.predict(IRIS), gm.predict(IRIS))
    assert g2.score(IRIS) == gm.score(IRIS) and g2.bic(IRIS) == gm.bic(IRIS)
    np.testing.assert_array_equal(g2.predict_proba(IRIS), gm.predict_proba(IRIS))
    np.testing.assert_array_equal(g2.history_.covariances, gm.history_.covariances)
    check_constraints(g2.covariances_, 'EVE')

@pytest.mark.parametrize('ct', ['XYZ', 'eve', 'E', 'tied', 'diag'])
def test_model_file_with_a_wrong_covariance_type_is_refused(tmp_path, ct):
    "An unknown name, a one-feature model for 4 features, or a type whose arrays have another shape: a one-line DataError."
    _, p = _eve_file(tmp_path)
    bad = _rewrite(p, tmp_path/'bad.npz', _retype(ct))
    with pytest.raises(DataError) as e:
        GaussianMixture.load(bad)
    assert '\n' not in str(e.value)

def test_model_file_relabelled_to_a_narrower_mclust_model_is_refused(tmp_path):
    _, p = _eve_file(tmp_path)
    bad = _rewrite(p, tmp_path/'bad.npz', _retype('EEE'))
    with pytest.raises(DataError):
        GaussianMixture.load(bad)


# --- 7. search over all fourteen -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def faithful_search(): return search(FAITHFUL, range(1, 5), 'all', random_state=0)

def test_search_all_on_faithful():
    res, ref = faithful_search(), DEFAULT['faithful']
    assert sorted((r['k'], r['covariance_type']) for r in res.rows) == sorted((k, M) for k in range(1, 5) for M in MCLUST_MODELS)
    assert res.covariance_types == list(MCLUST_MODELS)
    best = res.best_row
    assert (best['k'], best['covariance_type']) == (3, 'EEE') == (ref['best']['G'], ref['best']['model'])
    assert abs(best['bic'] + ref['best']['bic']) < 0.5, (best['bic'], ref['best']['bic'])
    assert res.best.covariance_type == 'EEE' and not res.best.degenerate_
    for r in res.rows:
        assert not any(math.isnan(r[c]) for c in ('log_likelihood', 'bic', 'aic', 'icl')), r
    mcl = {(g, M): b for g, row in zip(ref['G'], ref['bic']) for M, b in zip(ref['models'], row)}
    reached = sum(r['bic'] <= -mcl[(r['k'], r['covariance_type'])] + 0.5 for r in res.rows if mcl[(r['k'], r['covariance_type'])] is not None)
    assert reached >= 52, reached   # (55 of 56 when written)
    for r in res.rows:   # one component: the models with the same orientation freedom coincide
        if r['k'] == 1 and r['covariance_type'][2] == 'V':
            assert r['log_likelihood'] == pytest.approx(next(s for s in res.rows if (s['k'], s['covariance_type']) == (1, 'VVV'))['log_likelihood'], abs=1e-9)

def test_search_all_on_one_feature_is_E_and_V():
    res = search(ACIDITY, range(1, 4), 'all', random_state=0)
    assert res.covariance_types == ['E', 'V'] and len(res.rows) == 6
    assert not any(math.isnan(r['bic']) for r in res.rows)


# --- 8. the CLI ---------------------------------------------------------------------------------------------------------------------
def cli(*args, cwd=None):
    return subprocess.run(['gmm_em_cli', *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)

def test_cli_search_all(tmp_path):
    np.save(tmp_path/'faithful.npy', FAITHFUL)
    out = tmp_path/'out'
    r = cli('--data_path', tmp_path/'faithful.npy', '--find_num_clusters_range', 1, 4, '--covariance_type', 'all',
            '--output_dir', out, '--seed', 0, '--quiet')
    assert r.returncode == 0, r.stderr
    assert r.stdout == '' and 'Traceback' not in r.stderr
    s = json.loads((out/'summary.json').read_text())
    assert (s['covariance_type'], s['n_clusters']) == ('EEE', 3)
    assert s['covariance_types'] == list(MCLUST_MODELS)
    assert abs(s['bic'] - faithful_search().best_row['bic']) < 1e-6
    rows = (out/'selection.csv').read_text().splitlines()
    assert rows[0].startswith('k,covariance_type,') and len(rows) == 1 + 56
    assert {row.split(',')[1] for row in rows[1:]} == set(MCLUST_MODELS)
    assert (out/'bic.png').read_bytes()[:4] == b'\x89PNG'
    m = GaussianMixture.load(out/'model.npz')
    assert m.covariance_type == 'EEE' and m.covariances_.shape == (3, 2, 2)
    check_constraints(m.covariances_, 'EEE')

def test_cli_unknown_covariance_type_is_one_line(tmp_path):
    np.save(tmp_path/'faithful.npy', FAITHFUL)
    r = cli('--data_path', tmp_path/'faithful.npy', '--find_num_clusters_range', 1, 4, '--covariance_type', 'XYZ',
            '--output_dir', tmp_path/'out', '--seed', 0, '--quiet')
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.count('\n') == 1 and r.stderr.startswith('gmm_em_cli: error: ') and 'XYZ' in r.stderr, r.stderr
    assert 'Traceback' not in r.stderr and r.stdout == '' and not (tmp_path/'out').exists()


# --- 9. the degenerate rules --------------------------------------------------------------------------------------------------------
def _finite(gm):
    return all(np.isfinite(getattr(gm, a)).all() for a in ('weights_', 'means_', 'covariances_', 'precisions_', 'precisions_cholesky_'))

@pytest.mark.parametrize('reg_covar', [1e-6, 0.])
@pytest.mark.parametrize('init', ['kmeans', 'multistart', 'random_from_data'])
@pytest.mark.parametrize('M', ['VEV', 'EVV'])
def test_too_many_components_for_tiny_data(M, init, reg_covar):
    "k = 6 on 12 rows in 3-D: degenerate (more parameters than numbers, components too small), or one clear ValueError; never NaN."
    X = np.random.default_rng(0).normal(size=(12, 3))
    gm = GaussianMixture(6, covariance_type=M, init_params=init, reg_covar=reg_covar, random_state=0)
    try:
        quiet(gm.fit, X)
    except ValueError as e:
        assert '\n' not in str(e) and 'ill-defined' in str(e)
        return
    assert gm.degenerate_ and _finite(gm)
    assert any('free parameters' in r for r in gm.degenerate_)
    assert np.isfinite([gm.score(X), gm.bic(X), gm.lower_bound_]).all()

@pytest.mark.parametrize('M', ['VEV', 'EVV', 'EEV', 'VVV'])
def test_a_component_of_two_rows(M):
    "A component of 2 rows in 3-D: too few for its own shape and orientation (VVV, EVV: min_rows = d + 1 = 4); enough when the shape is shared (VEV, EEV: 2, as mclust fits them)."
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(10, 3)), [[20, 20, 20], [20.5, 20.3, 19.8]]]
    gm = quiet(GaussianMixture(2, covariance_type=M, random_state=0).fit, X)
    flagged = any('holds 2.00 rows' in r and 'needs at least 4' in r for r in gm.degenerate_)
    assert _finite(gm) and flagged == (M in ('EVV', 'VVV')), gm.degenerate_
    assert min_rows(M, 3) == (4 if M in ('EVV', 'VVV') else 2)

def test_search_never_picks_a_degenerate_model():
    X = np.random.default_rng(0).normal(size=(12, 3))
    res = quiet(search, X, range(1, 7), 'all', random_state=0)
    assert not res.best_row['degenerate'] and len(res.rows) == 6*14
    assert all(np.isfinite(r['log_likelihood']) for r in res.rows)
    assert all(r['degenerate'] for r in res.rows if n_parameters(r['k'], 3, r['covariance_type']) >= 36)


# --- 10. never NaN: a constant column ------------------------------------------------------------------------------------------------
def _with_constant_column(scale, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(300, 2)) + np.repeat([[0, 0], [6, 6], [0, 6]], 100, axis=0))*scale
    return np.c_[X, np.full(300, 5.0), rng.normal(size=300)*scale]   # clusters, a constant, noise

@pytest.mark.parametrize('scale', [1e-4, 1., 1e4])
@pytest.mark.parametrize('init', ['kmeans', 'multistart'])
def test_constant_column_gives_finite_parameters(scale, init):
    X = _with_constant_column(scale)
    for M in MCLUST_MODELS:
        for k in (1, 3):
            gm = quiet(GaussianMixture(k, covariance_type=M, init_params=init, random_state=0).fit, X)
            assert _finite(gm), (M, k)
            assert np.isfinite([gm.score(X), gm.bic(X), gm.lower_bound_]).all(), (M, k)
            assert np.isfinite(gm.history_.log_likelihood).all(), (M, k)

def test_constant_column_beside_large_features():
    X = _with_constant_column(1e6)
    ref = quiet(GaussianMixture(1, covariance_type='VVV').fit, X)
    for M in ('EEV', 'VEV'):
        gm = quiet(GaussianMixture(1, covariance_type=M).fit, X)
        assert _finite(gm) and abs(gm.lower_bound_ - ref.lower_bound_) < 1e-8
    res = quiet(search, X, range(1, 4), 'all', random_state=0)
    assert all(np.isfinite(r['log_likelihood']) for r in res.rows)


# --- the target: the all-model search makes mclust's default choice (or a better one) -----------------------------------
@pytest.mark.parametrize('name', ['faithful', 'iris', 'diabetes', 'banknote'])
def test_search_all_matches_mclust_default(name):
    "search(X, 1..9, 'all') (the CLI's --covariance_type all): BIC at most mclust's best (Mclust(X), sign flipped) + 0.5, not degenerate."
    X = load(name)
    res = quiet(search, X, range(1, 10), 'all', random_state=0)
    best = DEFAULT[name]['best']
    assert res.best_row['bic'] <= -best['bic'] + 0.5 and not res.best_row['degenerate'], (res.best_row, best)
    assert len(res.rows) == 9*14 and all(np.isfinite(r['bic']) for r in res.rows)
