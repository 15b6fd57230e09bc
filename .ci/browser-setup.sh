#!/usr/bin/env bash
# What tests/test_browser.py needs besides the dev requirements (Voila serves the notebook, Playwright drives the
# browser): Debian's Chromium at /usr/bin/chromium. Idempotent; never runs `playwright install` (its browser
# download needs the internet).
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  LOCK=(-o DPkg::Lock::Timeout=600)   # another apt-get holding the dpkg lock: wait for it (up to 10 minutes) rather than fail
  echo "apt-get: installing Debian's chromium for the browser test"
  $SUDO apt-get "${LOCK[@]}" update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${LOCK[@]}" install -y -qq --no-install-recommends chromium >/dev/null
fi
/usr/bin/chromium --version
python -c "import voila, playwright; from importlib.metadata import version as v; print('voila', v('voila'), '· playwright', v('playwright'))"
