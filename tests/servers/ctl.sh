#!/usr/bin/env bash
# Test-time controls for servers started by start.sh STATE_DIR.
#
#   ctl.sh STATE_DIR reset-user EMAIL          empty EMAIL's whole mail store
#   ctl.sh STATE_DIR reset-dav EMAIL           empty calendar/contacts again
#   ctl.sh STATE_DIR bump-uidvalidity EMAIL FOLDER
#                                              give FOLDER a new UIDVALIDITY
#                                              (printed); messages and UIDs stay
#   ctl.sh STATE_DIR stop-imap | start-imap | restart-imap
#                                              only Dovecot (IMAP+LMTP+auth)
#   ctl.sh STATE_DIR kill-imap                 SIGKILL all of Dovecot (a crash)
#   ctl.sh STATE_DIR mail-queue                number of messages in Postfix's queue
#   ctl.sh STATE_DIR flush-queue               retry deferred mail now
set -euo pipefail

usage() {
  sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -d "$1" ]] || { echo "ctl.sh: no state dir $1" >&2; exit 1; }
STATE_DIR=$(cd "$1" && pwd -P)
cmd=$2
shift 2
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib.sh"
load_env

require_user() {
  [[ $# -ge 1 ]] || usage
  user_password "$1" >/dev/null || die "unknown test user '$1'"
}

dovecot_running() {
  [[ -f "$STATE_DIR/dovecot.pid" ]] && pid_matches "$(<"$STATE_DIR/dovecot.pid")" '^dovecot$'
}

case "$cmd" in
  reset-user)
    require_user "$@"
    email=$1
    home="$MAIL_HOME_ROOT/$email"
    if dovecot_running; then
      # Open sessions would keep writing indexes into the deleted tree.
      # Exit code 68 just means nobody was logged in.
      doveadm_ kick "$email" >/dev/null 2>&1 || [[ $? -eq 68 ]] || die "doveadm kick $email failed"
      for ((i = 0; i < 100; i++)); do
        doveadm_ who 2>/dev/null | awk -v u="$email" '$1 == u { found = 1 } END { exit !found }' || break
        sleep 0.05
      done
    fi
    rm -rf "$home"
    install -d -o "$VMAIL_UID" -g "$VMAIL_GID" -m 700 "$home"
    ;;

  reset-dav)
    require_user "$@"
    home="$STATE_DIR/radicale/collections/collection-root/$1"
    [[ -d "$home" ]] || die "no DAV home $home"
    # Radicale re-reads the file system on every request; no restart needed.
    for coll in calendar contacts; do
      props=$(<"$home/$coll/.Radicale.props")
      rm -rf "${home:?}/$coll"
      mkdir -p "$home/$coll"
      printf '%s\n' "$props" >"$home/$coll/.Radicale.props"
    done
    find "$home" -mindepth 1 -maxdepth 1 ! -name calendar ! -name contacts -exec rm -rf {} +
    ;;

  bump-uidvalidity)
    [[ $# -eq 2 ]] || usage
    require_user "$1"
    email=$1 folder=$2
    dovecot_running || die "dovecot is not running (ctl.sh $STATE_DIR start-imap)"
    old=$(doveadm_ -f flow mailbox status -u "$email" uidvalidity "$folder" 2>&1) ||
      die "cannot read UIDVALIDITY of '$folder' for $email: $old"
    old=${old##*uidvalidity=}
    # Strictly greater than before and time-based like Dovecot's own values;
    # stays well inside 32 bits until 2106.
    new=$(date +%s)
    ((new > old)) || new=$((old + 1))
    # Connected clients with the folder selected are disconnected by Dovecot
    # when it notices, as a real server would.
    out=$(doveadm_ mailbox update -u "$email" --uid-validity "$new" "$folder" 2>&1) ||
      die "doveadm mailbox update --uid-validity failed for $email '$folder': $out"
    echo "$new"
    ;;

  stop-imap)
    stop_dovecot
    wait_for_port_closed dovecot "$IMAP_PORT"
    ;;
  kill-imap)
    kill_dovecot
    wait_for_port_closed dovecot "$IMAP_PORT"
    ;;
  start-imap)
    dovecot_running && die "dovecot is already running (pid $(<"$STATE_DIR/dovecot.pid"))"
    start_dovecot
    ;;
  restart-imap)
    stop_dovecot
    wait_for_port_closed dovecot "$IMAP_PORT"
    start_dovecot
    ;;

  mail-queue)
    # One JSON object per queued message.
    out=$(postqueue -c "$POSTFIX_CONF_DIR" -j 2>&1) || die "postqueue -j failed: $out"
    if [[ -z "$out" ]]; then echo 0; else printf '%s\n' "$out" | wc -l; fi
    ;;
  flush-queue)
    postqueue -c "$POSTFIX_CONF_DIR" -f || die "postqueue -f failed"
    ;;

  *) usage ;;
esac
