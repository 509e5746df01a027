#!/usr/bin/env bash
# Starts private Dovecot (IMAP, LMTP), Postfix (submission) and Radicale
# (CalDAV/CardDAV) instances on 127.0.0.1, each with its own config and state
# under STATE_DIR. Never edits /etc. Safe to re-run: a previous instance in the
# same STATE_DIR is stopped first and all mail/DAV data starts empty again
# (only the TLS certificate is kept). Prints STATE_DIR/servers.json on stdout.
#
#   tests/servers/start.sh STATE_DIR
#
# Ports: PIMLICO_TEST_IMAP_PORT (10143), PIMLICO_TEST_IMAPS_PORT (10993),
#        PIMLICO_TEST_SMTP_PORT (10587), PIMLICO_TEST_DAV_PORT (15232).
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
STATE_DIR=$(cd "$1" && pwd -P)
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$SCRIPT_DIR/lib.sh"

# ---- preconditions -----------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "must run as root (Dovecot switches to uid $VMAIL_UID, Postfix to its mail owner)"
for bin in /usr/sbin/dovecot /usr/bin/doveadm /usr/lib/dovecot/lmtp /usr/sbin/postfix /usr/bin/radicale /usr/bin/openssl; do
  [[ -x "$bin" ]] || die "$bin not found: run $SCRIPT_DIR/install.sh first"
done

