"""CPU time of the fourteen-model search against mclust's default `Mclust(X)`, side by side in one run.

For every dataset: `search(X, 1..9, 'all')` (what `gmm_em_cli --find_num_clusters_range 1 9 --covariance_type all`
runs) for seeds 0-4, and, where `Rscript` with mclust is installed, five `Mclust(X)` runs in one R process after a
warm-up; both in CPU seconds (medians). The datasets are mclust's with n >= 1,000 (fixtures) and mixtures drawn here
with a fixed seed, in 1 to 10 dimensions, and single columns of the fixtures (`quakes:2` is quakes' third column).

    python bench/bench_all_cost.py              # every dataset
    python bench/bench_all_cost.py --only wreath synthetic-1d-1000
"""
import argparse, json, shutil, subprocess, tempfile, time, warnings
from pathlib import Path
import numpy as np
from gmm_em import init
from gmm_em.selection import search
from bench_selection import FIX, load   # mclust's datasets (fixtures)

FIXTURES = ['wreath', 'chevron', 'quakes', 'GvHD.control', 'GvHD.pos']
COLUMNS = ['quakes:0', 'quakes:2', 'wreath:1', 'chevron:0', 'GvHD.pos:0']   # one feature: a column of a fixture

def mixture(n, d, k, sep, seed=42):
    "n rows of k Gaussian components in d dimensions, centres `sep` apart on average, random covariances."
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(k, d))*sep
    lab = rng.integers(k, size=n)
    A = rng.normal(size=(k, d, d))*0.5 + np.eye(d)
    return c[lab] + np.einsum('nij,nj->ni', A[lab], rng.normal(size=(n, d)))

SYNTHETIC = {'synthetic-1d-1000': (1000, 1, 3, 3), 'synthetic-1d-3000': (3000, 1, 4, 3), 'synthetic-2d-1000': (1000, 2, 4, 3),
             'synthetic-3d-1500': (1500, 3, 3, 3), 'synthetic-5d-1000': (1000, 5, 4, 3), 'synthetic-10d-1000': (1000, 10, 3, 4)}

def data(name):
    if name in SYNTHETIC: return mixture(*SYNTHETIC[name])
    if ':' in name: dataset, j = name.split(':'); return load(dataset)[:, [int(j)]]
    return load(name)

R_SCRIPT = r'''
suppressPackageStartupMessages(library(mclust))
invisible(Mclust(as.matrix(read.csv(file.path("{fix}", "faithful.csv"))), verbose=FALSE))   # warm-up
for (f in commandArgs(TRUE)) {{
  X <- as.matrix(read.csv(f)); ta <- c()
  for (i in 1:5) {{ set.seed(1); t <- system.time(m <- Mclust(X, verbose=FALSE)); ta <- c(ta, t[1] + t[2]) }}
  cat(sprintf('{{"file": "%s", "cpu": %.4f, "bic": %.4f, "model": "%s", "k": %d}}\n', f, median(ta), max(m$bic), m$modelName, m$G))
}}
'''

def mclust_times(sets):
    "`{name: (median CPU seconds of five Mclust(X), mclust's best BIC)}`, or `{}` without R and mclust."
    if shutil.which('Rscript') is None: return {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, X in sets.items():
            files[name] = f = str(Path(tmp)/f"{name.replace(':', '-')}.csv")
            np.savetxt(f, X, delimiter=',', header=','.join(f'x{j}' for j in range(X.shape[1])), comments='')
        script = Path(tmp)/'time.R'; script.write_text(R_SCRIPT.format(fix=FIX/'data'))
        out = subprocess.run(['Rscript', str(script), *files.values()], capture_output=True, text=True)
        if out.returncode: print('Rscript failed:', out.stderr.strip().splitlines()[-1:]); return {}
        rows = {r['file']: r for r in map(json.loads, out.stdout.splitlines())}
        return {name: (rows[f]['cpu'], -rows[f]['bic']) for name, f in files.items() if f in rows}

def ours(X, seeds):
    "Median CPU seconds of the search over `seeds`, and the BIC of its choice (seed 0)."
    ts, bic = [], None
    for s in seeds:
        init._TREES.clear(); init._PARTS.clear()   # no tree kept from an earlier run
        t0 = time.process_time()
        res = search(X, range(1, 10), 'all', random_state=s)
        ts.append(time.process_time() - t0)
        if bic is None: bic = res.best_row['bic']
    return float(np.median(ts)), bic

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--only', nargs='*', default=None)
    ap.add_argument('--seeds', nargs='*', type=int, default=list(range(5)))
    a = ap.parse_args()
    names = a.only or FIXTURES + list(SYNTHETIC) + COLUMNS
    sets = {name: data(name) for name in names}
    warnings.simplefilter('ignore')
    search(data('faithful'), range(1, 10), 'all', random_state=0)   # warm-up, as R's
    mine = {name: ours(X, a.seeds) for name, X in sets.items()}
    theirs = mclust_times(sets)
    print(f"{'dataset':20s} {'n x d':>10s} {'gmm_em':>8s} {'mclust':>8s} {'ratio':>6s}  BIC (ours - mclust's)")
    for name, X in sets.items():
        t, bic = mine[name]
        if name in theirs:
            tm, bm = theirs[name]
            print(f"{name:20s} {f'{len(X)} x {X.shape[1]}':>10s} {t:7.3f}s {tm:7.3f}s {t/tm:6.2f}  {bic - bm:+.2f}")
        else: print(f"{name:20s} {f'{len(X)} x {X.shape[1]}':>10s} {t:7.3f}s {'(no R)':>8s}")

if __name__ == '__main__': main()
