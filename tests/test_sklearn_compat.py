"scikit-learn's estimator contract, checked with scikit-learn's own tools (a dev-only dependency)."
import subprocess, sys, warnings
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from gmm_em.core import GaussianMixture
from gmm_em.data import make_example


def _expected_failures(est):
    "A weighted fit equals the fit on repeated rows from the same start (tests/test_weights.py, to 1e-9), but with k > 1 the random start is drawn from other rows, so scikit-learn's check, which compares two random starts, cannot hold."
    return {'check_sample_weight_equivalence_on_dense_data': _expected_failures.__doc__} if est.n_components > 1 else {}


@parametrize_with_checks([GaussianMixture(), GaussianMixture(2, covariance_type='diag', max_iter=20)], expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    "All of scikit-learn's estimator checks (check_array_api_input is skipped by scikit-learn unless SCIPY_ARRAY_API is set)."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(estimator)


def test_clone_pipeline_gridsearch():
    X, _ = make_example()
    gm = GaussianMixture(3, covariance_type='diag', random_state=0)
    c = clone(gm)
    assert c is not gm and c.get_params() == gm.get_params() and not hasattr(c, 'means_')
    pipe = make_pipeline(StandardScaler(), GaussianMixture(4, random_state=0)).fit(X)
    assert pipe.predict(X).shape == (2000,)
    gs = GridSearchCV(GaussianMixture(random_state=0), {'n_components': [1, 2, 3, 4, 5, 6]}, cv=3).fit(X)
    assert gs.best_params_['n_components'] >= 4          # held-out log-likelihood prefers the true 4 or more
    scores = cross_val_score(GaussianMixture(4, random_state=0), X, cv=3)
    assert np.all(np.isfinite(scores)) and scores.mean() > -4.5


def test_not_fitted_error_is_sklearns_when_sklearn_is_loaded():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError, match='not fitted'):
        GaussianMixture(2).predict(np.ones((3, 2)))


def test_package_never_imports_sklearn_nor_dask(tmp_path):
    code = ("import sys, numpy as np\n"
            "import gmm_em, gmm_em.core, gmm_em.selection, gmm_em.cli\n"
            "from gmm_em.data import make_example\n"
            "X = make_example()[0]\n"
            "gm = gmm_em.GaussianMixture(4, random_state=0).fit(X); gm.predict(X)\n"
            "gmm_em.selection.search(X, [2, 3])\n"
            "try: gmm_em.GaussianMixture(2).predict(X)\n"
            "except Exception: pass\n"
            "assert not [m for m in sys.modules if m.startswith('sklearn')], 'sklearn was imported'\n"
            "assert not [m for m in sys.modules if m.startswith('dask')], 'dask was imported without a Dask array'\n")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_float32_data_gives_float32_parameters_and_sklearn_warning():
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
    X = make_example()[0].astype(np.float32)
    with pytest.warns(SkConvergenceWarning, match='did not converge'):
        gm = GaussianMixture(4, max_iter=1, tol=0, random_state=0).fit(X)
    for a in ['weights_', 'means_', 'covariances_', 'precisions_cholesky_', 'precisions_']:
        assert getattr(gm, a).dtype == np.float32
    g64 = GaussianMixture(4, max_iter=1, tol=0, random_state=0).fit(X.astype(np.float64))
    np.testing.assert_allclose(gm.means_, g64.means_, rtol=1e-6)


def test_init_errors_name_the_parameter_as_sklearn():
    X = make_example()[0]
    for kw, msg in [(dict(weights_init=[[0.5], [0.5]]), "The parameter 'weights' should have the shape of (2,)"),
                    (dict(weights_init=[0.2, 0.2]), "The parameter 'weights' should be normalized"),
                    (dict(means_init=np.zeros((3, 2))), "The parameter 'means' should have the shape of (2, 2)"),
                    (dict(precisions_init=-np.ones(2), covariance_type='spherical'), "'spherical precision' should be positive")]:
        with pytest.raises(ValueError, match=msg.replace('(', r'\(').replace(')', r'\)')):
            GaussianMixture(2, **kw).fit(X)
    with pytest.raises(ValueError, match="Invalid value for 'n_samples'"):
        GaussianMixture(2).fit(X).sample(0)
