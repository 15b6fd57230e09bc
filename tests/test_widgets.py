"The explorer without a browser: what it shows after each slider move, one fit per k, iteration moves never refit."
import matplotlib
matplotlib.use('Agg')
import numpy as np
import pytest
import ipywidgets as widgets
from gmm_em.core import GaussianMixture
from gmm_em.data import make_example
from gmm_em.widgets import Explorer


@pytest.fixture(scope='module')
def X(): return make_example()[0]


@pytest.fixture
def ex(X): return Explorer(X, range(1, 9), k=4)


def _shows(ex, k, t):
    "The picture's title and the status line name k, the iteration and its log-likelihood from the recorded history."
    h = ex.models[k].history_
    ll = h.log_likelihood[t]
    assert (ex.k, ex.t, ex.t_slider.max) == (k, t, h.n_iter)
    short = f"{ll:.4f}" if abs(ll) < 1e4 else f"{ll:.6g}"     # long numbers in short
    assert ex.title == f"iteration {t}/{h.n_iter} · k = {k} · log-likelihood {short}"
    assert ex.status.startswith(f"k={k} · iteration {t}/{h.n_iter} · log-likelihood {ll:.4f} · BIC {ex.bics[k]:.1f}")


def test_first_view_is_the_final_fit(X, ex):
    gm = GaussianMixture(4, random_state=0, init_params='k-means++').fit(X)
    assert ex.fit_count == 1 and sorted(ex.models) == [4]
    np.testing.assert_array_equal(ex.history.log_likelihood, gm.history_.log_likelihood)
    assert ex.bics[4] == pytest.approx(gm.bic(X), rel=1e-9)
    _shows(ex, 4, gm.history_.n_iter)
    assert ex.png.startswith(b'\x89PNG\r\n\x1a\n')


def test_iteration_moves_draw_from_history(X, ex, monkeypatch):
    def no_fit(*a, **kw): raise AssertionError("moving the iteration slider must not fit")
    monkeypatch.setattr(GaussianMixture, 'fit', no_fit)
    pictures = {ex.t: ex.png}
    for t in range(ex.history.n_iter - 1, -1, -1):
        ex.t_slider.value = t
        _shows(ex, 4, t)
        pictures[t] = ex.png
    assert len(set(pictures.values())) == len(pictures)        # every iteration its own picture
    assert ex.fit_count == 1


def test_k_change_sets_range_and_fits_once(ex):
    ex.t_slider.value = 2
    ex.k_slider.value = 5
    assert ex.fit_count == 2 and sorted(ex.models) == [4, 5]
    _shows(ex, 5, ex.models[5].history_.n_iter)                  # a new k shows its fit, at the end
    ex.k_slider.value = 4
    assert ex.fit_count == 2                                     # k = 4 from the cache
    _shows(ex, 4, ex.models[4].history_.n_iter)
    for k in (5, 4, 5, 7, 5):
        ex.k_slider.value = k
    assert ex.fit_count == 3 and sorted(ex.models) == [4, 5, 7]
    assert ex.t_slider.max == ex.models[5].n_iter_


def test_k_change_lands_on_the_final_iteration(X):
    ex = Explorer(X, range(1, 9), k=8)
    ex.t_slider.value = 2
    for k in (1, 5, 8):                                          # whatever iteration was shown: the new k's final one
        ex.k_slider.value = k
        _shows(ex, k, ex.history.n_iter)
        assert ex.play.max == ex.t_slider.max == ex.history.n_iter and ex.play.value == ex.t


def test_opens_at_the_best_k_by_the_criterion(X):
    for crit in ('bic', 'aic', 'icl'):
        ex = Explorer(X, range(1, 7), criterion=crit)
        assert ex.fit_count == 6 and ex.k == min(ex.bics, key=ex.bics.get) and ex.t == ex.history.n_iter
        assert ex.bic_ax.get_ylabel() == crit.upper() and ex.bic_ax.get_title() == f'{crit.upper()} (lower is better)'
        assert crit.upper() in ex.status
    assert Explorer(X, range(1, 7)).k == 4                       # the example's four clusters
    with pytest.raises(ValueError, match='criterion'): Explorer(X, range(1, 3), criterion='loglik')


