#!/usr/bin/env bash
# Install into .venv and serve the demo retailer on the embedded default (SQLite, no Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e .
scripts/i18n.sh compile   # the message catalogs (the app refuses to start without them)
exec flask --app wsgi demo "$@"
