#!/usr/bin/env bash
# Message catalogs (slotbooking/translations): compile them, or extract new strings into them.
#   scripts/i18n.sh compile   .po -> .mo (scripts/test.sh and scripts/demo.sh run this after installing)
#   scripts/i18n.sh extract   code and templates -> messages.pot -> each language's messages.po
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-$(command -v pybabel || echo .venv/bin/pybabel)}"
DIR=slotbooking/translations
case "${1:-compile}" in
  compile)
    "$PYBABEL" compile --statistics -d "$DIR" ;;
  extract)
    "$PYBABEL" extract -F "$DIR/babel.cfg" -k lazy_gettext -k _plural:1,2 --sort-by-file --no-location \
      --project slotbooking --copyright-holder slotbooking -o "$DIR/messages.pot" .
    "$PYBABEL" update -i "$DIR/messages.pot" -d "$DIR" --no-fuzzy-matching
    ;;
  *) echo "usage: $0 [compile|extract]" >&2; exit 2 ;;
esac
