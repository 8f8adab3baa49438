#!/bin/sh
# Installs what pubsim needs from Debian's packages. With "build": only libpcap-dev and
# zlib1g-dev, which building pubsim needs (captures are read with libpcap; HdrHistogram logs
# are compressed with zlib). Without: also what the tests and
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
packages="$packages zlib1g-dev"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends $missing
else
  echo "peers already installed"
fi
# HdrHistogram's Python library (PyPI), which the tests read --hdr-log output back with.
if [ "${1:-}" != "build" ] && ! python3 -c "import hdrh" 2>/dev/null; then
  python3 -m pip install --quiet hdrhistogram 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages hdrhistogram \
    || echo "warning: hdrhistogram (PyPI) did not install; the --hdr-log test will be skipped" >&2
fi
# Kubernetes' API schemas (PyPI kubernetes-validate), which deploy/kubernetes is checked against
# without a cluster (scripts/check-kubernetes.py).
if [ "${1:-}" != "build" ] && ! python3 -c "import kubernetes_validate" 2>/dev/null; then
  python3 -m pip install --quiet kubernetes-validate 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages kubernetes-validate \
    || echo "warning: kubernetes-validate (PyPI) did not install; the manifest check will be skipped" >&2
fi
