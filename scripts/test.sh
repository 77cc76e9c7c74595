#!/usr/bin/env bash
# Quick start 2: install everything the tests need and run the whole suite (SQLite, PostgreSQL, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# PDF documents (WeasyPrint needs pango); their tests read PDFs with poppler's pdftotext / pdftoppm
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
source scripts/pg.sh
export WXK_TEST_BACKENDS="${WXK_TEST_BACKENDS:-sqlite,postgresql}"
exec .venv/bin/pytest "$@"
