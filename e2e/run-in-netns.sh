#!/usr/bin/env bash
# Runs the browser E2E (run.mjs) inside the network namespace it was started in, which must be a fresh one:
#   unshare -n -- e2e/run-in-netns.sh [--config FILE]
# Everything the browser talks to (the edge, rtpengine, sipp, the page servers) runs in here too, so WebRTC and SIP
# stay on this namespace's loopback and never touch a real interface.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
die() { echo "run-in-netns: $*" >&2; exit 2; }

command -v ip >/dev/null || die "ip (iproute2) is needed to bring lo up"
command -v node >/dev/null || die "node is needed (Debian: apt-get install nodejs npm)"
[ -d "$HERE/node_modules/playwright-core" ] || die "e2e/node_modules is missing: run 'npm ci' in e2e/ (./sipedge test does it)"

# a namespace with any interface but lo is not ours to use: refuse rather than let WebRTC find a real network
others=$(ip -o link show | awk -F': ' '{print $2}' | grep -v '^lo$' || true)
[ -z "$others" ] || die "not in a private network namespace (interfaces: $(echo $others)); start me with: unshare -n -- $0"
ip link set lo up || die "cannot bring lo up in this namespace"

exec node "$HERE/run.mjs" "$@"
