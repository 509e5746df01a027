# Shared by start.sh, stop.sh and ctl.sh; sourced, not run.
# shellcheck shell=bash
# Expects STATE_DIR to be set to an absolute path.
# shellcheck disable=SC2034 # variables here are used by the sourcing scripts

# Never let background daemons become process-group leaders of their own
# through job control: `setsid cmd &` then execs in place and $! is the
# daemon's real PID.
set +m

TEST_DOMAIN=pimlico.test
# email:password; Radicale uses the same names and passwords.
TEST_USERS=("alice@${TEST_DOMAIN}:alice-pass" "bob@${TEST_DOMAIN}:bob-pass")
# Dovecot refuses to access mail as root; no system user is needed for this.
VMAIL_UID=5000
VMAIL_GID=5000
HOST=127.0.0.1

LOG_DIR="$STATE_DIR/logs"
DOVECOT_CONF="$STATE_DIR/dovecot/dovecot.conf"
DOVECOT_BASE="$STATE_DIR/dovecot/run"
POSTFIX_CONF_DIR="$STATE_DIR/postfix/conf"
RADICALE_CONF="$STATE_DIR/radicale/config"
MAIL_HOME_ROOT="$STATE_DIR/mail"

die() {
  echo "pimlico test servers: $*" >&2
  exit 1
}

# die with the tail of a server's log, which is where the real reason is.
die_with_log() {
  local server=$1 log=$2
  shift 2
  {
    echo "pimlico test servers: $server: $*"
    if [[ -s "$log" ]]; then
      echo "---- last lines of $log ----"
      tail -n 25 "$log"
    else
      echo "(log $log is empty or missing)"
    fi
  } >&2
  exit 1
}

# True if anything listens on TCP port $1 (any local address, IPv4 or IPv6).
# Read from /proc rather than by connecting, so checks leave no half-open
# sessions behind (an IMAP login process caught mid-startup delays Dovecot's
# shutdown by 5 s).
port_listening() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# greeting_ok PORT PREFIX BYE: connect, expect a greeting line starting with
# PREFIX, say BYE and hang up, as a well-behaved client would.
greeting_ok() {
  local port=$1 prefix=$2 bye=$3 line
  { exec 3<>"/dev/tcp/$HOST/$port"; } 2>/dev/null || return 1
  if IFS= read -r -t 2 line <&3 && [[ "$line" == "$prefix"* ]]; then
    printf '%s\r\n' "$bye" >&3 2>/dev/null || true
    IFS= read -r -t 2 line <&3 || true
    exec 3<&-
    return 0
  fi
  exec 3<&-
  return 1
}

# wait_until SERVER PID LOG WHAT CMD...: poll CMD until it succeeds, failing
# fast with the server's log if the daemon died instead.
wait_until() {
  local server=$1 pid=$2 log=$3 what=$4 deadline=$((SECONDS + 15))
  shift 4
  while ((SECONDS < deadline)); do
    "$@" && return 0
    alive "$pid" || die_with_log "$server" "$log" "exited during startup (pid $pid) before $what"
    sleep 0.05
  done
  die_with_log "$server" "$log" "no $what within 15 s"
}

wait_for_port_closed() {
  local server=$1 port=$2 i
  for ((i = 0; i < 200; i++)); do
    port_listening "$port" || return 0
    sleep 0.05
  done
  die "$server: something still listens on port $port after stopping"
}

ensure_port_free() {
  local server=$1 port=$2
  if port_listening "$port"; then
    die "$server: port $port is already in use (another test-server state dir? run its stop.sh, or set the PIMLICO_TEST_*_PORT variables)"
  fi
}

# A PID file is only trusted when that PID still runs the expected program,
# so a stale file can never make us kill an unrelated process.
pid_matches() {
  local pid=$1 expected=$2 comm
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ "$comm" =~ $expected ]]
}

# Running and not a zombie (an exited daemon whose new parent has not reaped
# it yet must count as gone).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

