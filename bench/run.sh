#!/usr/bin/env bash
# bench/run.sh - `npm run bench`: tincan against ngIRCd and InspIRCd (and the relay /
# noderelay yardsticks) in one run, on this machine, with ../shared/ircbench.
#
# Needs: Linux, root (compare.sh runs everything in a private network namespace with
# `unshare`), gcc + make, python3, and the reference servers:
#     sudo apt-get install ngircd inspircd
# Missing reference servers are left out of the run (with a warning), never faked.
#
# Environment (all optional; everything else is passed through to compare.sh):
#   IRCBENCH_DIR=../shared/ircbench   where ircbench.c / compare.sh live
#   SERVERS="tincan ngircd inspircd relay noderelay"
#   SCENARIOS="fanout500 lat500 dm500 conn10k"   opt-in: fanout2000 (2,000 clients in one
#                              room), soak (bench/soak.sh: 500 clients, SOAK_MINUTES=10
#                              one-minute steps at SOAK_RATE=1000 msgs/s; tincan only)
#                              cluster500 (default on: bench/cluster.ts, fanout500 over
#                              three nodes on Redis + PostgreSQL vs one node, once per run;
#                              needs redis-server and PostgreSQL; CLUSTER_* settings there)
#   ROUNDS=3                   every scenario this many times (servers interleaved);
#                              the report gives median [min-max] and checks targets per round
#   SWEEP_CONC=8 CONN_CONC=8   setup concurrency for EVERY server in the run (ngIRCd
#                              listens with a backlog of 10; see compare.sh)
#   TINCAN_ARGS=""             extra tincan flags, appended after --config bench/bench.json --quiet --no-mdns
#   TINCAN_NODE_ARGS=""        node flags for tincan, for profiling: "--cpu-prof --cpu-prof-dir=/tmp/prof"
#   BENCH_OUT=bench/out/<time> where the JSON results go
#   BENCH_SKIP_BUILD=1         use the existing dist/ (no `npm run build`)
#   BENCH_NICE=-19             scheduling priority of the whole run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "npm run bench: $*" >&2; exit 1; }

if [ -z "${IRCBENCH_DIR:-}" ]; then
    # a checkout next to shared/, or a git worktree one level further down
    IRCBENCH_DIR="$ROOT/../shared/ircbench"
    [ -f "$IRCBENCH_DIR/compare.sh" ] || [ ! -f "$ROOT/../../shared/ircbench/compare.sh" ] || IRCBENCH_DIR="$ROOT/../../shared/ircbench"
fi
[ -f "$IRCBENCH_DIR/compare.sh" ] && [ -f "$IRCBENCH_DIR/ircbench.c" ] ||
    die "ircbench not found at $IRCBENCH_DIR (set IRCBENCH_DIR to the folder holding ircbench.c and compare.sh)"
IRCBENCH_DIR="$(cd "$IRCBENCH_DIR" && pwd)"

[ "$(uname -s)" = Linux ] || die "the IRC benchmark needs Linux (network namespaces, taskset, /proc)"
[ "$(id -u)" = 0 ] || die "run as root (compare.sh uses unshare --net to get a private loopback): sudo npm run bench"
for tool in gcc make python3 unshare taskset setpriv; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (Debian/Ubuntu: sudo apt-get install build-essential python3 util-linux)"
done

# ---- ircbench binaries: built in place, or in a copy when that folder is read-only ----
BENCH_DIR="$IRCBENCH_DIR"
if ! make -q -C "$BENCH_DIR" >/dev/null 2>&1; then
    if [ -w "$BENCH_DIR" ]; then
        echo "building ircbench in $BENCH_DIR" >&2
        make -s -C "$BENCH_DIR" >&2 || die "building ircbench failed"
    else
        BENCH_DIR="$ROOT/bench/out/ircbench"
        mkdir -p "$BENCH_DIR"
        cp -R "$IRCBENCH_DIR"/. "$BENCH_DIR"/
        chmod -R u+w "$BENCH_DIR"
        echo "building ircbench in $BENCH_DIR (copy; $IRCBENCH_DIR is read-only)" >&2
        make -s -C "$BENCH_DIR" >&2 || die "building ircbench failed"
    fi
fi

