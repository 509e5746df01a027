#!/usr/bin/env bash
# Installs the Debian packages behind the real test servers (Dovecot, Postfix,
# Radicale). Idempotent: exits at once when everything is already installed.
# Never starts or configures system-wide daemons: start.sh runs private
# instances with their own configs under a state directory.
set -euo pipefail

PACKAGES=(dovecot-imapd dovecot-lmtpd postfix radicale openssl)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install.sh: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi

# Several test workers may call this at once; apt must only run once.
exec 9>/var/lock/pimlico-test-servers-install.lock
flock 9
# Re-check under the lock: another worker may have finished meanwhile.
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

echo "install.sh: installing ${missing[*]}" >&2

# Keep maintainer scripts from starting system-wide daemons (there is no
# systemd here, and a system Postfix/Dovecot would grab ports 25/143/993).
# Any existing policy-rc.d is put back afterwards, whatever happens.
POLICY=/usr/sbin/policy-rc.d
BACKUP=""
if [[ -e "$POLICY" ]]; then
  BACKUP=$(mktemp /usr/sbin/policy-rc.d.pimlico-backup.XXXXXX)
  cp -p "$POLICY" "$BACKUP"
fi
restore_policy() {
  if [[ -n "$BACKUP" ]]; then
    mv -f "$BACKUP" "$POLICY"
  else
    rm -f "$POLICY"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# Temporary, from pimlico tests/servers/install.sh\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
# "No configuration": the system Postfix gets no main.cf and so never runs;
# our instance brings its own config directory.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

APT_OPTS=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=120
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

have_candidates() {
  local pkg
  for pkg in "$@"; do
    apt-cache show "$pkg" >/dev/null 2>&1 || return 1
  done
}

updated=0
if ! have_candidates "${missing[@]}"; then
  apt-get update -q >&2
  updated=1
fi
if ! apt-get install "${APT_OPTS[@]}" "${missing[@]}" >&2; then
  # Stale package lists point at versions the mirror no longer has.
  if ((updated == 0)); then
    apt-get update -q >&2
    apt-get install "${APT_OPTS[@]}" "${missing[@]}" >&2
  else
    echo "install.sh: apt-get install ${missing[*]} failed" >&2
    exit 1
  fi
fi
