"GIFs of a fit: frame count, the last frame is the final model, atomic writes; drawing every covariance type."
import os
import matplotlib
matplotlib.use('Agg')
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from gmm_em.core import FitHistory, GaussianMixture
from gmm_em.data import make_example
from gmm_em.plot import animate_history, draw_state, plot_data, plot_fit, select_frames


@pytest.fixture(scope='module')
def fitted():
    "A fit from a poor start (every component near the centre, with the data's covariance): a few dozen iterations."
    X, _ = make_example()
    start = dict(weights_init=np.full(4, 0.25), means_init=X.mean(0) + np.random.default_rng(2).standard_normal((4, 2)),
                 precisions_init=np.tile(np.linalg.inv(np.cov(X.T)), (4, 1, 1)))
    return X, GaussianMixture(4, tol=1e-6, **start).fit(X)


def test_gif_frame_count(fitted, tmp_path):
    X, gm = fitted
    T = len(gm.history_)
    res = animate_history(X, gm.history_, tmp_path/'fit.gif')
    with Image.open(res.path) as im: assert im.n_frames == res.n_frames == min(T, 60)
    res = animate_history(X, gm.history_, tmp_path/'short.gif', max_frames=7)
    with Image.open(res.path) as im: assert im.n_frames == 7
    assert res.frames[0] == 0 and res.frames[-1] == T - 1
    assert list(res.frames) == list(select_frames(T, 7))


def test_gif_default_fit(tmp_path):
    "The default fit on the example data (k-means start) converges fast: one frame per history entry."
    X, _ = make_example()
    gm = GaussianMixture(4, random_state=0).fit(X)
    res = animate_history(X, gm.history_, tmp_path/'clusters.gif')
    with Image.open(res.path) as im: assert im.n_frames == len(gm.history_)


def test_last_frame_is_final_model(fitted, tmp_path):
    X, gm = fitted
    h = gm.history_
    res = animate_history(X, h, tmp_path/'fit.gif', max_frames=5)
    last = res.titles[-1]
    assert last.startswith(f"iteration {h.n_iter}/{h.n_iter} ") and 'k = 4' in last
    assert f"log-likelihood {h.log_likelihood[-1]:.4f}" in last
    assert np.isclose(h.log_likelihood[-1], gm.score(X))                 # the final entry is the fitted model


def test_same_seed_same_file(fitted, tmp_path):
    X, gm = fitted
    a = animate_history(X, gm.history_, tmp_path/'a.gif', max_frames=4, seed=3, max_points=500)
    b = animate_history(X, gm.history_, tmp_path/'b.gif', max_frames=4, seed=3, max_points=500)
    assert a.path.read_bytes() == b.path.read_bytes()


def test_atomic_write_on_failure(fitted, tmp_path):
    X, gm = fitted
    h = gm.history_
    cov = h.covariances.copy(); cov[-1] = np.nan          # an ill-defined last entry: fails on the last frame
    bad = FitHistory(h.covariance_type, h.weights, h.means, cov, h.log_likelihood)
    with pytest.raises(ValueError, match='ill-defined'): animate_history(X, bad, tmp_path/'new.gif')
    assert os.listdir(tmp_path) == []
    (tmp_path/'old.gif').write_bytes(b'old')
    with pytest.raises(ValueError): animate_history(X, bad, tmp_path/'old.gif', max_frames=3)
    assert os.listdir(tmp_path) == ['old.gif'] and (tmp_path/'old.gif').read_bytes() == b'old'


@pytest.mark.parametrize('ct', ['full', 'tied', 'diag', 'spherical'])
def test_every_covariance_type(ct):
    X, _ = make_example()
    gm = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    ax = Figure().subplots()
    a = plot_fit(gm, X, ax=ax)
    assert a is ax and len(ax.patches) == 3*3
    for j, row in enumerate(draw_state(ax, X, gm.history_).ellipses):
        assert np.allclose(row[0].center, gm.means_[j])


def test_subsample_bounded_and_pca():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50_000, 4))*[3., 2., .1, .1]
    d = plot_data(X, max_points=1000, seed=1)
    assert d.xy.shape == (1000, 2) and d.proj.labels[0].startswith('PC1')
    assert np.array_equal(d.rows, plot_data(X, max_points=1000, seed=1).rows)
