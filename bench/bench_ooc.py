"""Out-of-core benchmark: fit a .npy file larger than any sensible memory budget, report time and peak RSS.

    python bench/bench_ooc.py                      # 250M x 2 float64 (4 GB), k=4, 10 EM iterations
    python bench/bench_ooc.py --rows 20_000_000    # a quicker run

The file is generated block by block (four Gaussian clusters) unless it exists. The fit runs in a fresh child
process, which reports its own peak resident set size (`ru_maxrss`): the whole process, numpy and all. The data is
read block by block with `readinto` into one reused buffer (see gmm_em.data.NpyFileSource); a memory map would keep
every page it touched resident.
"""
import argparse, json, os, subprocess, sys, time
import numpy as np

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np
from gmm_em.core import GaussianMixture
path, k, iters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    g = GaussianMixture(k, max_iter=iters, tol=0, random_state=0).fit(path)
wall = time.perf_counter() - t0
print(json.dumps(dict(wall=wall, n_iter=g.n_iter_, iteration_seconds=g.iteration_seconds_,
                      loglik=float(g.history_.log_likelihood[-1]), weights=g.weights_.round(4).tolist(),
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''


def make_file(path, rows, d=2, block=5_000_000, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[-6., -3.], [0., 5.], [6., -2.], [1., -8.]])[:, :d]
    with open(path, 'wb') as f:
        np.lib.format.write_array_header_1_0(f, {'descr': '<f8', 'fortran_order': False, 'shape': (rows, d)})
        for a in range(0, rows, block):
            m = min(block, rows - a)
            (centres[rng.integers(4, size=m)] + rng.standard_normal((m, d))).tofile(f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rows', type=int, default=250_000_000)
    p.add_argument('--k', type=int, default=4)
    p.add_argument('--max_iter', type=int, default=10)
    p.add_argument('--path', default=None, help='where the big .npy goes (default: /tmp/gmm_em_ooc_<rows>.npy)')
    p.add_argument('--keep', action='store_true', help='keep the generated file')
    a = p.parse_args()
    path = a.path or f'/tmp/gmm_em_ooc_{a.rows}.npy'
    if not os.path.exists(path):
        t = time.perf_counter(); make_file(path, a.rows)
        print(f"generated {path} ({os.path.getsize(path) / 2**30:.2f} GiB) in {time.perf_counter() - t:.1f} s", flush=True)
    try:
        r = subprocess.run([sys.executable, '-c', CHILD, path, str(a.k), str(a.max_iter)], capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr)
        res = json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        if not a.keep and a.path is None: os.unlink(path)
    its = np.array(res['iteration_seconds'])
    size = a.rows * 2 * 8 / 2**30
    print(f"\n| data | k | EM iterations | wall (incl. validation, init, final pass) | s / iteration (median) | peak RSS |")
    print(f"|---|---|---|---|---|---|")
    print(f"| {a.rows:,} x 2 float64 ({size:.2f} GiB) | {a.k} | {res['n_iter']} | {res['wall']:.1f} s | "
          f"{np.median(its):.2f} s | {res['peak_rss_mb']:.0f} MiB |")
    print(f"\nfinal log-likelihood/sample {res['loglik']:.5f}, weights {res['weights']}")


if __name__ == '__main__':
    main()
