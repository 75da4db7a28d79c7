#!/usr/bin/env bash
# Regenerates openbadges/tests/fixtures/independent/ with independent tools only:
# Digital Bazaar's libraries and jose (npm, this folder's package.json), then 1EdTech's
# openbadges-bakery (PyPI, in a throwaway virtualenv) for the baked OB 2.0 images.
# Keys are made afresh on every run (except the seeded Ed25519 ones), so the committed
# files change; the expectations in cases.json do not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
[ -d node_modules/jose ] || npm ci
node make-fixtures.mjs
node make-import-fixtures.mjs
VENV="${BAKERY_VENV:-$(mktemp -d)/venv}"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q openbadges-bakery==2.0.0; }
"$VENV/bin/python" bake-ob2.py
