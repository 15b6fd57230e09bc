"""Benchmark gmm_em's EM against scikit-learn's: seconds per EM iteration and log-likelihood agreement.

Run from the repository root:

    python bench/bench_em.py                      # every workload, 5 repeats
    python bench/bench_em.py --quick              # smaller n, a smoke run of a minute or so
    python bench/bench_em.py --workloads W1,W4 --repeats 7

Workloads (points drawn from a k-component Gaussian mixture made with a fixed seed):

    W1   n=1e6, d=2,  k=4    full, tied, diag, spherical
    W2   n=2e5, d=10, k=8    full, tied, diag, spherical
    W3   n=5e4, d=50, k=16   full
    W4   n=1e4, d=2,  k=4    full
    W5   W1 in float32       full (scikit-learn computes in float32; ours GaussianMixture(dtype=np.float32):
                                    float32 arithmetic, float64 sums; its LL is compared with our float64 fit)
    BIC  k=2..10 on n=1e5, d=2 (4 true clusters), end to end: `gmm_em.selection.search` with its defaults (several starts
         per k, neighbours, tol=1e-7) against a loop of scikit-learn's GaussianMixture(k).fit with n_init=1 and n_init=10
         (its defaults otherwise, tol=1e-3); the chosen k and its BIC are printed for each.

Method

* Same start: scikit-learn's own initialisation (k-means, random_state=0), taken from
  `sklearn.mixture.GaussianMixture(max_iter=0).fit(X)`, is passed to both as
  weights_init / means_init / precisions_init, with tol=0 so neither stops early.
  (scikit-learn still runs its `init_params` step before overriding it with the given arrays; we set
  init_params='random_from_data', the cheapest, so that fixed cost stays small. It does not change
  the result.)
* Seconds per iteration = (time of fit with max_iter=N2 - time of fit with max_iter=N1) / (N2 - N1).
  The difference cancels everything that is paid once per fit (input validation, the
  initialisation, the final E-step), leaving the cost of N2 - N1 EM iterations (E-step, M-step,
  log-likelihood) as each library runs them inside `fit`.
* Interleaved: each repeat times ours(N1), ours(N2), sklearn(N1), sklearn(N2), in that order, in
  one process; the table shows the median over repeats of each per-iteration time.
* Log-likelihood agreement: |LL_ours - LL_sklearn| / |LL_sklearn| of `lower_bound_` (mean
  log-likelihood per sample at the last E-step) after N2 iterations from the same start.
* Speed-up = sklearn seconds / ours seconds (above 1: ours is faster).
* Machine floor for W1: median time of one in-place np.exp over n*k float64 values, a lower
  bound on any E-step that evaluates every density.

BLAS threads: by default each library runs as it would for a user (OpenBLAS picks its thread count).
On a small machine shared with other work, multi-threaded BLAS calls on the tall-skinny products of EM
can take many times longer while another process holds a core, so scikit-learn's column in particular
swings between runs; `--blas-threads 1` limits both libraries to one thread for a steadier comparison.
The header says which was used.

BLAS: the kernel OpenBLAS runs (threadpoolctl's `architecture`) and the OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE environment are printed in the header. On machines where those two are set (to
work around older OpenBLAS builds), a current numpy runs slower with them; to benchmark against it,
unset both for the benchmark command only:  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_em.py
"""
from __future__ import annotations
import argparse, importlib, importlib.util, os, platform, statistics, sys, time, warnings
import numpy as np

WORKLOADS = {
    # name: n, d, k, covariance types, dtype, (N1, N2)
    'W1': dict(n=1_000_000, d=2, k=4, covs=('full', 'tied', 'diag', 'spherical'), dtype='float64', iters=(2, 12)),
    'W2': dict(n=200_000, d=10, k=8, covs=('full', 'tied', 'diag', 'spherical'), dtype='float64', iters=(2, 12)),
    'W3': dict(n=50_000, d=50, k=16, covs=('full',), dtype='float64', iters=(2, 12)),
    'W4': dict(n=10_000, d=2, k=4, covs=('full',), dtype='float64', iters=(5, 45)),
    'W5': dict(n=1_000_000, d=2, k=4, covs=('full',), dtype='float32', iters=(2, 12)),
    'BIC': dict(n=100_000, d=2, k=4, covs=('full',), dtype='float64', kmin=2, kmax=10),
}
QUICK_N = {'W1': 100_000, 'W2': 20_000, 'W3': 5_000, 'W4': 10_000, 'W5': 100_000, 'BIC': 10_000}