# Paths end up unquoted in Dovecot/Postfix configs and in JSON.
[[ "$STATE_DIR" =~ ^/[A-Za-z0-9._/+@-]+$ ]] || die "STATE_DIR '$STATE_DIR' may only contain [A-Za-z0-9._/+@-]"
# Unix socket paths are limited to ~108 bytes; Dovecot puts sockets two levels
# below base_dir.
((${#DOVECOT_BASE} <= 80)) || die "STATE_DIR '$STATE_DIR' is too long for unix socket paths; use a shorter one"

# Everything below is wiped on each start, so refuse a directory that is not
# ours (e.g. a mistyped path to a real directory).
MARKER="$STATE_DIR/.pimlico-test-servers"
if [[ ! -e "$MARKER" ]] && [[ -n "$(ls -A "$STATE_DIR")" ]]; then
  die "STATE_DIR '$STATE_DIR' is not empty and was not created by start.sh; refusing to use it"
fi
touch "$MARKER"

# Postfix (user postfix) and Dovecot's mail processes (uid $VMAIL_UID) must reach
# the sockets and mail homes under STATE_DIR; mkdtemp makes 0700 directories.
chmod 755 "$STATE_DIR"
dir="$STATE_DIR"
while [[ "$dir" != / ]]; do
  dir=$(dirname "$dir")
  perms=$(stat -c %A "$dir")
  [[ "${perms:9:1}" == [xt] ]] || die "$dir is not searchable by other users (mode $perms); Postfix and Dovecot need to reach $STATE_DIR"
done

IMAP_PORT=${PIMLICO_TEST_IMAP_PORT:-10143}
IMAPS_PORT=${PIMLICO_TEST_IMAPS_PORT:-10993}
SMTP_PORT=${PIMLICO_TEST_SMTP_PORT:-10587}
DAV_PORT=${PIMLICO_TEST_DAV_PORT:-15232}
for p in "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT" "$DAV_PORT"; do
  if ! [[ "$p" =~ ^[0-9]+$ ]] || ((p <= 1024 || p >= 65536)); then
    die "port '$p' must be a number in 1025..65535"
  fi
done
[[ $(printf '%s\n' "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT" "$DAV_PORT" | sort -u | wc -l) -eq 4 ]] ||
  die "the four ports must differ: $IMAP_PORT $IMAPS_PORT $SMTP_PORT $DAV_PORT"

# ---- stop the previous instance, reset data ----------------------------------

"$SCRIPT_DIR/stop.sh" "$STATE_DIR"

# Fail before starting anything if a port is taken by someone else.
for p in "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT" "$DAV_PORT"; do
  ensure_port_free "port check" "$p"
done

rm -rf "$STATE_DIR/dovecot" "$STATE_DIR/postfix" "$STATE_DIR/radicale" "$MAIL_HOME_ROOT" "$LOG_DIR" "$STATE_DIR/servers.json"
mkdir -p "$LOG_DIR"

cat >"$STATE_DIR/env.sh" <<EOF
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
SMTP_PORT=$SMTP_PORT
DAV_PORT=$DAV_PORT
EOF

# If anything below fails, do not leave half the servers running.
trap 'rc=$?; if ((rc != 0)); then "$SCRIPT_DIR/stop.sh" "$STATE_DIR" || true; fi' EXIT

# ---- TLS ----------------------------------------------------------------------

# Self-signed, kept across restarts so a test may hold on to caCertPath.
# The SANs make it verify for both "localhost" and "127.0.0.1".
TLS_DIR="$STATE_DIR/tls"
CERT="$TLS_DIR/cert.pem"
KEY="$TLS_DIR/key.pem"
cert_usable() {
  openssl x509 -in "$CERT" -noout -checkend 86400 >/dev/null 2>&1 &&
    openssl pkey -in "$KEY" -noout >/dev/null 2>&1
}
if ! cert_usable; then
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$KEY" -out "$CERT" -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$LOG_DIR/openssl.log" 2>&1 ||
    die_with_log openssl "$LOG_DIR/openssl.log" "could not create the self-signed certificate"
  chmod 600 "$KEY"
  chmod 644 "$CERT"
fi

# ---- Dovecot --------------------------------------------------------------------

mkdir -p "$DOVECOT_BASE" "$STATE_DIR/dovecot/lib" "$MAIL_HOME_ROOT"
chown "$VMAIL_UID:$VMAIL_GID" "$MAIL_HOME_ROOT"
: >"$STATE_DIR/dovecot/users"
for entry in "${TEST_USERS[@]}"; do
  email=${entry%%:*}
  pass=${entry#*:}
  echo "$email:{PLAIN}$pass:$VMAIL_UID:$VMAIL_GID::$MAIL_HOME_ROOT/$email::" >>"$STATE_DIR/dovecot/users"
  install -d -o "$VMAIL_UID" -g "$VMAIL_GID" -m 700 "$MAIL_HOME_ROOT/$email"
done
chmod 640 "$STATE_DIR/dovecot/users"
chgrp dovecot "$STATE_DIR/dovecot/users"

cat >"$DOVECOT_CONF" <<EOF
# Generated by tests/servers/start.sh. Standalone: nothing from /etc/dovecot.
instance_name = pimlico-test
base_dir = $DOVECOT_BASE
state_dir = $STATE_DIR/dovecot/lib
protocols = imap lmtp
listen = $HOST
log_path = $LOG_DIR/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull

# Loopback only: plain LOGIN without TLS is allowed (STARTTLS and implicit TLS
# are there for TLS tests). No delay after failed logins, to keep tests fast.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $STATE_DIR/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $STATE_DIR/dovecot/users
}
first_valid_uid = $VMAIL_UID
last_valid_uid = $VMAIL_UID
first_valid_gid = $VMAIL_GID
last_valid_gid = $VMAIL_GID

ssl = yes
ssl_cert = <$CERT
ssl_key = <$KEY
ssl_min_protocol = TLSv1.2

# LAYOUT=fs with a separate INBOX dir: "/" as separator, and folder names may
# contain dots (Maildir++ would forbid them).
mail_location = maildir:~/Maildir:LAYOUT=fs:INBOX=~/Maildir/INBOX
# Throwaway data: no fsync, much faster.
mail_fsync = never
postmaster_address = postmaster@$TEST_DOMAIN

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

protocol imap {
  # Sync engines and tests open many parallel connections per user.
  mail_max_userip_connections = 200
}

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}

# Postfix delivers over LMTP and authenticates submission users through
# Dovecot; both sockets are only for the postfix user.
service lmtp {
  unix_listener lmtp-postfix {
    user = postfix
    group = postfix
    mode = 0600
  }
}
service auth {
  unix_listener auth-postfix {
    user = postfix
    group = postfix
    mode = 0600
  }
}
EOF

doveconf -c "$DOVECOT_CONF" -n >"$LOG_DIR/doveconf.log" 2>&1 ||
  die_with_log dovecot "$LOG_DIR/doveconf.log" "invalid generated config $DOVECOT_CONF"

# ---- Postfix --------------------------------------------------------------------

PF="$STATE_DIR/postfix"
mkdir -p "$POSTFIX_CONF_DIR" "$PF/spool" "$PF/data"
# `postfix start` creates the queue directories itself; only data_directory
# must already belong to the mail owner.
chown postfix:postfix "$PF/data"

: >"$POSTFIX_CONF_DIR/vmailbox"
for entry in "${TEST_USERS[@]}"; do
  echo "${entry%%:*} ok" >>"$POSTFIX_CONF_DIR/vmailbox"
done

cat >"$POSTFIX_CONF_DIR/main.cf" <<EOF
# Generated by tests/servers/start.sh: a separate Postfix instance that
# shares nothing with a system Postfix (own config, queue and data dirs, no
# port 25). It delivers $TEST_DOMAIN over LMTP into the test Dovecot and
# discards mail for every other domain: nothing is ever relayed.
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-pimlico-test
# No syslog here: log to a file through postlogd.
maillog_file = $LOG_DIR/postfix.log
maillog_file_prefixes = $LOG_DIR

myhostname = mail.$TEST_DOMAIN
mydomain = $TEST_DOMAIN
myorigin = \$mydomain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
relayhost =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
append_dot_mydomain = no
readme_directory = no

virtual_mailbox_domains = $TEST_DOMAIN
virtual_mailbox_maps = texthash:$POSTFIX_CONF_DIR/vmailbox
virtual_transport = lmtp:unix:$DOVECOT_BASE/lmtp-postfix
# Every other destination goes to discard(8). master.cf has no smtp client
# service at all, so even a misrouted message cannot leave the machine.
default_transport = discard:not-a-test-domain
relay_transport = discard:not-a-test-domain
local_transport = discard:not-a-test-domain

# Submission: AUTH through Dovecot's auth socket; STARTTLS offered but not
# required (loopback only).
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_BASE/auth-postfix
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_tls_cert_file = $CERT
smtpd_tls_key_file = $KEY
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_error_sleep_time = 0

# Mail deferred while Dovecot was down (kill/restart tests) is retried within
# a second or two of it coming back, not minutes later.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
EOF

cat >"$POSTFIX_CONF_DIR/master.cf" <<EOF
# Generated by tests/servers/start.sh. Only the submission listener on
# $HOST:$SMTP_PORT; no smtp (port 25) listener, no smtp client.
# service          type  private unpriv chroot wakeup maxproc command
$HOST:$SMTP_PORT   inet  n       -      n      -      -       smtpd
  -o syslog_name=postfix-pimlico-test/submission
pickup             unix  n       -      n      60     1       pickup
cleanup            unix  n       -      n      -      0       cleanup
qmgr               unix  n       -      n      300    1       qmgr
tlsmgr             unix  -       -      n      1000?  1       tlsmgr
rewrite            unix  -       -      n      -      -       trivial-rewrite
bounce             unix  -       -      n      -      0       bounce
defer              unix  -       -      n      -      0       bounce
trace              unix  -       -      n      -      0       bounce
verify             unix  -       -      n      -      1       verify
flush              unix  n       -      n      1000?  0       flush
proxymap           unix  -       -      n      -      -       proxymap
proxywrite         unix  -       -      n      -      1       proxymap
showq              unix  n       -      n      -      -       showq
error              unix  -       -      n      -      -       error
retry              unix  -       -      n      -      -       error
discard            unix  -       -      n      -      -       discard
lmtp               unix  -       -      n      -      -       lmtp
anvil              unix  -       -      n      -      1       anvil
scache             unix  -       -      n      -      1       scache
postlog            unix-dgram n  -      n      -      1       postlogd
EOF

# No separate `postfix check`: it takes ~2.5 s, and `postfix start` runs the
# fatal checks itself (its output lands in the postfix log, shown on failure).

# ---- Radicale ---------------------------------------------------------------------

RD="$STATE_DIR/radicale"
mkdir -p "$RD/collections/collection-root"
: >"$RD/users"
for entry in "${TEST_USERS[@]}"; do
  email=${entry%%:*}
  echo "$email:${entry#*:}" >>"$RD/users"
  # Pre-created collections: a folder with a .Radicale.props per collection.
  home="$RD/collections/collection-root/$email"
  mkdir -p "$home/calendar" "$home/contacts"
  cat >"$home/calendar/.Radicale.props" <<'EOF'
{"tag": "VCALENDAR", "D:displayname": "Calendar", "C:supported-calendar-component-set": "VEVENT,VTODO,VJOURNAL"}
EOF
  cat >"$home/contacts/.Radicale.props" <<'EOF'
{"tag": "VADDRESSBOOK", "D:displayname": "Contacts"}
EOF
done
chmod 600 "$RD/users"

cat >"$RADICALE_CONF" <<EOF
# Generated by tests/servers/start.sh; --config replaces /etc/radicale/config.
[server]
hosts = $HOST:$DAV_PORT

[auth]
type = htpasswd
htpasswd_filename = $RD/users
htpasswd_encryption = plain
# No delay after failed logins, to keep tests fast.
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = $RD/collections

[web]
type = none

[logging]
level = info
EOF

# ---- start ----------------------------------------------------------------------------

start_dovecot
start_postfix
start_radicale

users_json=""
for entry in "${TEST_USERS[@]}"; do
  users_json+="${users_json:+, }{\"email\": \"${entry%%:*}\", \"password\": \"${entry#*:}\"}"
done

cat >"$STATE_DIR/servers.json.tmp" <<EOF
{
  "stateDir": "$STATE_DIR",
  "domain": "$TEST_DOMAIN",
  "imap": {"host": "$HOST", "port": $IMAP_PORT, "tlsPort": $IMAPS_PORT, "caCertPath": "$CERT"},
  "smtp": {"host": "$HOST", "port": $SMTP_PORT},
  "dav": {"url": "http://$HOST:$DAV_PORT/"},
  "users": [$users_json],
  "logs": {
    "dovecot": "$LOG_DIR/dovecot.log",
    "postfix": "$LOG_DIR/postfix.log",
    "radicale": "$LOG_DIR/radicale.log"
  }
}
EOF
mv "$STATE_DIR/servers.json.tmp" "$STATE_DIR/servers.json"
cat "$STATE_DIR/servers.json"
