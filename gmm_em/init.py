from __future__ import annotations
import numpy as np
from .stats import stats_from_resp, m_step, precision_cholesky
import hashlib
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import pdist, squareform

HC_SAMPLE_SIZE = 2000   # rows the hierarchical start looks at (mclust's `subset`)

def svd_scale(X:np.ndarray): # rows (n, d)
    "mclust's `hcUse='SVD'` view of the data: columns standardised, rotated to principal axes and scaled by the root singular values."
    X = np.asarray(X, dtype=np.float64)
    sd = X.std(axis=0, ddof=1) if len(X) > 1 else np.zeros(X.shape[1])
    keep = np.isfinite(sd) & (sd > 0)
    if not keep.any(): return np.zeros((len(X), 1))
    Z = (X[:, keep] - X[:, keep].mean(0))/sd[keep]
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    s = np.where(s > s[0]*1e-12, s, np.inf) if len(s) else s
    return Z @ vt.T / np.sqrt(s)

def _det_upper(U, p):
    "Determinants of symmetric p x p matrices given by their upper triangles `U (m, p(p+1)/2)` (row-major order)."
    if p == 1: return U[:, 0]
    if p == 2: return U[:, 0]*U[:, 2] - U[:, 1]**2
    if p == 3:
        a, b, c, d, e, f = U.T
        return a*(d*f - e*e) - b*(b*f - e*c) + c*(b*e - d*c)
    iu, ju = np.triu_indices(p)
    A = np.empty((len(U), p, p)); A[:, iu, ju] = U; A[:, ju, iu] = U
    if p == 4:   # Laplace expansion in the 2 x 2 minors of rows (0, 1) and (2, 3)
        m = lambda r, i, j: A[:, r, i]*A[:, r + 1, j] - A[:, r, j]*A[:, r + 1, i]
        return (m(0, 0, 1)*m(2, 2, 3) - m(0, 0, 2)*m(2, 1, 3) + m(0, 0, 3)*m(2, 1, 2)
                + m(0, 1, 2)*m(2, 0, 3) - m(0, 1, 3)*m(2, 0, 2) + m(0, 2, 3)*m(2, 0, 1))
    return np.linalg.det(A)

def hc_merges(Z:np.ndarray): # rows to agglomerate (n, p), e.g. `svd_scale(sample)`
    "Merges `(a, b)`, b into a, of model-based agglomerative clustering from singletons, each the pair whose merge costs least in mclust's VVV criterion (`hcVVV`)."
    Z = np.asarray(Z, dtype=np.float64)
    n, p = Z.shape
    iu, ju = np.triu_indices(p)
    diag = np.nonzero(iu == ju)[0]
    alpha = max(((Z - Z.mean(0))**2).sum()/(n*p), np.finfo(np.float64).eps)
    cnt, mean, W = np.ones(n), Z.copy(), np.zeros((n, len(iu)))   # W: upper triangles of the scatter matrices
    T, active = np.full(n, np.log(alpha)), np.ones(n, bool)
    def terms(nn, U):   # T of clusters with nn rows and scatter upper triangles U
        t = (U[:, diag].sum(1) + alpha)/nn
        big = nn > p
        if big.any(): t[big] += np.sqrt(np.maximum(_det_upper(U[big]/nn[big, None], p), 0))
        return nn*np.log(t)
    def merged(a, js):   # sizes and scatter of a merged with each of js
        nn = cnt[a] + cnt[js]
        dm = mean[js] - mean[a]
        return nn, W[a] + W[js] + (cnt[a]*cnt[js]/nn)[:, None]*dm[:, iu]*dm[:, ju]
    D = squareform(2*np.log((pdist(Z, 'sqeuclidean')/2 + alpha)/2) - 2*np.log(alpha)) if n > 1 else np.zeros((1, 1))
    np.fill_diagonal(D, np.inf)
    rowarg = np.argmin(D, axis=1); rowmin = D[np.arange(n), rowarg]
    merges = []
    for _ in range(n - 1):
        a = int(np.argmin(rowmin)); b = int(rowarg[a])
        a, b = min(a, b), max(a, b)
        merges.append((a, b))
        nn, U = merged(a, np.array([b]))
        W[a], T[a] = U[0], terms(nn, U)[0]
        mean[a] = (cnt[a]*mean[a] + cnt[b]*mean[b])/nn[0]; cnt[a] = nn[0]
        active[b] = False; D[b, :] = D[:, b] = rowmin[b] = np.inf
        js = np.nonzero(active)[0]; js = js[js != a]
        if not len(js): break
        nn, U = merged(a, js)
        c = terms(nn, U) - T[a] - T[js]
        D[a, js] = D[js, a] = c
        j = int(np.argmin(c)); rowmin[a], rowarg[a] = c[j], js[j]
        stale = js[(rowarg[js] == a) | (rowarg[js] == b)]
        better = c < rowmin[js]
        rowmin[js[better]], rowarg[js[better]] = c[better], a
        if len(stale):
            r = np.argmin(D[stale], axis=1); rowmin[stale], rowarg[stale] = D[stale, r], r
    return merges

