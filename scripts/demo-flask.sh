#!/usr/bin/env bash
# Run a flask command against the demo (after scripts/demo.sh): the app refuses to start
# outside debug and testing without its own secret and encryption keys, and the demo keeps
# its keys in instance/demo_secrets.json. Example: bash scripts/demo-flask.sh pricing show demo-grocer
set -euo pipefail
cd "$(dirname "$0")/.."
secrets=instance/demo_secrets.json
if [ ! -f "$secrets" ]; then
  echo "no $secrets: run bash scripts/demo.sh first" >&2
  exit 1
fi
# The operator's own settings win, as in the demo command.
eval "$(.venv/bin/python - "$secrets" <<'PY'
import json, os, shlex, sys
for name, value in json.load(open(sys.argv[1])).items():
    if name not in os.environ:
        print(f"export {name}={shlex.quote(value)}")
PY
)"
exec .venv/bin/flask --app wsgi "$@"
