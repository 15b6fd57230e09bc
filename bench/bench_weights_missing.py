"""Cost per EM iteration of weighted rows and of missing values, against the plain fit on the same data, side by side in one run.

    python bench/bench_weights_missing.py            # n = 1e6 x 5, k = 4, 10% of entries missing
    python bench/bench_weights_missing.py --n 200000

Each fit starts from the same parameters (a short complete-data fit) and runs a fixed number of iterations (tol=0);
the figure is the median over repeats of the median seconds per iteration (`iteration_seconds_`, which leaves out the
one-off set-up such as grouping rows by their pattern of missing coordinates).
"""
import argparse, statistics, warnings
import numpy as np
from gmm_em.core import GaussianMixture


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=1_000_000); p.add_argument('--d', type=int, default=5); p.add_argument('--k', type=int, default=4)
    p.add_argument('--missing', type=float, default=0.10); p.add_argument('--repeats', type=int, default=3); p.add_argument('--iters', type=int, default=10)
    a = p.parse_args()
    warnings.simplefilter('ignore')
    rng = np.random.default_rng(0)
    C = rng.uniform(-8, 8, (a.k, a.d))
    X = C[rng.integers(0, a.k, a.n)] + rng.normal(size=(a.n, a.d))*rng.uniform(0.5, 2, a.d)   # issue 14's recipe
    Xm = X.copy(); Xm[rng.random(X.shape) < a.missing] = np.nan
    w = rng.integers(0, 4, a.n).astype(float)
    g0 = GaussianMixture(a.k, max_iter=2, random_state=0).fit(X)
    start = dict(weights_init=g0.weights_, means_init=g0.means_, precisions_init=g0.precisions_, tol=0, max_iter=a.iters)
    runs = {'complete data': lambda: GaussianMixture(a.k, **start).fit(X),
            'weighted rows': lambda: GaussianMixture(a.k, **start).fit(X, sample_weight=w),
            f'{a.missing:.0%} missing (nan_policy=omit)': lambda: GaussianMixture(a.k, nan_policy='omit', **start).fit(Xm)}
    t = {name: [] for name in runs}
    for _ in range(a.repeats):
        for name, f in runs.items(): t[name].append(statistics.median(f().iteration_seconds_[1:]))
    base = statistics.median(t['complete data'])
    print(f"n = {a.n:,} x {a.d}, k = {a.k}; {(~np.isnan(Xm).any(axis=1)).mean():.0%} of rows complete; median of {a.repeats} repeats\n")
    print("| fit | ms / iteration | vs complete data |\n|---|---:|---:|")
    for name in runs: print(f"| {name} | {statistics.median(t[name])*1e3:.1f} | {statistics.median(t[name])/base:.2f}x |")


if __name__ == '__main__':
    main()
