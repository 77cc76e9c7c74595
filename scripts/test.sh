#!/usr/bin/env bash
# Quick start 2: install everything the tests need and run the whole suite (SQLite, PostgreSQL, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian.sh
missing=($(runtime_missing))
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# the PDF documents' tests read PDFs with poppler's pdftotext / pdftoppm
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
install_missing "${missing[@]}"
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
source scripts/pg.sh
export WXK_TEST_BACKENDS="${WXK_TEST_BACKENDS:-sqlite,postgresql}"
exec .venv/bin/pytest "$@"