_TREES = {}   # the last trees built, by a digest of their rows: a search cuts one tree at every k

def hc_labels(Z:np.ndarray, # rows to cluster, e.g. `svd_scale(sample)`
              k:int): # the number of groups wanted
    "A partition of the rows into `k` groups: the first `n - k` merges of `hc_merges` (Ward's tree when there are no more rows than columns)."
    n = len(Z)
    if n < 2 or k <= 1: return np.zeros(n, dtype=np.int64)
    key = hashlib.sha1(np.ascontiguousarray(Z).view(np.uint8)).hexdigest() + str(Z.shape)
    if key not in _TREES:
        if len(_TREES) >= 4: _TREES.pop(next(iter(_TREES)))
        if n > Z.shape[1]: _TREES[key] = hc_merges(Z)
        else: _TREES[key] = [(int(min(i, j)), int(max(i, j))) for i, j in _ward_merges(Z)]
    lab = np.arange(n)
    for a, b in _TREES[key][:n - k]: lab[lab == b] = a
    return np.unique(lab, return_inverse=True)[1].astype(np.int64)

def _ward_merges(Z):
    "Ward's merges as pairs of the smallest row of each group (scipy's linkage)."
    L = linkage(Z, 'ward')
    rep = list(range(len(Z)))
    out = []
    for i, j, _, _ in L:
        a, b = rep[int(i)], rep[int(j)]
        out.append((a, b)); rep.append(min(a, b))
    return out

