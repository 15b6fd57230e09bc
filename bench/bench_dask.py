"""Dask benchmark: the same fit in memory and on Dask, time per EM iteration and the ratio.

    python bench/bench_dask.py                  # 10M x 2, k=4, 10 iterations, from the same start
    python bench/bench_dask.py --rows 2_000_000

Three runs of one model from one start (explicit weights/means/precisions, tol=0): a numpy array in memory; a
Dask array (1M-row chunks) on the in-process threaded scheduler; the same Dask array on a
`dask.distributed.LocalCluster` of 2 worker processes (the data is persisted on the workers first, as it would be
on a real cluster, so the timing is of EM, not of shipping the array). Prints s/iteration (median), the ratio to
in memory, and the largest relative difference of the parameters.
"""
import argparse, time, warnings
import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rows', type=int, default=10_000_000)
    p.add_argument('--chunk_rows', type=int, default=1_000_000)
    p.add_argument('--max_iter', type=int, default=10)
    a = p.parse_args()
    import dask, dask.array as da
    from dask.distributed import Client, LocalCluster
    from gmm_em.core import GaussianMixture
    rng = np.random.default_rng(0)
    centres = np.array([[-6., -3.], [0., 5.], [6., -2.], [1., -8.]])
    X = centres[rng.integers(4, size=a.rows)] + rng.standard_normal((a.rows, 2))
    warnings.simplefilter('ignore')
    g0 = GaussianMixture(4, max_iter=1, random_state=0).fit(X[:200_000])
    init = dict(weights_init=g0.weights_, means_init=g0.means_, precisions_init=g0.precisions_, tol=0, max_iter=a.max_iter)

    def run(data):
        t = time.perf_counter(); g = GaussianMixture(4, **init).fit(data)
        return g, time.perf_counter() - t, float(np.median(g.iteration_seconds_))

    rows = []
    ref, wall, it = run(X); rows.append(('numpy, in memory', wall, it, 0.0))
    dX = da.from_array(X, chunks=(a.chunk_rows, 2))
    with dask.config.set(scheduler='threads'):
        g, wall, it2 = run(dX)
    rows.append(('Dask array, threads', wall, it2, max(np.max(np.abs(g.means_ - ref.means_) / np.abs(ref.means_)), 0)))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40) as c, Client(c):
        dXp = dX.persist()
        g, wall, it3 = run(dXp)
    rows.append(('Dask LocalCluster, 2 processes', wall, it3, np.max(np.abs(g.means_ - ref.means_) / np.abs(ref.means_))))
    print(f"\n{a.rows:,} x 2 float64, k=4, {a.max_iter} EM iterations from the same start\n")
    print("| where | wall (s) | s / iteration (median) | vs in memory | max rel. diff of means |")
    print("|---|---|---|---|---|")
    for name, wall, its, diff in rows:
        print(f"| {name} | {wall:.2f} | {its:.3f} | {its / it:.2f}x | {diff:.1e} |")


if __name__ == '__main__':
    main()