# Live members of process group $1.
group_alive() {
  ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# stop_by_pidfile NAME PIDFILE COMM_REGEX: SIGTERM the recorded PID and wait
# until it has exited; SIGKILL after 10 s.
stop_by_pidfile() {
  local name=$1 pidfile=$2 expected=$3 pid i
  [[ -f "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  if pid_matches "$pid" "$expected"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      alive "$pid" || break
      sleep 0.05
    done
    if alive "$pid"; then
      echo "pimlico test servers: $name (pid $pid) still running 10 s after SIGTERM, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        alive "$pid" || break
        sleep 0.05
      done
      alive "$pid" && die "$name (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$pidfile"
}

# ---- Dovecot ---------------------------------------------------------------

start_dovecot() {
  local log="$LOG_DIR/dovecot.log" pid
  ensure_port_free dovecot "$IMAP_PORT"
  ensure_port_free dovecot "$IMAPS_PORT"
  # -F: stay in the foreground so $! is the master. Output goes to the log,
  # never to our stdout: the master keeps it open, and a caller reading our
  # output through a pipe would otherwise never see end-of-file.
  setsid /usr/sbin/dovecot -F -c "$DOVECOT_CONF" </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$STATE_DIR/dovecot.pid"
  # The greeting comes only once auth is ready, so this means "usable".
  wait_until dovecot "$pid" "$log" "IMAP greeting on $HOST:$IMAP_PORT" greeting_ok "$IMAP_PORT" "* OK" "a LOGOUT"
  wait_until dovecot "$pid" "$log" "listener on $HOST:$IMAPS_PORT" port_listening "$IMAPS_PORT"
}

stop_dovecot() {
  stop_by_pidfile dovecot "$STATE_DIR/dovecot.pid" '^dovecot$'
}

# Simulates a crash or a dropped server: SIGKILL to the whole process group
# (setsid made the master its leader), so every connection dies at once and
# nothing waits for a clean shutdown (which takes Dovecot ~2.5 s).
kill_dovecot() {
  local pidfile="$STATE_DIR/dovecot.pid" pid i
  [[ -f "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  if pid_matches "$pid" '^dovecot$'; then
    kill -KILL -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      group_alive "$pid" || break
      sleep 0.05
    done
    group_alive "$pid" && die "dovecot processes of group $pid survived SIGKILL"
  fi
  # Dovecot refuses to start while master.pid names a live PID, and the killed
  # master may linger as a zombie until PID 1 reaps it.
  rm -f "$pidfile" "$DOVECOT_BASE/master.pid"
}

doveadm_() {
  /usr/bin/doveadm -c "$DOVECOT_CONF" "$@"
}

# ---- Postfix ---------------------------------------------------------------

start_postfix() {
  local log="$LOG_DIR/postfix.log" pid="" i
  ensure_port_free postfix "$SMTP_PORT"
  if ! /usr/sbin/postfix -c "$POSTFIX_CONF_DIR" start </dev/null >>"$log" 2>&1; then
    die_with_log postfix "$log" "'postfix -c $POSTFIX_CONF_DIR start' failed"
  fi
  # `postfix start` returns once the master is up and has written its PID.
  for ((i = 0; i < 100; i++)); do
    pid=$(tr -d ' ' 2>/dev/null <"$STATE_DIR/postfix/spool/pid/master.pid") || true
    [[ -n "$pid" ]] && break
    sleep 0.05
  done
  [[ -n "$pid" ]] || die_with_log postfix "$log" "master.pid not written"
  echo "$pid" >"$STATE_DIR/postfix.pid"
  wait_until postfix "$pid" "$log" "SMTP greeting on $HOST:$SMTP_PORT" greeting_ok "$SMTP_PORT" "220 " "QUIT"
}

stop_postfix() {
  # SIGTERM to the master is what `postfix stop` does; it ends its children.
  stop_by_pidfile postfix "$STATE_DIR/postfix.pid" '^master$'
}

# ---- Radicale --------------------------------------------------------------

start_radicale() {
  local log="$LOG_DIR/radicale.log" pid
  ensure_port_free radicale "$DAV_PORT"
  # Debian's radicale script runs on /usr/bin/python3, whatever python3 is
  # first on PATH; call it by full path so PATH tweaks cannot break it.
  setsid /usr/bin/radicale --config "$RADICALE_CONF" </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$STATE_DIR/radicale.pid"
  wait_until radicale "$pid" "$log" "listener on $HOST:$DAV_PORT" port_listening "$DAV_PORT"
}

stop_radicale() {
  stop_by_pidfile radicale "$STATE_DIR/radicale.pid" '^(radicale|python3.*)$'
}

# ---- state ------------------------------------------------------------------

# Ports chosen by start.sh, so ctl.sh restarts Dovecot on the same ones.
load_env() {
  [[ -f "$STATE_DIR/env.sh" ]] || die "$STATE_DIR/env.sh missing: run start.sh $STATE_DIR first"
  # shellcheck source=/dev/null
  source "$STATE_DIR/env.sh"
}

user_password() {
  local email=$1 entry
  for entry in "${TEST_USERS[@]}"; do
    [[ "${entry%%:*}" == "$email" ]] && { echo "${entry#*:}"; return 0; }
  done
  return 1
}
