#!/usr/bin/env bash
# Instructions the built gateway executes per request, counted by valgrind's callgrind: unlike CPU time on a shared
# VM, the count hardly moves with what else the machine runs, so two trees can be compared one after the other.
#
#   npm run build && bench/instructions-per-request.sh oai            # OpenAI → openai passthrough, JSON
#   bench/instructions-per-request.sh ant_s 1000 1000                 # Anthropic passthrough, 50-chunk stream
#   PROJECT_DIR=/path/to/other/checkout bench/instructions-per-request.sh oai   # measure another built tree
#
# Routes: oai, ant (passthrough), oai_ant, ant_oai (translated); `_s` = a streamed answer. Arguments: route, warm-up
# request count (3000), measured request count (3000). The gateway (under valgrind, instrumentation off) and the
# harness's mock upstream (../shared/bench-peers/mock-upstream.mjs) run on 127.0.0.1 (MOCK_PORT 18000, GATEWAY_PORT
# 18101); after the warm-up requests instrumentation is switched on for the measured ones only. Kernel time (socket
# syscalls) is not counted, and V8's background compilation is: keep the warm-up long enough that tiering settled.
set -euo pipefail
route=${1:?route: oai | ant | oai_ant | ant_oai, optionally with _s}
warm=${2:-3000}
count=${3:-3000}
bench_dir=$(cd "$(dirname "$0")" && pwd)
project_dir=${PROJECT_DIR:-$(dirname "$bench_dir")}
peers_dir=${BENCH_PEERS_DIR:-$(dirname "$bench_dir")/../shared/bench-peers}
mock_port=${MOCK_PORT:-18000}
gateway_port=${GATEWAY_PORT:-18101}
node_bin=${NODE_BIN:-$(dirname "$bench_dir")/node_modules/node/bin/node}
command -v valgrind > /dev/null || { echo "valgrind is missing: apt-get install -y valgrind (as root)" >&2; exit 2; }
[ -f "$project_dir/dist/cli/main.js" ] || { echo "no build in $project_dir: run npm run build" >&2; exit 2; }
work=$(mktemp -d /tmp/switchyard-instructions.XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; sleep 1; for pid in "${pids[@]}"; do kill -9 "$pid" 2> /dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
PORT=$mock_port "$node_bin" "$peers_dir/mock-upstream.mjs" > "$work/mock.log" 2>&1 &
pids+=($!)
# The heap flags and malloc arena cap `serve` would re-execute itself with are given up front, so valgrind follows one process.
(cd "$project_dir" && exec env NODE_ENV=production MALLOC_ARENA_MAX=2 SWITCHYARD_HOST=127.0.0.1 SWITCHYARD_PORT="$gateway_port" \
  SWITCHYARD_DATA_DIR="$work/data" OPENAI_API_BASE="http://127.0.0.1:$mock_port/v1" OPENAI_API_KEY=sk-bench \
  ANTHROPIC_API_BASE="http://127.0.0.1:$mock_port" ANTHROPIC_API_KEY=sk-bench \
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file="$work/callgrind.out" \
  "$node_bin" --max-semi-space-size=8 --max-old-space-size=512 dist/cli/main.js serve > "$work/gateway.log" 2> "$work/valgrind.log") &
gateway=$!
pids+=("$gateway")
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$gateway_port/health" && break; sleep 0.2; done
send() { GATEWAY_URL="http://127.0.0.1:$gateway_port" "$node_bin" "$bench_dir/send-fixed-requests.ts" "$route" "$1" 8; }
send "$warm" > /dev/null
callgrind_control -i on "$gateway" > /dev/null
send "$count"
callgrind_control -i off "$gateway" > /dev/null
callgrind_control -d "$gateway" > /dev/null
sleep 1
# One file per thread: thread 1 is the event loop (the request path); the others are V8's compiler and GC helpers and
# libuv's pool, whose share of a window moves by ±5 % from run to run (main-thread counts move by ~2 %).
instructions=$(grep -h "^summary\|^totals" "$work"/callgrind.out* | awk '{ total += $2 } END { print total }')
main_thread=$(grep -h "^summary\|^totals" "$work"/callgrind.out*-01 | awk '{ total += $2 } END { print total }')
echo "$route ($project_dir): $((instructions / count)) instructions per request ($((main_thread / count)) on the main thread)"
