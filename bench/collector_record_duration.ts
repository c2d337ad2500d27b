/**
 * Benchmark: `MetricsCollector.recordDuration` against prom-client's `Histogram.observe`
 * (npm:prom-client@15.1.3, default buckets), 10,000,000 observations each, in one run.
 * Reports ns per call and the memory the metric holds after all observations (V8 heap
 * delta after a forced GC, measured in a fresh child process per contender), plus the
 * quantile error each gives at p50/p95/p99 on the same log-normal latencies.
 * Targets: faster than prom-client, and under 1 MB.
 *
 * Run: `deno run -A bench/collector_record_duration.ts [--n 10000000]` (or `deno task bench collector_record_duration`).
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { n: { type: "string", default: "10000000" }, child: { type: "string" } },
});
const N = Number(values.n);

/** Log-normal latencies in ms (median ≈ 80 ms), deterministic. */
function latencies(count: number): Float64Array {
  let s = 0x9e3779b9;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = next() || 1e-12, v = next();
    out[i] = Math.exp(Math.log(80) + 0.6 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

async function child(which: string): Promise<void> {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const values = latencies(1 << 20); // reused cyclically: generation is not timed
  const mask = values.length - 1;
  const sorted = Float64Array.from(values).sort();
  const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
  // Modules load before the baseline: the delta is what the metric itself holds.
  const { MetricsCollector } = await import("../lib/tracking/mod.ts");
  const prom = await import("prom-client");
  gc();
  const heap0 = Deno.memoryUsage().heapUsed;
  let ns: number;
  let quantiles: number[] = [];
  let keep: unknown;
  if (which === "evalkit") {
    const c = new MetricsCollector("bench", { flushIntervalMs: 0 });
    // warm-up on a separate collector so the measured one holds exactly N observations
    let w: InstanceType<typeof MetricsCollector> | undefined = new MetricsCollector("warm", {
      flushIntervalMs: 0,
    });
    for (let i = 0; i < 200_000; i++) w.recordDuration(values[i & mask]!);
    w = undefined;
    const t = performance.now();
    for (let i = 0; i < N; i++) c.recordDuration(values[i & mask]!);
    ns = ((performance.now() - t) * 1e6) / N;
    const s = c.getSummary().latencyMs;
    quantiles = [s.p50, s.p95, s.p99];
    keep = c;
  } else {
    const h = new prom.Histogram({ name: "latency_seconds", help: "latency", registers: [] });
    let w: InstanceType<typeof prom.Histogram> | undefined = new prom.Histogram({
      name: "warm_seconds",
      help: "warm",
      registers: [],
    });
    for (let i = 0; i < 200_000; i++) w.observe(values[i & mask]! / 1000);
    w = undefined;
    const t = performance.now();
    for (let i = 0; i < N; i++) h.observe(values[i & mask]! / 1000);
    ns = ((performance.now() - t) * 1e6) / N;
    // histogram_quantile-style linear interpolation inside the cumulative buckets
    const data = (await h.get()).values.filter((v) => v.metricName === "latency_seconds_bucket");
    const buckets = data.map((v) => ({ le: Number(v.labels.le), count: v.value }));
    const total = buckets.at(-1)!.count;
    quantiles = [0.5, 0.95, 0.99].map((q) => {
      const rank = q * total;
      let prevLe = 0, prevCount = 0;
      for (const b of buckets) {
        if (b.count >= rank) {
          if (!Number.isFinite(b.le)) return prevLe * 1000; // top bucket is opaque
          return (prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount)) * 1000;
        }
        prevLe = b.le;
        prevCount = b.count;
      }
      return NaN;
    });
    keep = h;
  }
  gc();
  const heap1 = Deno.memoryUsage().heapUsed;
  const errors = quantiles.map((v, i) =>
    Math.abs(v - exact([0.5, 0.95, 0.99][i]!)) / exact([0.5, 0.95, 0.99][i]!)
  );
  console.log(
    JSON.stringify({ which, ns, bytes: heap1 - heap0, errors, alive: keep !== undefined }),
  );
}

if (values.child) {
  await child(values.child);
} else {
  const run = async (which: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        new URL("../deno.dev.json", import.meta.url).pathname,
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--child",
        which,
        "--n",
        String(N),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`${which} child failed`);
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as {
      ns: number;
      bytes: number;
      errors: number[];
    };
  };
  const ours = await run("evalkit");
  const prom = await run("prom-client");
  const pct = (e: number[]) => e.map((x) => `${(x * 100).toFixed(2)}%`).join(" / ");
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  console.log(
    `recordDuration vs prom-client Histogram.observe, ${
      N.toLocaleString("en-US")
    } observations each`,
  );
  console.log(
    `  evalkit MetricsCollector.recordDuration  ${ours.ns.toFixed(1)} ns/call  memory ${
      kb(ours.bytes)
    }  p50/p95/p99 error ${pct(ours.errors)}`,
  );
  console.log(
    `  prom-client Histogram.observe           ${prom.ns.toFixed(1)} ns/call  memory ${
      kb(prom.bytes)
    }  p50/p95/p99 error ${pct(prom.errors)} (histogram_quantile, default buckets)`,
  );
  console.log(
    `  speed: evalkit is ${(prom.ns / ours.ns).toFixed(2)}× prom-client (target > 1×); memory ${
      kb(ours.bytes)
    } (target < 1024 KiB)`,
  );
}
