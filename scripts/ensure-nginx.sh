#!/usr/bin/env bash
# Make sure Debian's nginx is installed for the serving tests (signed links through its
# secure_link module, X-Accel-Redirect to a proxied bucket) and bench/stream.py; wrk for the
# bench too. Installs them with apt-get when missing and this runs as root (or with sudo);
# otherwise says what to run and exits non-zero (the nginx tests are then skipped).
set -u

missing=""
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing:$missing (apt-get is not available; the nginx tests are skipped without it)." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd="sudo -n"
else
  echo "Missing:$missing. Install with: sudo apt-get install -y$missing" >&2
  exit 1
fi

echo "Installing Debian's$missing for the serving tests and the stream bench (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
# The package's own service is not started (no systemd here; the tests run their own nginx).
$sudo_cmd apt-get update -q >/dev/null \
  && $sudo_cmd apt-get install -y -q --no-install-recommends $missing >/dev/null
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]
