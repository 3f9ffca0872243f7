#!/usr/bin/env bash
# End-to-end tests with the CPU deliberately loaded (issue 17): two busy-loop processes run for
# the whole phase and are stopped however it ends. Every spec that opens a lesson in the app's UI
# (it goes to the host's appUrl) or exports (Export video, `rapido render`, the SyncTalk export)
# must tag at least one test `@busy`: one that opens a lesson there, and every export path. Those
# run here (a spec without one fails the phase, so a new spec cannot slip out of it): on a busy
# machine a lesson must still open at once and an export must give the same picture. The whole
# suite already ran unloaded; running all of it again 2-3x slower would not fit CI's 40 minutes.
# Waits inside the tests are on app events; only each test's overall limit is doubled here
# (RAPIDO_E2E_TIMEOUT_SCALE, e2e/support/timeouts.ts). Needs `npm run build` and
# `npm run build:harness` first.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t specs < <(grep -lE "appUrl|\['render'|Export video" e2e/*.spec.ts)
if [ "${#specs[@]}" -eq 0 ]; then
  echo "e2e under load: no spec matched" >&2
  exit 1
fi
untagged=()
for spec in "${specs[@]}"; do
  grep -q "@busy" "$spec" || untagged+=("$spec")
done
if [ "${#untagged[@]}" -gt 0 ]; then
  echo "e2e under load: these specs open a lesson in the UI or export but tag no test @busy: ${untagged[*]}" >&2
  exit 1
fi
busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_busy EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  busy+=("$!")
done
started=$(date +%s)
echo "e2e under load (busy loops ${busy[*]}): ${specs[*]}"
status=0
RAPIDO_E2E_TIMEOUT_SCALE=2 npx playwright test --grep @busy "${specs[@]}" || status=$?
echo "e2e under load: $(($(date +%s) - started)) s, exit ${status}"
exit "$status"
