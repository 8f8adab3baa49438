#!/bin/sh
# Records captures/lifecycle-50.pcap: 50 SIPp publishers, each living through
# scripts/scenarios/publish-lifecycle.xml (outcomes 200, 412 and 423) against pubsim's compositor
# (default Min-Expires 60) on loopback, over UDP, with tcpdump. Then writes the expected summary
# beside it. Replay tests hold the live outcomes to these recorded ones.
# usage: scripts/record-lifecycle-capture.sh   (needs root for tcpdump, sipp, and a debug build)
set -eu
cd "$(dirname "$0")/.."
PUBSIM=.build/debug/pubsim
PORT=${PORT:-5090}
OUT=captures/lifecycle-50.pcap
WORK=$(mktemp -d)
$PUBSIM compositor --listen "sip:127.0.0.1:$PORT" >/dev/null &
COMPOSITOR=$!
tcpdump -i lo -w "$OUT" -s 0 udp port "$PORT" >/dev/null 2>&1 &
DUMP=$!
sleep 1
(cd "$WORK" && sipp "127.0.0.1:$PORT" -sf "$OLDPWD/scripts/scenarios/publish-lifecycle.xml" -m 50 -r 20 -l 50 \
  -i 127.0.0.1 -p $((PORT + 1)) -timeout 60s -timeout_error >/dev/null 2>&1)
sleep 1
kill -INT $DUMP $COMPOSITOR
wait $DUMP $COMPOSITOR 2>/dev/null || true
rm -rf "$WORK"
$PUBSIM extract "$OUT" --summary > captures/lifecycle-50.summary.json
echo "wrote $OUT and captures/lifecycle-50.summary.json"