# ---- which servers ---------------------------------------------------------------------
SERVERS="${SERVERS:-tincan ngircd inspircd relay noderelay}"
keep=""
for s in $SERVERS; do
    case "$s" in
    ngircd)
        if [ -x "${NGIRCD_BIN:-/usr/sbin/ngircd}" ] || command -v ngircd >/dev/null; then keep="$keep $s"
        else echo "WARNING: ngIRCd is not installed (sudo apt-get install ngircd); leaving it out" >&2; fi ;;
    inspircd)
        if [ -x "${INSPIRCD_BIN:-/usr/sbin/inspircd}" ]; then keep="$keep $s"
        else echo "WARNING: InspIRCd is not installed (sudo apt-get install inspircd); leaving it out" >&2; fi ;;
    *) keep="$keep $s" ;;
    esac
done
SERVERS="${keep# }"

# ---- tincan ----------------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    echo "building tincan (npm run build)" >&2
    npm run build --silent >&2 || die "npm run build failed"
fi
[ -f "$ROOT/dist/cli/main.js" ] || die "dist/cli/main.js is missing: run npm run build"

OUT="${BENCH_OUT:-$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
export SERVERS
SCENARIOS="${SCENARIOS:-fanout500 lat500 dm500 conn10k cluster500}"
SOAK=0
CLUSTER=0
sc=""
for s in $SCENARIOS; do
    case "$s" in
    soak) SOAK=1 ;;
    cluster500) CLUSTER=1 ;;
    *) sc="$sc $s" ;;
    esac
done
export SCENARIOS="${sc# }"
export ROUNDS="${ROUNDS:-3}"
export SWEEP_CONC="${SWEEP_CONC:-8}" CONN_CONC="${CONN_CONC:-8}"
export TINCAN_DIR="$ROOT"
export TINCAN_CMD="node ${TINCAN_NODE_ARGS:-} $ROOT/dist/cli/main.js"
# tincan writes its event-loop delay per load step here (src/util/loop-probe.ts); the
# report matches them to ircbench's steps by server PID
export TINCAN_BENCH_PROBE="$OUT/probe"
# --quiet: no join card; --no-mdns: no LAN advertisement (the reference servers do neither)
export TINCAN_ARGS="--config $ROOT/bench/bench.json --quiet --no-mdns ${TINCAN_ARGS:-}"
{
    echo "results: $OUT"
    echo "servers: $SERVERS; scenarios: $SCENARIOS; rounds: $ROUNDS; setup concurrency $SWEEP_CONC/$CONN_CONC"
} >&2
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "kernel: $(uname -r)"
    echo "node: $(node -v)"
    echo "ngircd: $( (ngircd --version 2>/dev/null || /usr/sbin/ngircd --version 2>/dev/null) | head -1)"
    echo "inspircd: $(dpkg-query -W -f='${Version}' inspircd 2>/dev/null || echo '?')"
    echo "tincan: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "servers: $SERVERS"; echo "scenarios: $SCENARIOS"; echo "rounds: $ROUNDS"
} > "$OUT/machine.txt"

# Every server and the load generator run at the same raised priority, so other work on a
# shared machine skews the run less (BENCH_NICE=0 to turn off). With autogroup scheduling
# (Linux default) nice only counts within a session, so the run gets its own session
# (setsid) and that session's autogroup gets the same nice value.
NICE="${BENCH_NICE:--19}"
run_nice() { setsid -w bash -c '[ -w /proc/self/autogroup ] && echo "$1" > /proc/self/autogroup 2>/dev/null; shift; exec nice -n "$0" "$@"' "$NICE" "$NICE" "$@"; }
if [ -n "$SCENARIOS" ]; then
    run_nice "$BENCH_DIR/compare.sh" "$OUT" > "$OUT/table.md"   # compare.sh's own table (medians only)
    node --import tsx "$ROOT/bench/report.ts" "$OUT" | tee "$OUT/report.md"
    node "$ROOT/bench/targets.mjs" "$OUT" > "$OUT/targets.md"
fi
if [ "$SOAK" = 1 ]; then
    mkdir -p "$OUT/soak"
    TINCAN_BENCH_PROBE="$OUT/soak/probe" BENCH_DIR="$BENCH_DIR" run_nice "$ROOT/bench/soak.sh" "$OUT/soak"
    node --import tsx "$ROOT/bench/report.ts" "$OUT/soak" | tee "$OUT/soak/report.md"
fi
if [ "$CLUSTER" = 1 ]; then
    # tincan only, on loopback (no namespace: redis-server and PostgreSQL are started by it)
    TINCAN_BENCH_PROBE= run_nice node --import tsx "$ROOT/bench/cluster.ts" "$OUT" | tee "$OUT/cluster.md"
fi
