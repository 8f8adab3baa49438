#!/bin/sh
# Records captures/own-traffic.pcap: pubsim's own PUBLISH traffic on loopback against its
# compositor (5 % of requests dropped, so UDP retransmissions and unanswered TCP requests appear),
# over UDP and TCP, with tcpdump. Then writes the expected summary beside it.
# usage: scripts/record-sample-capture.sh   (needs root for tcpdump, and a debug build)
set -eu
cd "$(dirname "$0")/.."
PUBSIM=.build/debug/pubsim
PORT=${PORT:-5070}
OUT=captures/own-traffic.pcap
$PUBSIM compositor --listen "sip:127.0.0.1:$PORT" --listen "sip:127.0.0.1:$PORT;transport=tcp" --drop 0.05 >/dev/null &
COMPOSITOR=$!
tcpdump -i lo -w "$OUT" -s 0 port "$PORT" >/dev/null 2>&1 &
DUMP=$!
sleep 1
$PUBSIM run profiles/quickstart.yaml --target "sip:127.0.0.1:$PORT" --duration 4s --publishers 200 >/dev/null
$PUBSIM run profiles/quickstart.yaml --target "sip:127.0.0.1:$PORT;transport=tcp" --duration 3s --publishers 100 \
  --cleanup >/dev/null
sleep 8
kill $DUMP $COMPOSITOR
wait $DUMP $COMPOSITOR 2>/dev/null || true
$PUBSIM extract "$OUT" --summary > captures/own-traffic.summary.json
echo "wrote $OUT and captures/own-traffic.summary.json"
