#!/usr/bin/env bash
# Make sure Debian's headless Chromium is installed for the browser tests (Playwright drives it
# at /usr/bin/chromium; no browser is downloaded by Playwright). Installs it with apt-get when
# missing and this runs as root (or with sudo); otherwise says what to run and exits non-zero.
set -u

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing and apt-get is not available: install a chromium package so that" >&2
  echo "/usr/bin/chromium exists (the browser tests are skipped without it)." >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd="sudo -n"
else
  echo "Chromium is missing. Install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi

echo "Installing Debian's chromium for the browser tests (apt-get, a few minutes once)..."
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -q >/dev/null \
  && $sudo_cmd apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "apt-get could not install chromium; the browser tests will be skipped." >&2
  exit 1
fi
echo "Chromium installed: $(/usr/bin/chromium --version 2>/dev/null)"
