/**
 * Benchmark: 100,000 metric points through `run.logMetrics` in a loop, counting until they
 * are on the server (`await run.flush()`), side by side against the same MLflow server with
 * MLflow Python's `mlflow.log_metric` loop, synchronous and asynchronous
 * (`synchronous=False`, then `mlflow.flush_async_logging()`). Every run is read back and
 * must hold all its points.
 *
 * The Python loops are slow (one HTTP request per call), so by default they log fewer
 * points (`--sync-n`, `--async-n`) and their time is extrapolated linearly to 100,000 —
 * printed as such. Pass `--sync-n 100000 --async-n 100000` for a full run (about an hour).
 * Targets: ≥ 50× the synchronous loop, and at least as fast as the asynchronous one.
 * `--rounds` (default 2) alternates the contenders and reports each one's best round.
 *
 * Set EVALKIT_BENCH_MLFLOW_URI to reuse a running server; otherwise one is started.
 * Run: `deno run -A bench/tracker_log_metrics.ts` (or `deno task bench tracker_log_metrics`).
 */
import { parseArgs } from "node:util";
import { MlflowClient } from "../lib/mlflow/mod.ts";
import { type MlflowServer, startMlflowServer } from "../lib/testing/mod.ts";
import { AgentTracker } from "../lib/tracking/mod.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100000" },
    "sync-n": { type: "string", default: "500" },
    "async-n": { type: "string", default: "3000" },
    rounds: { type: "string", default: "2" },
  },
});
const N = Number(values.n);
const SYNC_N = Number(values["sync-n"]);
const ASYNC_N = Number(values["async-n"]);
const ROUNDS = Math.max(1, Number(values.rounds));
const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${Deno.cwd()}/.venv/bin/python`;
const peer = new URL("./_tracker_log_metrics_peer.py", import.meta.url).pathname;

let server: MlflowServer | undefined;
let uri = Deno.env.get("EVALKIT_BENCH_MLFLOW_URI");
if (!uri) {
  console.error("Starting an MLflow server…");
  server = await startMlflowServer();
  uri = server.uri;
}
const client = new MlflowClient({ trackingUri: uri });
const experiment = `bench-tracker-${Date.now().toString(36)}`;

async function countPoints(runId: string, n: number, who: string): Promise<void> {
  const h = await client.runs.metricHistory(runId, "loss");
  if (h.length !== n) throw new Error(`${who}: ${h.length} points on the server, expected ${n}`);
}

async function evalkit(): Promise<{ loop: number; total: number }> {
  const storeDir = await Deno.makeTempDir({ prefix: "evalkit-bench-store-" });
  const tracker = new AgentTracker("bench", {
    trackingUri: uri,
    storeDir,
    experimentName: experiment,
    handleSigint: false,
  });
  const run = await tracker.startRun({ runName: "evalkit" });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) run.logMetrics({ loss: 1 / (i + 1) }, { step: i });
  const t1 = performance.now();
  if (!await run.flush(600_000)) throw new Error("evalkit: not delivered");
  const t2 = performance.now();
  await run.end();
  tracker.close();
  await countPoints(run.runId, N, "evalkit");
  await Deno.remove(storeDir, { recursive: true });
  return { loop: (t1 - t0) / 1000, total: (t2 - t0) / 1000 };
}

async function pythonPeer(mode: "sync" | "async", n: number) {
  const out = await new Deno.Command(python, {
    args: [peer, uri!, experiment, mode, String(n)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Python ${mode} failed:\n${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  const res = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as {
    run_id: string;
    seconds: number;
    loop_seconds: number;
  };
  await countPoints(res.run_id, n, `python ${mode}`);
  return { seconds: res.seconds, per100k: (res.seconds * N) / n };
}

try {
  // Rounds alternate the contenders so machine load affects them alike; the best round of
  // each is reported.
  let ours = { loop: Infinity, total: Infinity };
  let sync = { seconds: Infinity, per100k: Infinity };
  let asyn = { seconds: Infinity, per100k: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    const o = await evalkit();
    if (o.total < ours.total) ours = o;
    const s = await pythonPeer("sync", SYNC_N);
    if (s.per100k < sync.per100k) sync = s;
    const a = await pythonPeer("async", ASYNC_N);
    if (a.per100k < asyn.per100k) asyn = a;
  }
  const f = (s: number) => `${s.toFixed(2)} s`;
  const note = (
    n: number,
  ) => (n === N ? "measured" : `extrapolated from ${n.toLocaleString("en-US")} points`);
  console.log(
    `${
      N.toLocaleString("en-US")
    } points via logMetrics in a loop, until on the server (${uri}); best of ${ROUNDS} rounds`,
  );
  console.log(
    `  evalkit run.logMetrics + flush   ${f(ours.total)}  (loop ${
      ((ours.loop * 1e6) / N).toFixed(2)
    } µs/call, ${Math.round(N / ours.total).toLocaleString("en-US")} points/s)`,
  );
  console.log(
    `  python mlflow.log_metric (sync)  ${f(sync.per100k)}  (${note(SYNC_N)}: ${f(sync.seconds)})`,
  );
  console.log(
    `  python synchronous=False (async) ${f(asyn.per100k)}  (${note(ASYNC_N)}: ${f(asyn.seconds)})`,
  );
  console.log(
    `  evalkit vs sync: ${(sync.per100k / ours.total).toFixed(1)}× faster (target ≥ 50×)`,
  );
  console.log(
    `  evalkit vs async: ${(asyn.per100k / ours.total).toFixed(1)}× faster (target ≥ 1×)`,
  );
} finally {
  client.close();
  await server?.stop();
}
