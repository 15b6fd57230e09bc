"""The model choice against R's mclust on datasets beyond its own: small and awkward data from base R and MASS, and
single columns, pairs and triples of columns of every fixture dataset (fixtures written by tests/fixtures/mclust/make_more_fixture.R,
make_onedim_fixture.R and make_subsets_fixture.R; no R needed). `gmm_em_cli --find_num_clusters_range 1 9
--covariance_type all` (or `auto`) runs this very search."""
import json, warnings
from pathlib import Path
import numpy as np
import pytest
from gmm_em.selection import search

FIX = Path(__file__).parent/'fixtures'/'mclust'
REF = json.loads((FIX/'mclust_more.json').read_text())['datasets']
# mclust's choice for women (15 x 2) is EEV k=4 with a component of 1.2 rows: degenerate by our rules (an orientation of
# its own needs 2 rows), and no other model comes within 0.5 of its BIC (ours: 5.1 higher)
DEGENERATE_FOR_US = {('women', 'all')}

def load(name): return np.loadtxt(FIX/'more'/f'{name}.csv', delimiter=',', skiprows=1, ndmin=2)

def check_choice(X, ref, models='all'):
    "The search's choice has a BIC at most mclust's best over the same models (`ref['bic']`, mclust's sign) + 0.5, and is not degenerate."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        best = search(X, range(1, 10), models, random_state=0).best_row
    assert best['bic'] <= -ref['bic'] + 0.5, (best['k'], best['covariance_type'], best['bic'], ref)
    assert not best['degenerate']

@pytest.mark.parametrize('models', ['all', 'auto'])
@pytest.mark.parametrize('name', sorted(REF))
def test_choice_as_good_as_mclust(name, models):
    "The chosen model's BIC is at most mclust's best over the same models (sign flipped) + 0.5, and it is not degenerate."
    if (name, models) in DEGENERATE_FOR_US: pytest.xfail("mclust's choice is degenerate by our rules")
    check_choice(load(name), REF[name][models], models)


def columns(key):
    "Columns `path:j` or `path:i-j` of a fixture dataset, rows with a missing value dropped (R's na.omit)."
    path, cols = key.rsplit(':', 1)
    X = np.loadtxt(FIX/f'{path}.csv', delimiter=',', skiprows=1, ndmin=2)
    return X[~np.isnan(X).any(axis=1)][:, [int(c) for c in cols.split('-')]]

# One feature: single columns of every fixture dataset (tests/fixtures/mclust/make_onedim_fixture.R), many of them tied
ONEDIM = json.loads((FIX/'mclust_onedim.json').read_text())['columns']

@pytest.mark.parametrize('key', sorted(ONEDIM))
def test_one_feature_choice_as_good_as_mclust(key):
    "For one feature ('all' is E and V): the chosen model's BIC is at most mclust's best + 0.5, and it is not degenerate."
    X = columns(key)
    assert len(X) == ONEDIM[key]['n']
    check_choice(X, ONEDIM[key])


# Two and three features: pairs and triples of columns of every fixture dataset (make_subsets_fixture.R), many of them tied
SUBSETS = json.loads((FIX/'mclust_subsets.json').read_text())
KNOWN = {
    # mclust's EEV k=6 has a component of 1.97 rows: degenerate by our rules (an orientation of its own needs 2 rows);
    # ours, EEV k=6 too, has every component at 2 rows or more and a BIC 1.6 higher
    'data/EuroUnemployment:0-2': "mclust's choice is degenerate by our rules",
    # mclust's VEI k=7 (48 rows; perm takes a handful of values): plain EM from mclust's start reaches it here too, but
    # the accelerated run of the search ends at another optimum of that cell (BIC 3.4 above mclust's choice)
    'data/rock:0-3': "a local optimum the search misses",
    # mclust's VEV k=9 on 32 rows (12 and 15 BIC below ours): mclust iterates the VEV M-step to convergence at every EM
    # step; we do one inner iteration (ECM, covariance.INNER_MAX), which ends elsewhere (5 inner iterations find better
    # optima than mclust's, but cost 5 to 15% more time from 1,000 rows on)
    'more/mtcars:0-2-4': "a local optimum the search misses", 'more/mtcars:0-2-5': "a local optimum the search misses",
}

@pytest.mark.parametrize('key', [f'{kind}/{key}' for kind in ('pairs', 'triples') for key in sorted(SUBSETS[kind])])
def test_subset_choice_as_good_as_mclust(key):
    "For two and three features, all fourteen models: the chosen model's BIC is at most mclust's best + 0.5, and it is not degenerate."
    kind, key = key.split('/', 1)
    if key in KNOWN: pytest.xfail(KNOWN[key])
    X, ref = columns(key), SUBSETS[kind][key]
    assert len(X) == ref['n']
    check_choice(X, ref)


# Still more: every numeric data frame of base R's datasets and MASS not in the fixtures above, and a few single columns
# (tests/fixtures/mclust/make_extra_fixture.R)
EXTRA = json.loads((FIX/'mclust_extra.json').read_text())
# mclust's choice for leuk (33 x 2) is VEV k=7 with a component of 2 rows whose variance is at the reg_covar floor in one
# direction: degenerate by our rules (ours: EVI k=3, 8.3 higher)
EXTRA_DEGENERATE_FOR_US = {'leuk.csv'}

@pytest.mark.parametrize('name', sorted(EXTRA))
def test_extra_choice_as_good_as_mclust(name):
    "All fourteen models: the chosen model's BIC is at most mclust's best + 0.5, and it is not degenerate."
    if name in EXTRA_DEGENERATE_FOR_US: pytest.xfail("mclust's choice is degenerate by our rules")
    X = np.loadtxt(FIX/'extra'/name, delimiter=',', skiprows=1, ndmin=2)
    assert X.shape == (EXTRA[name]['n'], EXTRA[name]['d'])
    check_choice(X, EXTRA[name])
