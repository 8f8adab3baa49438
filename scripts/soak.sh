#!/bin/sh
# Soak: steady presence churn (profiles/soak.yaml) against the embedded compositor and against
# Kamailio, MINUTES each, with pubsim's and the server's memory and CPU sampled every minute.
# Fails when pubsim's or the compositor's RSS grows more than 5 % after the warm-up.
# usage: scripts/soak.sh MINUTES [--only compositor|kamailio] [--json FILE]
exec python3 "$(dirname "$0")/soak.py" "$@"
