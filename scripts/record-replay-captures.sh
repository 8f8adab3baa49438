#!/bin/sh
# Records the captures replay is tested with, SIPp against pubsim's compositor on loopback over
# UDP, with tcpdump, and writes each one's expected summary beside it:
#  - captures/lifecycle-50.pcap: 50 publishers living through scripts/scenarios/publish-lifecycle.xml
#    (outcomes 200, 412 and 423; the compositor's default Min-Expires 60);
#  - captures/auth-20.pcap: 20 publishers behind digest authentication
#    (scripts/scenarios/publish-auth.xml; 401 then 200).
# usage: scripts/record-replay-captures.sh   (needs root for tcpdump, sipp, and a debug build)
set -eu
cd "$(dirname "$0")/.."
PUBSIM=.build/debug/pubsim
PORT=${PORT:-5090}
SCENARIOS=$(pwd)/scripts/scenarios

# record NAME "COMPOSITOR FLAGS" "SIPP ARGUMENTS"
record() {
  out=captures/$1.pcap
  work=$(mktemp -d)
  # shellcheck disable=SC2086
  $PUBSIM compositor --listen "sip:127.0.0.1:$PORT" $2 >/dev/null &
  compositor=$!
  tcpdump -i lo -w "$out" -s 0 udp port "$PORT" >/dev/null 2>&1 &
  dump=$!
  sleep 1
  # shellcheck disable=SC2086
  (cd "$work" && sipp "127.0.0.1:$PORT" $3 -i 127.0.0.1 -p $((PORT + 1)) -timeout 60s -timeout_error \
    >/dev/null 2>&1)
  sleep 1
  kill $dump $compositor
  wait $dump $compositor 2>/dev/null || true
  rm -rf "$work"
  $PUBSIM extract "$out" --summary > "captures/$1.summary.json"
  echo "wrote $out and captures/$1.summary.json"
}

record lifecycle-50 "" "-sf $SCENARIOS/publish-lifecycle.xml -m 50 -r 20 -l 50"
record auth-20 "--auth-realm pubsim.test --credentials captures/auth-20.users.csv" \
  "-sf $SCENARIOS/publish-auth.xml -au recorder -ap recorder-secret -m 20 -r 20 -l 20"
