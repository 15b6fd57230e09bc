"""Model choice against R mclust: per-cell log-likelihoods, the chosen (model, k), and CPU time.

Reads the fixtures written by tests/fixtures/mclust/make_fixtures.R (no R needed) and runs `search(X, 1..9, 'auto')`
for each dataset and seed, as `gmm_em_cli --find_num_clusters_range 1 9 --covariance_type auto --seed S` does.

    python bench/bench_selection.py                 # the five main datasets, seeds 0-4
    python bench/bench_selection.py --all --seeds 0 # every fixture dataset, seed 0
    python bench/bench_selection.py --models all    # mclust's fourteen models, against mclust's default Mclust(X)
                                                    # (make_default_fixture.R): faithful, iris, diabetes, banknote
    python bench/bench_selection.py --models all --all --seeds 0

With `--models all` the reference is mclust's default choice over its fourteen models (mclust_default.json): the
choice's BIC must be at most mclust's best + 0.5 and not degenerate; the CPU time is set beside mclust's.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
from gmm_em.selection import search

FIX = Path(__file__).resolve().parent.parent/'tests'/'fixtures'/'mclust'
MODEL = {'full': 'VVV', 'tied': 'EEE', 'diag': 'VVI', 'spherical': 'VII'}
MODEL_1D = {'full': 'V', 'tied': 'E', 'diag': 'V', 'spherical': 'V'}

def load(name):
    "The data of one fixture dataset."
    X = np.loadtxt(FIX/'data'/f'{name}.csv', delimiter=',', skiprows=1, ndmin=2)
    return X

def reference():
    return json.loads((FIX/'mclust_reference.json').read_text())['datasets']

def compare(name, ref, seed, **kw):
    "One search against mclust: `(cells_ok, cells, choice_ok, bic_gap, cpu_seconds, best)`."
    X = load(name)
    n, d = X.shape
    t0 = time.process_time()
    res = search(X, range(1, 10), 'auto', random_state=seed, **kw)
    cpu = time.process_time() - t0
    mcl = {(c['model'], c['k']): c for c in ref['cells']}
    ok = tot = 0
    worst = []
    for r in res.rows:
        c = mcl.get(((MODEL_1D if d == 1 else MODEL)[r['covariance_type']], r['k']))
        if c is None or c['loglik'] is None: continue
        tot += 1
        gap = r['log_likelihood']*n - c['loglik']
        ok += gap >= -0.01
        if gap < -0.01: worst.append((round(gap, 3), r['covariance_type'], r['k']))
    b = res.best_row
    gap = b['bic'] - (-ref['best']['bic'])
    return ok, tot, gap <= 0.5 and not b['degenerate'], gap, cpu, (b['covariance_type'], b['k']), worst

def compare_all(name, ref, seed):
    "One search of mclust's fourteen models against mclust's default `Mclust(X)`: `(choice_ok, bic_gap, cpu_seconds, best)`."
    X = load(name)
    t0 = time.process_time()
    res = search(X, range(1, 10), 'all', random_state=seed)
    cpu = time.process_time() - t0
    b = res.best_row
    gap = b['bic'] + ref['bic']
    return gap <= 0.5 and not b['degenerate'], gap, cpu, (b['covariance_type'], b['k'])

def main_all(a):
    refs = json.loads((FIX/'mclust_default.json').read_text())['datasets']
    names = a.only or [k for k in refs if a.all or k in ('faithful', 'iris', 'diabetes', 'banknote')]
    ok = runs = 0
    print(f"{'dataset':>18} {'n x d':>9} seed choice  {'BIC gap':>8}  ours (mclust)  {'CPU s':>6} {'mclust s':>8}")
    for name in names:
        if name not in refs: print(f"{name:>18} (no mclust reference: {json.loads((FIX/'mclust_default.json').read_text()).get('skipped', '')})"); continue
        ref = refs[name]
        for seed in a.seeds:
            ch, gap, cpu, best = compare_all(name, ref, seed)
            ok += ch; runs += 1
            print(f"{name:>18} {ref['n']:>5}x{ref['d']:<3} {seed:>4} {'yes' if ch else 'NO':>6} {gap:>9.2f}  "
                  f"{best[0]} {best[1]} ({ref['model']} {ref['G']})  {cpu:>6.2f} {ref['cpu']:>8.2f}", flush=True)
    print(f"\nchoices with BIC <= mclust's best + 0.5, not degenerate: {ok}/{runs}")

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--models', choices=['auto', 'all'], default='auto', help="auto: the four types against mclust's VVV/EEE/VVI/VII; all: the fourteen")
    ap.add_argument('--all', action='store_true'); ap.add_argument('--seeds', type=int, nargs='*', default=[0, 1, 2, 3, 4])
    ap.add_argument('--only', nargs='*')
    a = ap.parse_args()
    if a.models == 'all': main_all(a); raise SystemExit
    refs = reference()
    names = a.only or [k for k, v in refs.items() if a.all or v.get('main')]
    T = dict(ok=0, tot=0, choice=0, runs=0)
    print(f"{'dataset':>18} {'n x d':>9} seed {'cells ok':>9} choice  {'BIC gap':>8}  ours (mclust)  {'CPU s':>6} {'mclust s':>8}")
    for name in names:
        ref = refs[name]
        for seed in a.seeds:
            ok, tot, ch, gap, cpu, best, worst = compare(name, ref, seed)
            T['ok'] += ok; T['tot'] += tot; T['choice'] += ch; T['runs'] += 1
            print(f"{name:>18} {ref['n']:>5}x{ref['d']:<3} {seed:>4} {ok:>4}/{tot:<4} {'yes' if ch else 'NO':>6} {gap:>9.2f}  "
                  f"{best[0]} {best[1]} ({ref['best']['model']} {ref['best']['k']})  {cpu:>6.2f} {ref['seconds']:>8.2f}  {worst[:4] if worst else ''}", flush=True)
    print(f"\ncells within 0.01 of mclust's log-likelihood or above: {T['ok']}/{T['tot']} ({100*T['ok']/max(T['tot'],1):.1f}%)")
    print(f"choices with BIC <= mclust's best + 0.5, not degenerate: {T['choice']}/{T['runs']}")
