"BIC search recovers the true number of well separated clusters."
import warnings
import numpy as np
import pytest
from gmm_em.selection import search


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('d,k_true', [(1, 3), (2, 5), (4, 3)])
def test_bic_recovers_true_k(seed, d, k_true):
    rng = np.random.default_rng(seed)
    centres = rng.permutation(np.arange(k_true))[:, None] * 12.0 + rng.normal(0, 0.5, size=(k_true, d))
    n = 400 * k_true
    X = centres[rng.integers(k_true, size=n)] + rng.normal(size=(n, d))
    res = search(X, range(1, 8), random_state=seed, n_init=2)
    assert res.best.n_components == k_true
    bics = res.column('bic')
    assert np.argmin(bics) == k_true - 1 and len(bics) == 7


def test_auto_search_picks_the_generating_family():
    "Spherical clusters: the spherical model wins BIC, with the true k."
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0]], float)
    X = centres[rng.integers(3, size=3000)] + rng.normal(size=(3000, 3))
    res = search(X, range(2, 6), covariance_types='auto', random_state=0)
    assert (res.best_row['k'], res.best_row['covariance_type']) == (3, 'spherical')
    assert len(res.rows) == 16


def test_constant_feature_is_named_and_one_feature_searches_two_models(tmp_path):
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=(300, 2)) + np.repeat([[0, 0], [6, 6]], 150, axis=0), np.full(300, 5.0)]
    res = search(X, range(1, 4), 'auto', random_state=0)
    assert any('feature 2 is constant' in w for w in res.warnings)
    assert all(r['degenerate'] for r in res.rows if r['covariance_type'] != 'spherical')
    res.to_csv(tmp_path / 's.csv')
    import csv
    rows = list(csv.DictReader(open(tmp_path / 's.csv')))
    assert all(r['bic'] == '' for r in rows if r['degenerate']) and all(r['bic'] for r in rows if not r['degenerate'])
    one = search(X[:, :1], range(1, 4), 'auto', random_state=0)      # mclust's E and V
    assert one.covariance_types == ['full', 'tied'] and one.best_row['k'] == 2


def test_no_model_with_more_parameters_than_numbers():
    "Many one-row components of a tied model on 31 rows: degenerate, never chosen."
    rng = np.random.default_rng(1)
    X = rng.normal(size=(31, 3))
    res = search(X, range(1, 29), 'tied', random_state=0)
    from gmm_em.covariance import n_parameters
    for r in res.rows:
        if n_parameters(r['k'], 3, 'tied') >= 93: assert r['degenerate']
    assert n_parameters(res.best_row['k'], 3, 'tied') < 93


def test_focused_search_stops_at_focus_tol():
    "A search of mclust's fourteen models stops EM at FOCUS_TOL unless tol is given; the four-model search keeps 1e-7."
    from gmm_em.selection import FOCUS_TOL, SEARCH_DEFAULTS
    X = np.random.default_rng(0).normal(size=(200, 2))*[1, 3]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert search(X, [1, 2], 'all', random_state=0).best.tol == FOCUS_TOL
        assert search(X, [1, 2], 'all', random_state=0, tol=1e-8).best.tol == 1e-8
        assert search(X, [1, 2], 'auto', random_state=0).best.tol == SEARCH_DEFAULTS['tol']
        assert search(X[:, :1], [1, 2], 'all', random_state=0).best.tol == FOCUS_TOL   # one feature: 'all' is E and V, still focused

def test_squarem_step_is_bounded():
    "SQUAREM's step length stays within [-longest, -1]; unbounded it is -|r|/|v|, and the point it gives is a valid mixture."
    from gmm_em.core import GaussianMixture, _squarem
    X = np.random.default_rng(1).normal(size=(300, 2))*[1, 3]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        h = GaussianMixture(3, covariance_type='VVE', max_iter=3, tol=0, random_state=0).fit(X).history_
    ps = [(h.weights[i], h.means[i], h.covariances[i]) for i in range(3)]
    q, a = _squarem(*ps, 'VVE')
    assert a < -1.5
    q2, a2 = _squarem(*ps, 'VVE', longest=1.5)
    assert a2 == -1.5 and np.isclose(q2[0].sum(), 1) and (np.linalg.eigvalsh(q2[2]) > 0).all()
    assert _squarem(*ps, 'VVE', longest=1.)[0] is None   # a step of -1 is plain EM: no point
