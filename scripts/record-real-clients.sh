#!/bin/sh
# Records real SIP clients publishing presence (SIP PUBLISH, RFC 3903) to Kamailio on loopback, so
# that `pubsim replay` can be held to the form of what real clients send:
#  - captures/baresip-kamailio.pcap, captures/baresip-kamailio-tcp.pcap: baresip 1.0 (Debian
#    baresip-core), presence module, accounts alice and bob (pubint=60: initial PUBLISH, two
#    status changes, a refresh 54 s after the last one, the remove at quit) and dave (pubint=30:
#    Kamailio answers 423, baresip gives up, and at quit still sends its remove, Expires: 0 with no
#    SIP-If-Match, which Kamailio answers 400);
#  - captures/linphone-kamailio.pcap, captures/linphone-kamailio-tcp.pcap: linphonec 5.1 (Debian
#    linphone-cli), accounts carol, erin and frank with publish=1, publish_expires=60. Linphone
#    publishes only once registered, so Kamailio runs with -A WITH_REGISTRAR and the captures hold
#    REGISTER transactions too. linphonec 5.1 has no command to change the presence status: what it
#    sends is the initial PUBLISH, a refresh every 54 s (the whole body again, with SIP-If-Match)
#    and the remove at quit (over UDP without Content-Length, which Kamailio answers 400).
# Each recording: a fresh Kamailio (scripts/kamailio/kamailio.cfg, UDP and TCP port $PORT on
# 127.0.0.1, state in a temporary folder), tcpdump on lo for port $PORT, one client run in a
# temporary folder and driven through its standard input with sleeps, then everything stopped.
# Takes about 7 minutes. Nothing leaves loopback.
# usage: scripts/record-real-clients.sh   (needs root for tcpdump; needs kamailio, sqlite3,
#   tcpdump, baresip and linphonec: apt-get install --no-install-recommends kamailio sqlite3
#   tcpdump baresip-core linphone-cli)
set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd)
PORT=${PORT:-5070}
BARESIP_PORT=${BARESIP_PORT:-5080}
LINPHONE_PORT=${LINPHONE_PORT:-5090}
CFG=$REPO/scripts/kamailio/kamailio.cfg
SQL=/usr/share/kamailio/db_sqlite