def make_data(n, d, k, seed=0):
    "n points from a k-component mixture in d dimensions (d=2, k=4: the package's own example)."
    if d == 2 and k == 4:
        from gmm_em.data import make_example
        return make_example(n, random_state=seed)[0]
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=4.0, size=(k, d))
    A = rng.normal(size=(k, d, d))/np.sqrt(d)
    L = np.linalg.cholesky(A @ np.swapaxes(A, 1, 2) + 0.3*np.eye(d))
    w = rng.dirichlet(np.full(k, 5.0))
    y = rng.choice(k, size=n, p=w)
    X = np.empty((n, d))
    for j in range(k):
        idx = np.nonzero(y == j)[0]
        X[idx] = means[j] + rng.standard_normal((len(idx), d)) @ L[j].T
    return X


def blas_info():
    from threadpoolctl import threadpool_info
    env = ', '.join(f"{v}={os.environ[v]}" for v in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE') if v in os.environ) or 'unset'
    libs = '; '.join(f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} threads={i.get('num_threads')}"
                     for i in threadpool_info() if i.get('user_api') == 'blas')
    return f"BLAS: {libs} (OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE: {env})"


def load():
    try: return ' '.join(f"{x:.2f}" for x in os.getloadavg())
    except OSError: return 'n/a'


def timed(f):
    t = time.perf_counter(); r = f(); return time.perf_counter() - t, r


def sk_start(X, k, ct):
    "scikit-learn's initial (weights, means, precisions) for X."
    from sklearn.mixture import GaussianMixture as SkGM
    s = SkGM(k, covariance_type=ct, max_iter=0, random_state=0).fit(X)
    # float64 for both, weights renormalised: float32 weights from a float32 fit sum to 1 only within
    # float32 rounding, too loose for the float64 check (1e-8) once converted.
    w = s.weights_.astype(np.float64)
    return dict(weights_init=w/w.sum(), means_init=s.means_.astype(np.float64),
                precisions_init=s.precisions_.astype(np.float64))


def per_iteration(X, k, ct, iters, repeats, block_rows=None):
    "Median seconds per iteration (ours, sklearn), and both final lower bounds after N2 iterations (float32 X: ours in float32)."
    from sklearn.mixture import GaussianMixture as SkGM
    from gmm_em.core import GaussianMixture
    start = sk_start(X, k, ct)
    N1, N2 = iters
    dt = X.dtype if X.dtype == np.float32 else None
    ours = lambda N: GaussianMixture(k, covariance_type=ct, tol=0., max_iter=N, block_rows=block_rows, dtype=dt, **start).fit(X)
    skl = lambda N: SkGM(k, covariance_type=ct, tol=0., max_iter=N, init_params='random_from_data', **start).fit(X)
    t_ours, t_sk = [], []
    ours(N1); skl(N1)   # warm-up: the process's first large allocations and thread start-up are not an iteration's cost
    for _ in range(repeats):
        b, mo = timed(lambda: ours(N2))
        c, _ = timed(lambda: skl(N1)); e, ms = timed(lambda: skl(N2))
        t_ours.append(statistics.median(mo.iteration_seconds_[1:])); t_sk.append((e - c)/(N2 - N1))
    ref = float(ms.lower_bound_)
    if dt is not None:   # float32: compare with our own float64 fit from the same start
        ref = float(GaussianMixture(k, covariance_type=ct, tol=0., max_iter=N2, **start).fit(X.astype(np.float64)).lower_bound_)
    return statistics.median(t_ours), statistics.median(t_sk), float(mo.lower_bound_), ref


