#!/usr/bin/env bash
# Stops the test servers started by start.sh STATE_DIR, by their recorded PIDs,
# and waits until each has exited. Keeps data and logs (start.sh resets them)
# but removes servers.json, whose presence means "running".
#
#   tests/servers/stop.sh STATE_DIR
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -d "$1" ]] || exit 0 # nothing was ever started there
STATE_DIR=$(cd "$1" && pwd -P)
rm -f "$STATE_DIR/servers.json"
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib.sh"

# In parallel: each takes 1-3 s to shut down (Dovecot's and Postfix's masters
# give their children time to exit), and none depends on the others' shutdown.
pids=()
stop_radicale & pids+=($!)
stop_postfix & pids+=($!)
stop_dovecot & pids+=($!)
rc=0
for pid in "${pids[@]}"; do
  wait "$pid" || rc=1
done
exit "$rc"
