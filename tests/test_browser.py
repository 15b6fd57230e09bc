"""The explorer in a real browser: Voilà serves `tests/browser/explorer.ipynb`, Debian's Chromium (driven by Playwright)
moves the k and iteration sliders with the keyboard, and the page must show what the same code shows without a browser.

Needs /usr/bin/chromium, voila and playwright (`.ci/browser-setup.sh` installs them). Without them the test is skipped,
unless the environment variable CI is set: then it fails. `GMM_EM_SCREENSHOT=1` also writes `figures/explorer.png`."""
import importlib.util, json, os, signal, socket, subprocess, sys, tempfile, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT/'tests'/'browser'/'explorer.ipynb'
CHROMIUM = '/usr/bin/chromium'
SCREENSHOT = ROOT/'figures'/'explorer.png'
TIMEOUT = 30_000   # ms, for the page and the kernel's first answer; each slider move gets 10 s


def _in_ci(): return os.environ.get('CI', '').strip().lower() not in ('', '0', 'false', 'no')

def _missing():
    m = [] if os.access(CHROMIUM, os.X_OK) else [f"{CHROMIUM} (apt-get install chromium)"]
    return m + [f"python package {p}" for p in ('voila', 'playwright') if importlib.util.find_spec(p) is None]

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture(scope='module')
def voila_url():
    "Voilà serving the explorer notebook on a free local port; stopped (with its kernel) at teardown."
    if missing := _missing():
        msg = f"browser test needs {', '.join(missing)}: run .ci/browser-setup.sh"
        if _in_ci(): pytest.fail(f"CI is set and {msg}")
        pytest.skip(msg)
    port, tmp = _free_port(), tempfile.TemporaryDirectory(prefix='gmm-em-voila-')
    # the notebook's kernel `python3` is this interpreter, whatever `jupyter kernelspec` says elsewhere (JUPYTER_PATH wins)
    spec = Path(tmp.name)/'kernels'/'python3'
    spec.mkdir(parents=True)
    (spec/'kernel.json').write_text(json.dumps(dict(argv=[sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                                                   display_name='python3', language='python')))
    env = dict(os.environ, JUPYTER_PATH=os.pathsep.join(filter(None, [tmp.name, os.environ.get('JUPYTER_PATH')])))
    log = open(Path(tmp.name)/'voila.log', 'w+')
    proc = subprocess.Popen([sys.executable, '-m', 'voila', str(NOTEBOOK), '--no-browser', f'--port={port}',
                             '--Voila.ip=127.0.0.1', '--show_tracebacks=True'],
                            cwd=NOTEBOOK.parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}/'
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None: pytest.fail(f"voila exited with {proc.returncode}:\n{Path(log.name).read_text()}")
            try:                                        # the port answers (a GET of the page would start a kernel)
                with socket.create_connection(('127.0.0.1', port), timeout=1): break
            except OSError:
                if time.monotonic() > deadline: pytest.fail(f"voila did not answer in 30 s:\n{Path(log.name).read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)        # voila shuts its kernels down on SIGTERM
            try: proc.wait(15)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        log.close(); tmp.cleanup()


def _reference():
    "The explorer the notebook builds, built here without a browser: what the page must show after each move."
    cells = json.loads(NOTEBOOK.read_text())['cells']
    src = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
    ns = {}
    exec(compile(src, str(NOTEBOOK), 'exec'), ns)
    return ns['explorer']


def test_sliders_in_browser(voila_url):
    from playwright.sync_api import sync_playwright, expect
    ref = _reference()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu',
                                    '--disable-background-networking', '--disable-dev-shm-usage'])
        try:
            page = browser.new_page(viewport={'width': 860, 'height': 620})
            errors = []
            page.on('pageerror', lambda e: errors.append(str(e)))
            page.goto(voila_url, timeout=TIMEOUT)
            status, img = page.locator('.gmm-em-status'), page.locator('img.widget-image')
            expect(status).to_have_text(ref.status, timeout=TIMEOUT)       # k = 4, its final iteration
            assert ref.status.startswith(f"k=4 · iteration {ref.t}/{ref.t}")
            sliders = page.get_by_role('slider')
            expect(sliders).to_have_count(2)
            k_handle, t_handle = sliders.nth(0), sliders.nth(1)
            srcs = [img.get_attribute('src')]
            assert srcs[0]

            def move(handle, key, slider, step):
                "Press `key` on `handle`; the page must show what the reference shows after the same move."
                handle.focus(); page.keyboard.press(key)
                slider.value = slider.value + step
                expect(status).to_have_text(ref.status, timeout=10_000)
                expect(img).not_to_have_attribute('src', srcs[-1], timeout=10_000)   # a new picture
                srcs.append(img.get_attribute('src'))

            t0 = time.monotonic()
            move(k_handle, 'ArrowRight', ref.k_slider, +1)      # k = 5, at its end
            assert ref.status.startswith(f"k=5 · iteration {ref.t}/{ref.t}")
            move(t_handle, 'ArrowLeft', ref.t_slider, -1)       # back one iteration
            move(t_handle, 'ArrowLeft', ref.t_slider, -1)
            assert ref.k == 5 and ref.t == ref.history.n_iter - 2
            move(k_handle, 'ArrowLeft', ref.k_slider, -1)       # k = 4: the iteration is kept (capped at its end)
            while ref.t > 1: move(t_handle, 'ArrowLeft', ref.t_slider, -1)
            move(t_handle, 'ArrowRight', ref.t_slider, +1)
            move(t_handle, 'ArrowLeft', ref.t_slider, -1)       # k = 4 after one EM iteration
            assert (ref.k, ref.t) == (4, 1)
            moves_s = time.monotonic() - t0
            assert len(set(srcs)) == len(srcs)
            assert ref.fit_count == 8                           # prefit: every move drew from a recorded history
            assert not errors, errors
            if os.environ.get('GMM_EM_SCREENSHOT') == '1':
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            print(f"{len(srcs) - 1} slider moves in {moves_s:.1f} s")
        finally:
            browser.close()
