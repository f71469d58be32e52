/**
 * The tiny timing harness behind bench/micro.ts (and bench/history.ts): warm-up, then
 * 5 samples of ~200 ms, median printed as `<name> <ops/s> ops/s <ns/op> ns/op [extra]`
 * (or one JSON object per line with --json). Functions may be async; each call is one op.
 */
export interface BenchOptions {
  /** extra fields computed from ops/s (e.g. deliveries/s for a fan-out) */
  extra?: (opsPerSec: number) => Record<string, number>;
}

export type BenchFn = (name: string, fn: () => unknown, opts?: BenchOptions) => Promise<void>;

const SAMPLES = 5;
const SAMPLE_NS = 200_000_000n;
const WARMUP_NS = 300_000_000n;

async function runFor(fn: () => unknown, budget: bigint): Promise<{ ops: number; ns: number }> {
  const start = process.hrtime.bigint();
  let ops = 0;
  let now = start;
  // check the clock every `batch` calls so timing does not dominate cheap functions
  let batch = 1;
  while (now - start < budget) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    ops += batch;
    now = process.hrtime.bigint();
    if (batch < 4096 && now - start < budget / 64n) batch *= 2;
  }
  return { ops, ns: Number(now - start) };
}

export function makeBench(o: { json: boolean; filter: string }): BenchFn {
  return async (name, fn, opts = {}) => {
    if (o.filter !== '' && !name.includes(o.filter)) return;
    await runFor(fn, WARMUP_NS);
    const rates: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { ops, ns } = await runFor(fn, SAMPLE_NS);
      rates.push((ops * 1e9) / ns);
    }
    rates.sort((a, b) => a - b);
    const ops = rates[SAMPLES >> 1]!;
    const extra = opts.extra?.(ops) ?? {};
    if (o.json) {
      console.log(JSON.stringify({ name, ops_per_s: Math.round(ops), ns_per_op: Math.round(1e9 / ops), ...extra }));
    } else {
      const ex = Object.entries(extra)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      console.log(`${name.padEnd(34)} ${String(Math.round(ops)).padStart(11)} ops/s ${String(Math.round(1e9 / ops)).padStart(9)} ns/op${ex ? ' ' + ex : ''}`);
    }
  };
}
