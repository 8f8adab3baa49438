#!/bin/sh
# Installs what pubsim needs from Debian's packages. With "build": only libpcap-dev, which
# building pubsim needs (captures are read with libpcap). Without: also what the tests and
# benchmarks use: SIPp (the peer load generator), Kamailio with its presence modules (the real
# compositor), tshark and tcpdump (the peer dissector and recorder), sipsak (probes), curl,
# openssl (test certificates for TLS), iproute2 and dnsmasq-base (scripts/netlab.py's
# network-namespace lab with its own DNS zone), and python3-jsonschema (outputs checked against
# docs/schema).
# Idempotent; needs root (or sudo) and apt-get.
set -eu
packages="libpcap-dev"
if [ "${1:-}" != "build" ]; then
  packages="$packages sip-tester kamailio kamailio-presence-modules kamailio-sqlite-modules sipsak tshark tcpdump curl openssl iproute2 dnsmasq-base python3-jsonschema"
fi
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && { echo "peers already installed"; exit 0; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
