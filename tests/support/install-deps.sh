#!/usr/bin/env bash
# What `npm test` needs from Debian: Chromium for the UI tests, plus the mail and DAV servers
# (tests/servers/install.sh). A fast no-op when everything is there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "== installing Debian's chromium for the UI tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
bash "$here/../servers/install.sh"
