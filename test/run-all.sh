#!/usr/bin/env bash
# The one test command (README: `npm test`). It type-checks, lints and checks formatting, builds, then runs every vitest
# project inside a throwaway HOME and a private D-Bus session with an unlocked
# gnome-keyring, because the keyring vault is tested against a real Secret
# Service. The integration project's globalSetup starts and stops its own dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

export HOME="$(mktemp -d -t runner-tray-home.XXXXXX)"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_RUNTIME_DIR="$HOME/.run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

export npm_config_update_notifier=false
# Checks that cannot be skipped: every layer's types (tsconfig.json, .web, .browser-tests), ESLint
# with type information and the layering rules, and Prettier. Any of them failing fails the run.
npm run -s check
npm run -s build

report="$(mktemp -t vitest-report.XXXXXX.json)"
status=0
dbus-run-session -- bash -c '
  printf "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec npx vitest run --reporter=default --reporter=json --outputFile.json="$0" "$@"
' "$report" "$@" || status=$?

# A plain closing line that any CI reader understands, from vitest's own counts.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" 2>/dev/null || echo "tests: 0 passed, 1 failed (no vitest report)"
rm -f "$report"
exit "$status"
