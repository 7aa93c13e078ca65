#!/usr/bin/env bash
# The operations page check (ops-page.mjs) inside the fresh network namespace it was started in:
#   unshare -n -- e2e/ops-page-in-netns.sh SOCKET PORT URL OUT_DIR CHROMIUM AORS CALLEE
# The edge runs outside; its admin listener is reached through SOCKET, a Unix socket the test bridges to the edge's
# 127.0.0.1:PORT (the file system is shared between namespaces, the network is not): socat here listens on this
# namespace's 127.0.0.1:PORT and connects each browser connection to SOCKET. Chromium sees only this loopback.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
die() { echo "ops-page-in-netns: $*" >&2; exit 2; }
[ $# -eq 7 ] || die "usage: $0 SOCKET PORT URL OUT_DIR CHROMIUM AORS CALLEE"
sock=$1 port=$2
others=$(ip -o link show | awk -F': ' '{print $2}' | grep -v '^lo$' || true)
[ -z "$others" ] || die "not in a private network namespace (interfaces: $(echo $others)); start me with unshare -n"
ip link set lo up || die "cannot bring lo up in this namespace"
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$sock" &
bridge=$!
trap 'kill $bridge 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
node "$HERE/ops-page.mjs" "$3" "$4" "$5" "$6" "$7"
