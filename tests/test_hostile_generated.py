"Generated hostile input (hypothesis): any .npy header and any tampering of a model file is read correctly or refused with a `DataError`, quickly."
import json, struct, warnings, zipfile, io
import numpy as np
import pytest
from hypothesis import given, settings, HealthCheck, strategies as st
from gmm_em.data import NpyFileSource, DataError
from gmm_em.core import GaussianMixture

DESCRS = ['<f8', '<f4', '>f8', '<i8', '<u1', '|b1', '<c16', '<f2', 'O', '<U3', '|V8', "[('a', '<f8')]", 'float64', '<f16']
SIZES = st.one_of(st.integers(0, 40), st.sampled_from([2**31, 2**32, 2**62, 2**63 - 1, 2**64, -1, -(2**63)]))


def _header(descr, fortran, shape, extra=''):
    h = "{'descr': %s, 'fortran_order': %s, 'shape': %s, %s}" % (descr if descr.startswith('[') else repr(descr), fortran, shape, extra)
    h += ' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode('latin1')


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(descr=st.sampled_from(DESCRS), fortran=st.booleans(), shape=st.lists(SIZES, min_size=0, max_size=3).map(tuple),
       payload=st.integers(0, 2000), junk=st.binary(max_size=8), extra=st.sampled_from(['', "'x': 1, "]))
def test_any_header_is_read_or_refused(tmp_path, descr, fortran, shape, payload, junk, extra):
    p = tmp_path / 'x.npy'
    p.write_bytes(_header(descr, fortran, shape, extra) + b'\x01' * payload + junk)
    try:
        src = NpyFileSource(p)
        rows = sum(len(b) for _, b in src.blocks(7))
    except DataError as e:
        assert '\n' not in str(e) and str(e)
        return
    # accepted: then it really is a float matrix whose bytes are all there, read in full
    assert src.n_samples*src.n_features*np.dtype(descr).itemsize <= payload + len(junk) and rows == src.n_samples


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_any_header_through_the_cli_is_one_line(tmp_path_factory, data):
    import subprocess
    tmp = tmp_path_factory.mktemp('cli')
    descr, shape = data.draw(st.sampled_from(DESCRS)), data.draw(st.lists(SIZES, min_size=1, max_size=3).map(tuple))
    (tmp / 'x.npy').write_bytes(_header(descr, data.draw(st.booleans()), shape) + b'\x01' * data.draw(st.integers(0, 400)))
    r = subprocess.run(['gmm_em_cli', '--n_clusters', '2', '--data_path', str(tmp / 'x.npy'), '--output_dir', str(tmp / 'o'), '--quiet'],
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode == 2 and r.stderr.count('\n') == 1 or r.returncode == 0) and 'Traceback' not in r.stderr, r.stderr


@pytest.fixture(scope='module')
def model_file(tmp_path_factory):
    from gmm_em.data import make_example
    X = make_example(300)[0]
    p = tmp_path_factory.mktemp('model') / 'good.npz'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        GaussianMixture(3, random_state=0, max_iter=5).fit(X).save(p)
    with np.load(p, allow_pickle=False) as z: arrays = {k: z[k] for k in z.files}
    return X, arrays


ODD_ARRAYS = st.one_of(
    st.just(np.array(np.nan)), st.just(np.array([])), st.just(np.array(['a', 'b'])), st.just(np.zeros((3, 2, 2))),
    st.just(-np.ones(3)), st.just(np.full((3, 2), np.inf)), st.just(np.ones((3, 2), dtype=np.int64)), st.just(np.ones((2**10, 2))),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: np.full((3, 2, 2), v)),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: np.full(3, v)))
META_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=5),
                        st.lists(st.integers(-3, 3), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_tampered_model_is_refused_or_sound(tmp_path, model_file, data):
    X, good = model_file
    arrays = {k: v.copy() for k, v in good.items()}
    meta = json.loads(str(arrays.pop('meta')))
    for _ in range(data.draw(st.integers(1, 3))):
        what = data.draw(st.sampled_from(['array', 'drop', 'meta', 'param', 'perturb']))
        if what == 'array': arrays[data.draw(st.sampled_from(sorted(arrays) + ['weights']))] = data.draw(ODD_ARRAYS)
        elif what == 'drop' and arrays: arrays.pop(data.draw(st.sampled_from(sorted(arrays))))
        elif what == 'meta': meta[data.draw(st.sampled_from(sorted(map(str, meta)) + ['extra']))] = data.draw(META_VALUES)
        elif what == 'param' and isinstance(meta.get('params'), dict) and meta['params']:
            meta['params'][data.draw(st.sampled_from(sorted(meta['params'])))] = data.draw(META_VALUES)
        else:
            k = data.draw(st.sampled_from(sorted(arrays))) if arrays else None
            if k is not None and arrays[k].dtype.kind == 'f' and arrays[k].size:
                arrays[k] = arrays[k]*data.draw(st.floats(-3, 3))
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta, allow_nan=True)), **arrays)
    p = tmp_path / 'bad.npz'; p.write_bytes(buf.getvalue())
    try: gm = GaussianMixture.load(p)
    except DataError as e:
        assert '\n' not in str(e); return
    # accepted: then it is a sound model
    w = gm.weights_
    assert (w >= 0).all() and abs(w.sum() - 1) < 1e-5 and gm.means_.shape == (gm.n_components, X.shape[1])
    assert not np.isnan(gm.score_samples(X)).any()
    assert ((gm.predict(X) >= 0) & (gm.predict(X) < gm.n_components)).all()
