#!/usr/bin/env bash
# Development only, until the first release: rebuild the single initial migration from models.py.
# (After a release, schema changes get their own upgrade migrations instead.)
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/wxk-regen-migration.lock
flock 9
tmp=$(mktemp -d)
# The app must build before the old migration goes, or a broken import would leave none.
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" .venv/bin/flask --app wsgi routes >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
rm -f migrations/versions/*.py
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001_initial >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" .venv/bin/flask --app wsgi db upgrade >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
rm -rf "$tmp"
ls migrations/versions/
