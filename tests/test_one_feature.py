"One feature: the lean EM step and SQUAREM coordinates give the general path's numbers; awkward columns (far from 0, extreme scales, ties, outliers) search cleanly."
import warnings
import numpy as np
import pytest
from gmm_em.core import GaussianMixture, _squarem, _extrapolate, LEAN_TIES, SETTLE_AFTER
from gmm_em.data import ArraySource, WeightedSource
from gmm_em.stats import precision_cholesky
from gmm_em.selection import search
from gmm_em.covariance import m_step

RNG = np.random.default_rng(3)
X1 = np.r_[RNG.normal(0, 1, 400), RNG.normal(5, 0.5, 300), RNG.normal(9, 2, 300)][:, None]


def start(k=3, ct='V', seed=0):
    "Parameters after two EM iterations of a `ct` fit of X1."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = GaussianMixture(k, covariance_type=ct, max_iter=2, tol=0, random_state=seed).fit(X1)
    return g, (g.weights_, g.means_, g.covariances_, g.precisions_cholesky_)


def general_step(g, src, p):
    "One pass and M-step by the general path (what `_run` does without the lean step)."
    st = g._pass(src, p[0], p[1], p[3])
    w, m, c = m_step(st, g.covariance_type, g._reg(), prev=p[2])
    return st.ll/src.total_weight, (w, m, c, precision_cholesky(c, 'full'))


@pytest.mark.parametrize('ct', ['E', 'V', 'EEE', 'VVV', 'EVI', 'full'])
@pytest.mark.parametrize('weighted', [False, True])
@pytest.mark.parametrize('rounded', [False, True])
def test_lean_step_is_the_general_step(ct, weighted, rounded):
    "From the same parameters, the same log-likelihood and next parameters; on rounded data (tied values) the lean step sums over the distinct values, weighted by their rows."
    g, p = start(3, ct)
    X = np.round(X1, 1) if rounded else X1
    assert (len(np.unique(X)) < LEAN_TIES*len(X)) == rounded
    src = ArraySource(X)
    if weighted: src = WeightedSource(src, RNG.uniform(0.2, 3, len(X1)))
    lean = g._lean_em(src)
    assert lean is not None
    (ll, q), = lean([p])
    ll0, q0 = general_step(g, src, p)
    assert ll == pytest.approx(ll0, rel=1e-12)
    for a, b in zip(q, q0): np.testing.assert_allclose(a, b, rtol=1e-10)
    if ct[0] == 'E': assert np.ptp(q[2]) <= 1e-12*q[2].max()   # one variance for all


def test_lean_steps_of_several_mixtures_are_each_ones_own():
    "Stacked mixtures normalise their responsibilities within each: the same numbers as one at a time."
    g, p = start(3, 'V')
    ps = [p, start(3, 'V', seed=1)[1], start(3, 'V', seed=2)[1]]
    src = ArraySource(X1)
    together = g._lean_em(src)(ps)
    for p_, (ll, q) in zip(ps, together):
        (ll1, q1), = g._lean_em(src)([p_])
        assert ll == pytest.approx(ll1, rel=1e-12)
        for a, b in zip(q, q1): np.testing.assert_allclose(a, b, rtol=1e-10)


def test_lean_step_hands_over_to_the_exact_path():
    "A component far from the data's mean in units of its own sd: the raw-moment form would lose digits, so the lean step returns None and the fit goes on by the general path's exact form."
    X = np.r_[RNG.normal(0, 1, 500), 1e4 + RNG.normal(0, 1e-3, 20)][:, None]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        g = GaussianMixture(2, covariance_type='V', max_iter=3, tol=0, random_state=0).fit(X)
    p = (g.weights_, g.means_, g.covariances_, g.precisions_cholesky_)
    assert g._lean_em(ArraySource(X))([p]) is None
    assert np.isfinite(g.history_.log_likelihood).all()
    assert sorted(np.round(g.means_[:, 0])) == [0, 1e4]


