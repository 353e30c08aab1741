#!/usr/bin/env bash
# The Stripe emulator for the payment tests, in its own virtualenv (its pins differ from ours).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-localstripe/bin/localstripe ]; then
  python3 -m venv .venv-localstripe
  .venv-localstripe/bin/python -m pip install -q localstripe==1.15.10
fi
