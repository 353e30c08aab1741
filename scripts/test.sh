#!/usr/bin/env bash
# Install everything into .venv and run the whole test suite (unit, integration, e2e).
# Integration tests need PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); browser
# tests need Debian's chromium. Set REQUIRE_SERVICES=1 to make their absence a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[test]'
scripts/i18n.sh compile   # the message catalogs (the app refuses to start without them)
if [ -x scripts/install-localstripe.sh ]; then scripts/install-localstripe.sh; fi

exec python -m pytest "$@"
