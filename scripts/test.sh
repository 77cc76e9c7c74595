#!/usr/bin/env bash
# Quick start 2: install everything the tests need and run the whole suite (SQLite, PostgreSQL, browser), on the
# national profile and on Jiangsu's.
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

# Arguments or a chosen backend: one pytest run, as asked (e.g. scripts/test.sh tests/views/test_review.py).
if [ $# -gt 0 ] || [ -n "${WXK_TEST_BACKENDS:-}" ]; then
  export WXK_TEST_BACKENDS="${WXK_TEST_BACKENDS:-sqlite,postgresql}"
  exec .venv/bin/pytest "$@"
fi

# The whole suite as three runs, two at a time (the machine has two cores; each run is one process):
#   the national profile on SQLite with the browser journeys, the national profile on PostgreSQL, Jiangsu's
#   profile on SQLite with the browser journeys.  The Jiangsu run leaves out what reads no profile
#   (migrations, the wheel, the import contract, the PostgreSQL-only production run) and the tests that build
#   both profiles' deployments themselves (test_profiles_*: the first run has run them on both); the PostgreSQL
#   run leaves out the wheel (no database in it).  The once-only walks (authorisation, secrecy, CSRF, CSP:
#   every endpoint × role) walk in full in the first run; the other two sample (WXK_TEST_WALKS=sample,
#   tests/conftest.py).  Any run failing — or collecting no test (exit 5) — fails the command.
logs=$(mktemp -d)
runs=(national-sqlite national-postgresql jiangsu-sqlite)
start() {
  case $1 in
    national-sqlite) WXK_ASSOCIATION=cwa WXK_TEST_BACKENDS=sqlite .venv/bin/pytest -p no:cacheprovider ;;
    national-postgresql) WXK_ASSOCIATION=cwa WXK_TEST_BACKENDS=postgresql WXK_TEST_WALKS=sample \
                           .venv/bin/pytest -p no:cacheprovider \
                           -m "not browser" --ignore=tests/cli/test_packaging.py ;;
    jiangsu-sqlite) WXK_ASSOCIATION=jiangsu WXK_TEST_BACKENDS=sqlite WXK_TEST_WALKS=sample \
                      .venv/bin/pytest -p no:cacheprovider \
                      --ignore=tests/migrations --ignore=tests/cli/test_packaging.py \
                      --ignore=tests/cli/test_production.py --ignore=tests/domain/test_import_direction.py \
                      --ignore=tests/views/test_profiles_walk.py --ignore=tests/views/test_profiles_process.py \
                      --ignore=tests/browser/test_profiles_browser.py --ignore=tests/cli/test_profiles_demo.py ;;
  esac > "$logs/$1.log" 2>&1
}
# A line a minute with each run's progress, since a run's output is shown when it ends.
(while sleep 60; do for run in "${runs[@]}"; do
   [ -s "$logs/$run.log" ] && echo "… $run $(grep -o '\[ *[0-9]*%\]' "$logs/$run.log" | tail -1)"
 done; done) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null || true' EXIT
declare -A pid_of
for run in "${runs[@]:0:2}"; do start "$run" & pid_of[$run]=$!; done
next=2 failed=()
while [ ${#pid_of[@]} -gt 0 ]; do
  status=0; wait -n -p done "${pid_of[@]}" || status=$?
  for run in "${!pid_of[@]}"; do [ "${pid_of[$run]}" = "$done" ] && break; done
  unset "pid_of[$run]"
  echo "===== $run (exit $status)"; cat "$logs/$run.log"
  [ "$status" -eq 0 ] || failed+=("$run")
  if [ $next -lt ${#runs[@]} ]; then start "${runs[$next]}" & pid_of[${runs[$next]}]=$!; next=$((next + 1)); fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all runs passed: ${runs[*]}"
