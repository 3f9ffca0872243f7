#!/usr/bin/env bash
# End-to-end specs with the CPU deliberately loaded (issue 17): two busy-loop processes run
# for the whole phase and are stopped however it ends. The specs are every one that opens a
# lesson in the app's UI (it goes to the host's appUrl) and every export path (Export video,
# `rapido render`, the SyncTalk export): on a busy machine a lesson must still open at once and
# an export must give the same picture. Waits inside the tests are on app events; only each test's
# overall limit is doubled here (RAPIDO_E2E_TIMEOUT_SCALE, e2e/support/timeouts.ts), since
# everything takes longer. Needs `npm run build` and `npm run build:harness` first.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t specs < <(grep -lE "appUrl|\['render'|Export video" e2e/*.spec.ts)
if [ "${#specs[@]}" -eq 0 ]; then
  echo "e2e under load: no spec matched" >&2
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
RAPIDO_E2E_TIMEOUT_SCALE=2 npx playwright test "${specs[@]}" || status=$?
echo "e2e under load: $(($(date +%s) - started)) s, exit ${status}"
exit "$status"
