"""How long the explorer takes per slider move on the built-in example (issue 12: at most 100 ms per iteration move).

    python bench/bench_explorer.py

Times, in Python, one move of the iteration slider (redraw from the fit's history, artists updated in place, PNG
rendered) over every iteration of k = 4, forwards and back, and one move of the k slider (a cached k, drawn afresh).
A browser adds the transfer of the PNG and its display.
"""
import statistics, time
from gmm_em.data import make_example
from gmm_em.widgets import Explorer

ex = Explorer(make_example()[0], range(1, 9), k=4, prefit=True)
T = ex.history.n_iter
its = []
for t in list(range(T - 1, -1, -1)) + list(range(1, T + 1)):
    t0 = time.perf_counter(); ex.t_slider.value = t; its.append(time.perf_counter() - t0)
ks = []
for k in (5, 3, 8, 4, 6, 4):
    t0 = time.perf_counter(); ex.k_slider.value = k; ks.append(time.perf_counter() - t0)
print(f"iteration moves: median {statistics.median(its)*1e3:.0f} ms, max {max(its)*1e3:.0f} ms over {len(its)} moves")
print(f"k moves (cached fits): median {statistics.median(ks)*1e3:.0f} ms, max {max(ks)*1e3:.0f} ms over {len(ks)} moves")
