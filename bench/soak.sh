#!/usr/bin/env bash
# bench/soak.sh - opt-in soak (`SCENARIOS=soak npm run bench`, or directly as root):
# one tincan, 500 clients in one room chatting at SOAK_RATE msgs/s for SOAK_MINUTES
# one-minute steps (the same clients all along: one ircbench sweep whose steps all run at
# the same rate), in a private network namespace like compare.sh. Per minute: message
# p99 (ircbench), tincan's RSS and event-loop delay (its probe). Verdict (bench/report.ts):
# RSS and p99 of the last minute within 10 % of the second minute's.
#
# usage: bench/soak.sh OUT_DIR   (run.sh calls it; needs root for unshare)
# env: SOAK_MINUTES=10 SOAK_RATE=1000 SOAK_STEP_S=60 TINCAN_CMD TINCAN_ARGS TINCAN_DIR
#      BENCH_DIR (where the built ircbench is) SERVER_CORE=0 GEN_CORE=1
set -u
if [ "${SOAK_IN_NS:-}" != 1 ]; then
    [ $# -ge 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
    mkdir -p "$1"
    export SOAK_IN_NS=1
    exec unshare --net -- "$BASH" "${BASH_SOURCE[0]}" "$(cd "$1" && pwd)"
fi
OUT="$1"
MIN="${SOAK_MINUTES:-10}"
RATE="${SOAK_RATE:-1000}"
STEP="${SOAK_STEP_S:-60}"
PORT=17010
ip link set lo up || { echo "soak: cannot bring up lo in the private netns" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
RD="$(mktemp -d "${TMPDIR:-/tmp}/tincan-soak.XXXXXX")"
trap 'kill -TERM "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; rm -rf "$RD"' EXIT
# shellcheck disable=SC2086
(cd "$TINCAN_DIR" && exec taskset -c "${SERVER_CORE:-0}" $TINCAN_CMD serve --host 127.0.0.1 --port "$PORT" --data "$RD" ${TINCAN_ARGS:-}) > "$RD/server.log" 2>&1 &
SRV=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
mkdir -p "$OUT/round1"
# equal-rate steps: a factor just above 1 (ircbench requires > 1) and a ceiling that
# admits exactly MIN steps; a failing step ends the soak early (the report says so)
MAXR="$(python3 -c "print($RATE * 1.0001 ** ($MIN - 0.5))")"
echo "[$(date +%H:%M:%S)] soak: $MIN x ${STEP}s at $RATE msgs/s, 500 clients" >&2
taskset -c "${GEN_CORE:-1}" "$BENCH_DIR/ircbench" --port "$PORT" --server-pid "$SRV" --label tincan --nick-prefix soak \
    --scenario fanout --clients 500 --senders 5 --sweep --rate-start "$RATE" --rate-factor 1.0001 --rate-max "$MAXR" \
    --refine 0 --no-half --no-retry --duration "$STEP" --grace 2 --min-loop-us 10000 --concurrency "${SWEEP_CONC:-8}" \
    --max-time "$((MIN * (STEP + 15) + 120))" > "$OUT/round1/soak-tincan.json" 2> "$OUT/round1/soak-tincan.stderr"
tail -n 30 "$RD/server.log" > "$OUT/round1/soak-tincan.server.log"