def quantile_labels(x:np.ndarray, # one column, (n,)
                    k:int): # groups
    "Groups of (nearly) equal counts between quantiles of `x`: mclust's start in one dimension (`qclass`)."
    order = np.argsort(x, kind='stable')
    lab = np.empty(len(x), dtype=np.int64)
    lab[order] = np.minimum(np.arange(len(x))*k//len(x), k - 1)
    return lab

def start_from_labels(X:np.ndarray, # rows (n, d)
                      labels:np.ndarray, # group of each row, 0..k-1
                      k:int, # number of components
                      covariance_type:str, # one of `COVARIANCE_TYPES`
                      reg_covar=1e-6): # added to the covariance diagonals
    "`(weights, means, covariances, prec_chol)` of the M-step on a hard partition of `X`."
    R = np.zeros((k, len(X))); R[labels, np.arange(len(X))] = 1.
    ref = (R @ X)/np.maximum(R.sum(1), 1)[:, None]
    w, m, c = m_step(stats_from_resp(X[None] - ref[:, None], R, ref, covariance_type), covariance_type, reg_covar, init=True)
    return w, m, c, precision_cholesky(c, covariance_type)

def full_covariances(covariances:np.ndarray, # shaped per covariance type
                     covariance_type:str, # one of `COVARIANCE_TYPES`
                     k:int, d:int): # components, features
    "Covariances as `(k, d, d)` matrices whatever the type."
    c = np.asarray(covariances, dtype=np.float64)
    if covariance_type == 'full': return c
    if covariance_type == 'tied': return np.broadcast_to(c, (k, d, d))
    diag = c if covariance_type == 'diag' else np.repeat(c[:, None], d, axis=1)
    return diag[:, :, None]*np.eye(d)

def constrain(C:np.ndarray, # full covariances (k, d, d)
              weights:np.ndarray, # (k,) used to pool for 'tied'
              covariance_type:str): # the type wanted
    "Nearest covariances of `covariance_type` to full ones: pooled, diagonal or mean variance."
    if covariance_type == 'full': return np.array(C)
    if covariance_type == 'tied': return np.einsum('k,kij->ij', weights/weights.sum(), C)
    diag = np.diagonal(C, axis1=1, axis2=2)
    return diag.copy() if covariance_type == 'diag' else diag.mean(1)

def convert_start(weights, means, covariances, # a fitted mixture
                  from_type:str, # its covariance type
                  to_type:str): # the type of the start wanted
    "Start a `to_type` fit from a `from_type` mixture: same weights and means, covariances constrained."
    k, d = np.shape(means)
    return weights, means, constrain(full_covariances(covariances, from_type, k, d), weights, to_type)

def split_starts(weights, means, covariances, # a fitted mixture with k components
                 covariance_type:str, # its covariance type
                 count:int=3): # how many splits (the heaviest components)
    "Starts with k + 1 components: one component cut in two along its main axis (the halves of a Gaussian: means at $\\pm\\sqrt{2/\\pi}$ sd, variance $1 - 2/\\pi$ along the axis)."
    w, m = np.asarray(weights), np.asarray(means)
    k, d = m.shape
    C = full_covariances(covariances, covariance_type, k, d)
    out = []
    for j in np.argsort(-w)[:count]:
        lam, V = np.linalg.eigh(C[j])
        step = np.sqrt(2/np.pi*lam[-1])*V[:, -1]
        Cj = C[j] - (2/np.pi)*lam[-1]*np.outer(V[:, -1], V[:, -1])
        w2 = np.concatenate([np.delete(w, j), [w[j]/2, w[j]/2]])
        m2 = np.concatenate([np.delete(m, j, 0), [m[j] - step, m[j] + step]])
        C2 = np.concatenate([np.delete(C, j, 0), [Cj, Cj]])
        cov = np.broadcast_to(covariances, C.shape[1:]).copy() if covariance_type == 'tied' else constrain(C2, w2, covariance_type)
        out.append((w2, m2, cov))
    return out

def merge_starts(weights, means, covariances, # a fitted mixture with k components
                 covariance_type:str, # its covariance type
                 count:int=3): # how many merges (the cheapest pairs)
    "Starts with k - 1 components: two components replaced by one with their joint moments, for the `count` pairs whose merge loses the least (`n log det` of the merged covariance against the two)."
    w, m = np.asarray(weights), np.asarray(means)
    k, d = m.shape
    if k < 2: return []
    C = full_covariances(covariances, covariance_type, k, d)
    ld = np.linalg.slogdet(C)[1]
    cands = []
    for i in range(k):
        for j in range(i + 1, k):
            wi, wj = w[i], w[j]; ww = wi + wj
            mu = (wi*m[i] + wj*m[j])/ww
            dm = m[i] - m[j]
            Cm = (wi*C[i] + wj*C[j])/ww + wi*wj/ww**2*np.outer(dm, dm)
            cands.append((ww*np.linalg.slogdet(Cm)[1] - wi*ld[i] - wj*ld[j], i, j, ww, mu, Cm))
    out = []
    for _, i, j, ww, mu, Cm in sorted(cands, key=lambda c: c[0])[:count]:
        keep = [t for t in range(k) if t not in (i, j)]
        w2, m2 = np.append(w[keep], ww), np.vstack([m[keep], mu])
        C2 = np.concatenate([C[keep], Cm[None]])
        cov = np.array(covariances) if covariance_type == 'tied' else constrain(C2, w2, covariance_type)
        out.append((w2, m2, cov))
    return out