def test_one_redraw_per_k_change(ex, monkeypatch):
    calls = []
    draw = Explorer.draw
    monkeypatch.setattr(Explorer, 'draw', lambda self, new_k=False: (calls.append(new_k), draw(self, new_k)))
    ex.t_slider.value = 1
    ex.k_slider.value = 2
    ex.k_slider.value = 6
    assert calls == [False, True, True]


def test_prefit_and_bic_panel(X):
    ex = Explorer(X, range(1, 9), k=4, prefit=True)
    assert ex.fit_count == 8 and min(ex.bics, key=ex.bics.get) == 4
    xs, ys = ex.bic_ax.lines[0].get_data()
    assert list(xs) == list(range(1, 9)) and np.allclose(ys, [ex.bics[k] for k in range(1, 9)])
    ex.k_slider.value = 6
    assert ex.bic_ax.lines[1].get_data()[0][0] == 6 and ex.fit_count == 8


def test_options_and_errors(X):
    ex = Explorer(X, [2, 3, 5], k=2, covariance_type='spherical', init_params='kmeans', tol=1e-5)
    assert isinstance(ex.k_slider, widgets.SelectionSlider) and ex.k == 2
    ex.k_slider.value = 5
    assert ex.model.covariance_type == 'spherical' and ex.model.tol == 1e-5 and ex.fit_count == 2
    assert isinstance(Explorer(X, range(2, 9, 2), k=2).k_slider, widgets.IntSlider)
    with pytest.raises(ValueError, match="not in k_range"): Explorer(X, range(1, 4), k=5)
    with pytest.raises(ValueError, match="empty"): Explorer(X, [])
    with pytest.raises(ValueError, match="exceeds"): Explorer(X[:3], range(1, 5))
    with pytest.raises(ValueError, match="covariance_type"): Explorer(X, range(1, 3), covariance_type='round')
    with pytest.raises(TypeError): Explorer(X, range(1, 3), no_such_param=1)
    short = Explorer(X, [3], max_iter=1)
    assert short.status.endswith('stopped at max_iter') and short.t_slider.max == 1


def test_npy_file_and_more_features(tmp_path, X):
    p = tmp_path/'x.npy'
    np.save(p, np.c_[X, np.random.default_rng(0).standard_normal(len(X))])
    ex = Explorer(p, range(2, 5), k=3)
    assert ex.ax.get_xlabel().startswith('PC1') and ex.k == 3
    ex.t_slider.value = 0
    assert ex.title.startswith('iteration 0/')


def test_mclust_pictures_in_the_explorer(ex):
    before = ex.png
    for view in ('uncertainty', 'density'):
        ex.view.value = view
        assert ex.title == f"{view} · iteration {ex.t}/{ex.history.n_iter} · k = 4" and ex.png != before
        ex.t_slider.value = 1
        assert ex.title == f"{view} · iteration 1/{ex.history.n_iter} · k = 4"
        ex.k_slider.value = 5
        assert ex.title.startswith(f"{view} · iteration {ex.history.n_iter}/") and ex.fit_count == 2
        ex.k_slider.value = 4
    ex.view.value = 'classification'
    _shows(ex, 4, ex.history.n_iter)
    ex.t_slider.value = 2
    _shows(ex, 4, 2)


def test_widget_layout(ex):
    assert ex.widget.children[1] is ex.view and ex.widget.children[2] is ex.label and ex.widget.children[3] is ex.image
    assert ex.k_slider in ex.widget.children[0].children and ex.t_slider in ex.widget.children[0].children
    assert 'gmm-em-status' in ex.label._dom_classes
    assert 'application/vnd.jupyter.widget-view+json' in ex._repr_mimebundle_()


def test_iteration_moves_update_the_artists_in_place(ex):
    "An iteration move recolours the same points and moves the same ellipses and markers: nothing is redrawn from scratch (bench/bench_explorer.py times it: about 65 ms a move on the example)."
    pts, means, ells = ex._state.points, ex._state.means, [e for es in ex._state.ellipses for e in es]
    n_art = (len(ex.ax.collections), len(ex.ax.patches), len(ex.ll_ax.lines))
    for t in (0, 2, ex.history.n_iter):
        ex.t_slider.value = t
        assert ex._state.points is pts and ex._state.means is means and [e for es in ex._state.ellipses for e in es] == ells
        assert (len(ex.ax.collections), len(ex.ax.patches), len(ex.ll_ax.lines)) == n_art