def test_squarem_for_one_feature_is_the_extrapolation_of_its_coordinates():
    "The point is SQUAREM's in coordinates (log w, mean / sd, standard deviation / sd), computed here directly; E pools the variances again."
    for ct in ('V', 'E'):
        g, p0 = start(3, ct)
        lean = g._lean_em(ArraySource(X1))
        p1 = lean([p0])[0][1]; p2 = lean([p1])[0][1]
        q, a = _squarem(p0, p1, p2, ct, longest=np.inf)
        w0, m0, c0 = p0[0], p0[1][:, 0], p0[2][:, 0, 0]
        s = np.sqrt(w0 @ c0 + w0 @ (m0 - w0 @ m0)**2)
        T = [np.r_[np.log(p[0]), p[1][:, 0]/s, np.sqrt(p[2][:, 0, 0])/s] for p in (p0, p1, p2)]
        r, v = T[1] - T[0], T[2] - 2*T[1] + T[0]
        assert a == pytest.approx(min(-np.linalg.norm(r)/np.linalg.norm(v), -1.))
        t = T[0] - 2*a*r + a*a*v
        w = np.exp(t[:3])/np.exp(t[:3]).sum()
        c = (t[6:]*s)**2
        if ct == 'E': c = np.full(3, (w + 10*np.finfo(float).eps) @ c/(w + 10*np.finfo(float).eps).sum())
        np.testing.assert_allclose(q[0], w, rtol=1e-12)
        np.testing.assert_allclose(q[1][:, 0], t[3:6]*s, rtol=1e-12)
        np.testing.assert_allclose(q[2][:, 0, 0], c, rtol=1e-12)
        np.testing.assert_allclose(q[3], 1/np.sqrt(q[2]), rtol=1e-12)
    assert _extrapolate(T[0], T[1], T[2], 1.)[0] is None   # a step of -1 is EM's own


def test_one_feature_search_agrees_with_the_general_path():
    "The whole 'all' search with the lean step turned off (features not cached) picks the same model and reaches the same log-likelihoods."
    from gmm_em.selection import search
    fast = search(X1, range(1, 6), 'all', random_state=0)
    slow = search(X1, range(1, 6), 'all', random_state=0, cache_bytes=0)
    assert fast.best_row['k'] == slow.best_row['k'] and fast.best_row['covariance_type'] == slow.best_row['covariance_type']
    np.testing.assert_allclose(fast.column('log_likelihood'), slow.column('log_likelihood'), atol=2e-5)


_R = np.random.default_rng(0)
AWKWARD = {   # one feature at its hardest: far from 0, tiny and huge scales, ties, two values, an outlier, heavy tails
    'offset 1e12': 1e12 + _R.normal(size=1000), 'scale 1e-150': 1e-150*_R.normal(size=1000),
    'scale 1e140': 1e140*_R.normal(size=1000), 'rounded': np.round(_R.normal(size=1000), 1),
    'mostly zeros': np.r_[np.zeros(600), _R.normal(size=400)], 'two values': np.r_[np.zeros(500), np.ones(500)],
    'outlier 1e9': np.r_[_R.normal(size=999), 1e9], 'cauchy': _R.standard_cauchy(1000)}

@pytest.mark.parametrize('name', sorted(AWKWARD))
def test_awkward_columns(name):
    "The search runs without a numpy warning, every log-likelihood is finite, and without the lean step (no cached features) the choice is the same."
    X = AWKWARD[name][:, None]
    with warnings.catch_warnings():
        warnings.simplefilter('error', RuntimeWarning)
        warnings.simplefilter('ignore', UserWarning)
        a = search(X, range(1, 7), 'all', random_state=0)
        b = search(X, range(1, 7), 'all', random_state=0, cache_bytes=0)
    assert np.isfinite(a.column('log_likelihood')).all() and np.isfinite(b.column('log_likelihood')).all()
    assert (a.best_row['k'], a.best_row['covariance_type']) == (b.best_row['k'], b.best_row['covariance_type'])


def test_a_slow_crawl_far_below_what_matters_settles():
    "In a search, a run whose pace over the last passes, kept up for `PACE_HORIZON` more, would still leave it below what matters stops after `SETTLE_AFTER` passes; without that bar it runs on."
    def fit(settle_below):
        g = GaussianMixture(7, covariance_type='E', tol=1e-12, max_iter=200, init_params='hc', random_state=0)
        g._settle_below = settle_below
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return g.fit(X1)
    free, settled = fit(-np.inf), fit(0.)   # a mean log-likelihood of 0 per row: far above these data's (about -2)
    assert settled.n_iter_ == SETTLE_AFTER < free.n_iter_
    assert settled.lower_bound_ <= free.lower_bound_