for tool in kamailio kamcmd sqlite3 tcpdump baresip linphonec timeout; do
  command -v "$tool" >/dev/null || { echo "record-real-clients: $tool is missing" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "record-real-clients: needs root (tcpdump)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pubsim-real-clients.XXXXXX)
KAMAILIO=
DUMP=
CLIENT=

# Stops what one recording started (client, tcpdump, Kamailio), each by its process id.
stop_all() {
  exec 3>&-
  if [ -n "$CLIENT" ]; then kill "$CLIENT" 2>/dev/null || true; wait "$CLIENT" 2>/dev/null || true; fi
  CLIENT=
  if [ -n "$DUMP" ]; then kill "$DUMP" 2>/dev/null || true; wait "$DUMP" 2>/dev/null || true; fi
  DUMP=
  if [ -n "$KAMAILIO" ]; then
    kill "$KAMAILIO" 2>/dev/null || true
    # Kamailio's main process stops its children before it exits (bounded: 10 s, then KILL).
    i=0
    while kill -0 "$KAMAILIO" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    kill -9 "$KAMAILIO" 2>/dev/null || true
    wait "$KAMAILIO" 2>/dev/null || true
  fi
  KAMAILIO=
}
cleanup() {
  status=$?
  stop_all
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# start_kamailio RUNDIR: Kamailio in the foreground of a background job, waits until it answers.
start_kamailio() {
  run=$1
  mkdir -p "$run"
  sqlite3 "$run/presence.sqlite" < "$SQL/standard-create.sql"
  sqlite3 "$run/presence.sqlite" < "$SQL/presence-create.sql"
  kamailio -DD -E -f "$CFG" "--substdef=!PORT!$PORT!" "--substdef=!RUNDIR!$run!" -A WITH_REGISTRAR \
    -n 2 -m 64 -M 8 -Y "$run" -P "$run/kamailio.pid" -w "$run" </dev/null >"$run/kamailio.log" 2>&1 &
  KAMAILIO=$!
  i=0
  until kamcmd -s "unix:$run/kamailio.ctl" core.uptime >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$KAMAILIO" 2>/dev/null; then
      echo "record-real-clients: Kamailio did not start:" >&2; tail -20 "$run/kamailio.log" >&2; exit 1
    fi
    sleep 0.2
  done
}

# start_dump FILE: tcpdump on lo for the server's port, waits until it listens.
start_dump() {
  tcpdump -i lo -s 0 -U -Z root -w "$1" port "$PORT" </dev/null >"$1.log" 2>&1 &
  DUMP=$!
  i=0
  until grep -q "listening on" "$1.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 50 ] || ! kill -0 "$DUMP" 2>/dev/null; then
      echo "record-real-clients: tcpdump did not start:" >&2; cat "$1.log" >&2; exit 1
    fi
    sleep 0.2
  done
  sleep 0.5
}

# start_client DIR LIMIT COMMAND...: runs COMMAND in DIR (at most LIMIT seconds) reading the fifo
# DIR/stdin, which file descriptor 3 then holds open for say().
start_client() {
  dir=$1 limit=$2
  shift 2
  mkfifo "$dir/stdin"
  (cd "$dir" && exec timeout -k 5 "$limit" "$@" <"$dir/stdin" >"$dir/client.log" 2>&1) &
  CLIENT=$!
  exec 3>"$dir/stdin"
}
say() { printf '%s' "$1" >&3; }

# finish NAME DIR: waits for the client to quit (bounded by its timeout), stops the rest, keeps
# the capture.
finish() {
  wait "$CLIENT" || { echo "record-real-clients: $1: client failed:" >&2; tail -20 "$2/client.log" >&2; exit 1; }
  CLIENT=
  sleep 1
  stop_all
  cp "$WORK/$1.pcap" "captures/$1.pcap"
  echo "wrote captures/$1.pcap"
}

# record_baresip NAME TRANSPORT
record_baresip() {
  name=$1 transport=$2
  dir=$WORK/$name
  mkdir -p "$dir"
  start_kamailio "$dir/kamailio"
  start_dump "$WORK/$name.pcap"
  if [ "$transport" = tcp ]; then
    # baresip 1.0 takes the transport from the route, not from the address of record.
    route=";outbound=\"sip:127.0.0.1:$PORT;transport=tcp\""
  else
    route=
  fi
  cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$BARESIP_PORT
module_path		/usr/lib/baresip/modules
module			stdio.so
module_app		account.so
module_app		menu.so
module_app		presence.so
EOF
  cat >"$dir/accounts" <<EOF
<sip:alice@127.0.0.1:$PORT;transport=$transport>;regint=0;pubint=60$route
<sip:bob@127.0.0.1:$PORT;transport=$transport>;regint=0;pubint=60$route
<sip:dave@127.0.0.1:$PORT;transport=$transport>;regint=0;pubint=30$route
EOF
  start_client "$dir" 100 baresip -f "$dir" -t 90
  # At start: initial PUBLISH (basic "unknown"). Status changes are modifies (body and
  # SIP-If-Match); baresip refreshes 54 s (0.9 x pubint) after the last 200, without a body.
  sleep 4; say '/presence_offline
'
  sleep 4; say '/presence_online
'
  sleep 59; say 'q'
  finish "$name" "$dir"
}

# record_linphone NAME TRANSPORT
record_linphone() {
  name=$1 transport=$2
  dir=$WORK/$name
  mkdir -p "$dir/home/.local/share/linphone"
  start_kamailio "$dir/kamailio"
  start_dump "$WORK/$name.pcap"
  if [ "$transport" = tcp ]; then
    ports="sip_port=-1
sip_tcp_port=$LINPHONE_PORT"
  else
    ports="sip_port=$LINPHONE_PORT
sip_tcp_port=-1"
  fi
  {
    printf '[sip]\n%s\nsip_tls_port=-1\ndefault_proxy=0\nuse_ipv6=0\n\n' "$ports"
    printf '[sound]\nplayback_dev_id=\ncapture_dev_id=\nringer_dev_id=\n\n'
    printf '[video]\ncapture=0\ndisplay=0\n\n'
    n=0
    for user in carol erin frank; do
      printf '[proxy_%s]\nreg_proxy=<sip:127.0.0.1:%s;transport=%s>\nreg_identity=sip:%s@127.0.0.1\n' \
        "$n" "$PORT" "$transport" "$user"
      printf 'reg_expires=3600\nreg_sendregister=1\npublish=1\npublish_expires=60\n\n'
      n=$((n + 1))
    done
  } >"$dir/linphonerc"
  start_client "$dir" 150 env "HOME=$dir/home" linphonec -c "$dir/linphonerc" -d 0
  # REGISTER, then the initial PUBLISH; refreshes at 54 s and 108 s; remove and REGISTER
  # Expires 0 at quit.
  sleep 115; say 'quit
'
  finish "$name" "$dir"
}

mkdir -p captures
record_baresip baresip-kamailio udp
record_baresip baresip-kamailio-tcp tcp
record_linphone linphone-kamailio udp
record_linphone linphone-kamailio-tcp tcp