# --- the plain-numpy prototype of issue 14, timed beside the package ------------------------------
_proto_pool = None

def _proto_chunk(Phi, theta, a, e, b):
    "Moments (k, p) and log-likelihood of columns a..e of Phi, in chunks of b."
    k, p = theta.shape
    M, ll = np.zeros((k, p)), 0.
    for s in range(a, e, b):
        F = Phi[:, s:min(s + b, e)]
        L = theta @ F
        mx = L.max(axis=0) + 1.                 # shift by the row maximum + 1: s lies in [1/e, k/e]
        L -= mx; np.maximum(L, -500., out=L)    # clip: exp never takes its slow paths
        np.exp(L, out=L)
        sm = L.sum(axis=0)
        m = len(sm) - len(sm) % 64              # sum of logs = log of products over blocks of 64 rows
        ll += mx.sum() + np.log(sm[:m].reshape(-1, 64).prod(axis=1)).sum() + np.log(sm[m:]).sum()
        L /= sm
        M += L @ F.T
    return M, ll


def prototype_fit(X, k, ct, start, n_iter, reg=1e-6):
    "The issue's prototype: features of the centred data once, chunks on 2 threads (BLAS at 1), fast exp; mean LL at the last E-step, and seconds per iteration (the features excluded)."
    from concurrent.futures import ThreadPoolExecutor
    from threadpoolctl import threadpool_limits
    global _proto_pool
    if _proto_pool is None: _proto_pool = ThreadPoolExecutor(2)
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    full = ct in ('full', 'tied')
    c = X.mean(0); Z = X - c
    iu, ju = np.triu_indices(d)
    Q = Z[:, iu]*Z[:, ju] if full else Z*Z
    Phi = np.ascontiguousarray(np.hstack([Q, Z, np.ones((n, 1))]).T)      # (p, n), computed once
    w, m = start['weights_init'], start['means_init'] - c
    P = start['precisions_init']
    b = max(1024, (1 << 19)//(8*(Phi.shape[0] + k)))
    half = (n//2 + b - 1)//b*b
    t0 = time.perf_counter()
    with threadpool_limits(1, user_api='blas'):
        for _ in range(n_iter):
            Pk = (np.broadcast_to(P, (k, d, d)) if ct == 'tied' else P[:, None]*np.ones(d) if ct == 'spherical' else P)
            if full:
                Pm = np.einsum('kij,kj->ki', Pk, m); ld = 0.5*np.linalg.slogdet(Pk)[1]
                quad = -0.5*Pk[:, iu, ju]*np.where(iu == ju, 1., 2.)
            else:
                Pm = Pk*m; ld = 0.5*np.log(Pk).sum(1); quad = -0.5*Pk
            const = -0.5*(m*Pm).sum(1) + ld - 0.5*d*np.log(2*np.pi) + np.log(w)
            theta = np.ascontiguousarray(np.hstack([quad, Pm, const[:, None]]))
            parts = list(_proto_pool.map(lambda r: _proto_chunk(Phi, theta, r[0], r[1], b), [(0, half), (half, n)]))
            M, ll = parts[0][0] + parts[1][0], parts[0][1] + parts[1][1]
            q = Q.shape[1]
            nk = M[:, -1] + 10*np.finfo(float).eps
            m = M[:, q:q + d]/nk[:, None]
            if full:
                S = np.empty((k, d, d)); S[:, iu, ju] = M[:, :q]; S[:, ju, iu] = M[:, :q]
                C = S/nk[:, None, None] - m[:, :, None]*m[:, None, :]
                if ct == 'tied': C = np.broadcast_to((C*nk[:, None, None]).sum(0)/nk.sum(), C.shape)
                C = C + reg*np.eye(d)
                P = np.linalg.inv(C)
                if ct == 'tied': P = P[0]
            else:
                V = M[:, :d]/nk[:, None] - m**2 + reg
                P = 1/V if ct == 'diag' else 1/V.mean(1)
            w = nk/nk.sum()
    return ll/n, (time.perf_counter() - t0)/n_iter


def per_iteration_proto(X, k, ct, iters, repeats):
    "Median seconds per iteration of the prototype (its iterations timed alone), from scikit-learn's start, and its mean LL after N2 iterations."
    start = sk_start(X, k, ct)
    X = np.asarray(X, dtype=np.float64)
    prototype_fit(X, k, ct, start, iters[0])   # warm-up, as for the others
    runs = [prototype_fit(X, k, ct, start, iters[1]) for _ in range(repeats)]
    return statistics.median(r[1] for r in runs), runs[-1][0]


def feature_cache_mb(n, d, ct, dtype):
    "Megabytes of quadratic features our fit keeps across iterations for this workload (0: none)."
    from gmm_em.core import GaussianMixture
    return GaussianMixture(1, covariance_type=ct, dtype=dtype if dtype == np.float32 else None).feature_cache_bytes(n, d)/2**20


def exp_floor(n, k, repeats):
    a = np.random.default_rng(0).normal(size=n*k)
    ts = []
    for _ in range(max(repeats, 5)):
        b = a.copy(); t, _ = timed(lambda: np.exp(b, out=b)); ts.append(t)
    return statistics.median(ts)


def bic_search(X, kmin, kmax, repeats):
    "End-to-end seconds of a BIC search k=kmin..kmax: ours (`search`'s defaults), scikit-learn with n_init=1 and with n_init=10; best k and BIC of each."
    from sklearn.mixture import GaussianMixture as SkGM
    from gmm_em.selection import search
    ks = range(kmin, kmax + 1)

    def ours():
        r = search(X, ks, random_state=0)
        return int(r.best_row['k']), r.best_row['bic']

    def skl(n_init):
        def f():
            fits = [SkGM(k, n_init=n_init, random_state=0).fit(X) for k in ks]
            bics = [m.bic(X) for m in fits]
            return list(ks)[int(np.argmin(bics))], min(bics)
        return f

    t = {'ours': [], 'sk1': [], 'sk10': []}
    for _ in range(repeats):
        for name, f in (('ours', ours), ('sk1', skl(1)), ('sk10', skl(10))):
            sec, res = timed(f); t[name].append(sec); t[name + '_best'] = res
    return {k: (statistics.median(v) if isinstance(v, list) else v) for k, v in t.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--quick', action='store_true', help='smaller n for a smoke run')
    p.add_argument('--repeats', type=int, default=5, help='repeats per measurement (median taken; default 5)')
    p.add_argument('--workloads', default=','.join(WORKLOADS), help='comma-separated, e.g. W1,W4 (default: all)')
    p.add_argument('--blas-threads', type=int, default=None, metavar='N',
                   help='limit BLAS/OpenMP to N threads for the whole run, both libraries (default: leave as is)')
    p.add_argument('--block-rows', type=int, default=None, metavar='N', help="ours: GaussianMixture(block_rows=N) (default: the package's)")
    a = p.parse_args(argv)
    names = [w.strip() for w in a.workloads.split(',') if w.strip()]
    bad = [w for w in names if w not in WORKLOADS]
    if bad: p.error(f"unknown workloads {bad}; choose from {', '.join(WORKLOADS)}")
    if a.repeats < 1: p.error('--repeats must be >= 1')
    if a.blas_threads:
        import scipy.linalg, sklearn.mixture, gmm_em.core   # load every BLAS first, so the limit reaches them all
        from threadpoolctl import threadpool_limits
        _limits = threadpool_limits(a.blas_threads)   # kept for the whole run
    warnings.simplefilter('ignore')   # ConvergenceWarning: tol=0 never converges, on purpose

    import sklearn, gmm_em
    print(f"gmm_em {gmm_em.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(blas_info())
    if a.block_rows: print(f"ours uses block_rows={a.block_rows}")
    print(f"repeats={a.repeats}{' (quick: smaller n)' if a.quick else ''}; load average {load()}\n", flush=True)

    rows, notes = [], []
    for name in names:
        w = dict(WORKLOADS[name])
        if a.quick: w['n'] = QUICK_N[name]
        n, d, k = w['n'], w['d'], w['k']
        X64 = make_data(n, d, k)
        if name == 'BIC':
            r = bic_search(X64, w['kmin'], w['kmax'], a.repeats)
            (ko, bo), (k1, b1), (k10, b10) = r['ours_best'], r['sk1_best'], r['sk10_best']
            note = f"best k (BIC): ours {ko} ({bo:.1f}), sklearn n_init=1 {k1} ({b1:.1f}), n_init=10 {k10} ({b10:.1f})"
            rows.append((f"BIC k={w['kmin']}..{w['kmax']}", 'full', 'float64', f"{n:g}x{d}", r['ours'], r['sk1'], None, note + ' (vs n_init=1)'))
            rows.append((f"BIC k={w['kmin']}..{w['kmax']}", 'full', 'float64', f"{n:g}x{d}", r['ours'], r['sk10'], None, 'vs scikit-learn n_init=10'))
            print(f"{name:4} end to end: ours {r['ours']:.3f} s, sklearn n_init=1 {r['sk1']:.3f} s, n_init=10 {r['sk10']:.3f} s; {note}", flush=True)
            continue
        X = X64.astype(w['dtype'])
        for ct in w['covs']:
            to, ts, llo, lls = per_iteration(X, k, ct, w['iters'], a.repeats, a.block_rows)
            tp, _ = per_iteration_proto(X, k, ct, w['iters'], a.repeats)
            rel = abs(llo - lls)/abs(lls)
            cache = feature_cache_mb(n, d, ct, X.dtype)
            note = 'both float32; LL diff: ours float32 vs ours float64' if w['dtype'] == 'float32' else ''
            rows.append((name, ct, w['dtype'], f"{n:g}x{d}, k={k}", to, ts, rel, note, tp, cache))
            print(f"{name:4} {ct:9} {w['dtype']}: ours {to*1e3:9.2f} ms/iter, prototype {tp*1e3:9.2f}, sklearn {ts*1e3:9.2f}; "
                  f"speed-up {ts/to:6.2f}x (prototype {ts/tp:6.2f}x), ours/prototype {to/tp:.2f}, feature cache {cache:.3g} MB, "
                  f"rel LL diff {rel:.1e} after {w['iters'][1]} iterations {note}", flush=True)
            if name == 'W1' and ct == 'full': w1 = to
        if name == 'W1':
            fl = exp_floor(n, k, a.repeats)
            notes.append(f"Machine floor for W1: one np.exp over n*k = {n*k:g} float64 values takes {fl*1e3:.2f} ms; "
                         f"W1 full takes {w1/fl:.1f} times that.")
            print(notes[-1], flush=True)

    print("\n| workload | covariance | dtype | n x d, k | ours s/iter | prototype s/iter | sklearn s/iter | speed-up (prototype's) | ours / prototype | feature cache | rel. LL diff | note |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, ct, dt, shape, to, ts, rel, note, *more in rows:
        if rel is None:
            print(f"| {name} | {ct} | {dt} | {shape} | {to:.4g} s total | | {ts:.4g} s total | {ts/to:.2f}x | | | — | {note} |")
            continue
        tp, cache = more
        print(f"| {name} | {ct} | {dt} | {shape} | {to:.4g} | {tp:.4g} | {ts:.4g} | {ts/to:.2f}x ({ts/tp:.2f}x) | {to/tp:.2f} | "
              f"{f'{cache:.3g} MB' if cache else 'none'} | {rel:.1e} | {note} |")
    for nt in notes: print(f"\n{nt}")
    import resource
    print(f"\nPeak resident memory of this run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB.")
    print(f"\n{blas_info()}; median of {a.repeats} interleaved repeats; speed-up = sklearn time / ours; "
          f"load average at the end {load()} (other work on the machine inflates both columns).")


if __name__ == '__main__':
    main()
