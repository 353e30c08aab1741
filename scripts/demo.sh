#!/usr/bin/env bash
# Install into .venv and serve the demo retailer on the embedded default (SQLite, no Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e .
exec flask --app wsgi demo "$@"
