#!/usr/bin/env bash
# Make this machine able to run the portal: Debian packages, the virtualenv, Python packages.
# Installs Debian packages when run as root; otherwise prints the exact apt-get line and stops.
# Idempotent and quick when everything is there (a stamp file tracks requirements.lock).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
# What a fresh Debian 12 needs: venv for pip, Pango/HarfBuzz and fonts for PDFs, poppler to check
# them, gettext for message catalogues, Chromium for browser tests.
PACKAGES=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core
  fonts-liberation2 poppler-utils gettext chromium)
PACKAGES+=(${EXTRA_DEB_PACKAGES:-})

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.lock.installed"
if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
  echo "Installing Python packages (requirements.lock)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.lock
  cp requirements.lock "$stamp"
fi
