#!/bin/sh
# Records the captures replay is tested with, SIPp against pubsim's compositor on loopback over
# UDP, with tcpdump, and writes each one's expected summary beside it:
#  - captures/lifecycle-50.pcap: 50 publishers living through scripts/scenarios/publish-lifecycle.xml
#    (outcomes 200, 412 and 423; the compositor's default Min-Expires 60);
#  - captures/auth-20.pcap: 20 publishers behind digest authentication
#    (scripts/scenarios/publish-auth.xml; 401 then 200);
#  - captures/population-450.pcap: a stochastic population of 450 publishers for fitting a
#    population model, two SIPp instances at once through scripts/scenarios/publish-population.xml:
#    300 presence publishers (PIDF, Expires 600, users pop1..., 10 new per second) and 150 dialog
#    publishers (dialog-info, Expires 300, users dlg1..., 5 new per second); each publishes, then
#    after exponential pauses (mean 2 s) removes (0.2, the end of its life), refreshes (0.3) or
#    modifies (0.5). Every answer is 200; it takes a minute or so (the capture differs each time).
# usage: scripts/record-replay-captures.sh [NAME...]   (NAMEs: lifecycle-50 auth-20 population-450;
#   all of them by default; needs root for tcpdump, sipp, and a build: PUBSIM=path/to/pubsim
#   overrides the debug build)
set -eu
cd "$(dirname "$0")/.."
PUBSIM=${PUBSIM:-.build/debug/pubsim}
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

# population NAME: the presence and the dialog publishers of publish-population.xml at once, each
# SIPp instance on its own local port, under one tcpdump.
population() {
  out=captures/$1.pcap
  work=$(mktemp -d)
  $PUBSIM compositor --listen "sip:127.0.0.1:$PORT" >/dev/null &
  compositor=$!
  tcpdump -i lo -w "$out" -s 0 udp port "$PORT" >/dev/null 2>&1 &
  dump=$!
  sleep 1
  started=$(date +%s)
  (cd "$work" && exec timeout 200 sipp "127.0.0.1:$PORT" -sf "$SCENARIOS/publish-population.xml" \
    -set event presence -set expires 600 -set prefix pop -m 300 -r 10 -l 400 \
    -i 127.0.0.1 -p $((PORT + 1)) -timeout 180s -timeout_error -trace_err >/dev/null 2>&1) &
  presence=$!
  (cd "$work" && exec timeout 200 sipp "127.0.0.1:$PORT" -sf "$SCENARIOS/publish-population.xml" \
    -set event dialog -set expires 300 -set prefix dlg -m 150 -r 5 -l 400 \
    -i 127.0.0.1 -p $((PORT + 2)) -timeout 180s -timeout_error -trace_err >/dev/null 2>&1) &
  dialog=$!
  failed=0
  wait $presence || failed=1
  wait $dialog || failed=1
  echo "$1: SIPp ran $(($(date +%s) - started)) s"
  sleep 1
  kill $dump $compositor
  wait $dump $compositor 2>/dev/null || true
  if [ $failed -ne 0 ]; then
    echo "$1: a SIPp instance failed; its errors are in $work" >&2
    return 1
  fi
  rm -rf "$work"
  $PUBSIM extract "$out" --summary > "captures/$1.summary.json"
  echo "wrote $out and captures/$1.summary.json"
}

[ $# -gt 0 ] || set -- lifecycle-50 auth-20 population-450
for name in "$@"; do
  case $name in
    lifecycle-50) record lifecycle-50 "" "-sf $SCENARIOS/publish-lifecycle.xml -m 50 -r 20 -l 50" ;;
    auth-20)
      record auth-20 "--auth-realm pubsim.test --credentials captures/auth-20.users.csv" \
        "-sf $SCENARIOS/publish-auth.xml -au recorder -ap recorder-secret -m 20 -r 20 -l 20"
      ;;
    population-450) population population-450 ;;
    *) echo "unknown recording: $name (lifecycle-50, auth-20 or population-450)" >&2; exit 2 ;;
  esac
done
