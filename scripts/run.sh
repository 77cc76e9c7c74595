#!/usr/bin/env bash
# Quick start 1: install, create the SQLite database with demo data, serve the console.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian.sh
install_missing $(runtime_missing)
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/pip install -q -e .
.venv/bin/flask --app wsgi wxk demo
echo "控制台：http://127.0.0.1:${PORT:-5000}/admin/"
exec .venv/bin/flask --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
