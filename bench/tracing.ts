/**
 * Benchmark: N traces of 5 spans each (an AGENT root; PARSER, TOOL, LLM with token usage,
 * CHAIN children) until all are searchable on a real MLflow server, side by side in one run
 * against the same server (each in its own experiment):
 *
 * 1. evalkit: `Tracer.withSpan` — each trace written to the local store before the call
 *    returns, delivered by the background flusher (OTLP protobuf + gzip, then StartTraceV3);
 * 2. MLflow's Python client: `mlflow.start_span`, async logging on (bench/_peers/tracing.py),
 *    its queue sized to hold every trace (the default of 1000 discards the rest).
 *
 * Also the caller's path alone: µs per span with nothing but the local store behind it.
 * Targets: evalkit ≥ 2× faster end to end, ≤ 5 µs per span on the caller's path.
 *
 * Run: `deno run -A bench/tracing.ts [--traces N]` (or `deno task bench tracing`).
 */
import { parseArgs } from "node:util";
import { MlflowClient } from "../lib/mlflow/mod.ts";
import { startMlflowServer } from "../lib/testing/mod.ts";
import { SpanType, Tracer, withSpan } from "../lib/tracing/mod.ts";

const { values } = parseArgs({
  options: {
    traces: { type: "string", default: "10000" },
    "caller-traces": { type: "string", default: "50000" },
    "skip-python": { type: "boolean" },
  },
});
const N = Number(values.traces);
const CALLER_N = Number(values["caller-traces"]);
const SPANS = 5;
const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${Deno.cwd()}/.venv/bin/python`;
const mlflowBin = Deno.env.get("EVALKIT_MLFLOW_BIN") ?? `${Deno.cwd()}/.venv/bin/mlflow`;
const peer = new URL("./_peers/tracing.py", import.meta.url).pathname;
const PRICES = { "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 } };

function agentCall(tracer: Tracer, i: number): void {
  tracer.withSpan("decide", (root) => {
    root.setInputs({ i, income: 52000 });
    withSpan("validate", (s) => {
      s.setInputs({ fields: 12 });
      return true;
    }, { spanType: SpanType.PARSER });
    withSpan("rules", () => ({ passed: 5 }), { spanType: SpanType.TOOL });
    withSpan("llm", (s) => {
      s.setInputs({ messages: [{ role: "user", content: "approve?" }] });
      s.setTokenUsage({ inputTokens: 120, outputTokens: 30 }, { model: "gpt-4o-mini" });
      return { content: "yes" };
    }, { spanType: SpanType.LLM });
    withSpan("score", () => 0.82, { spanType: SpanType.CHAIN });
    return { approved: true };
  }, { spanType: SpanType.AGENT });
}

async function searchable(client: MlflowClient, experimentId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.traces.search({ experimentIds: [experimentId], pageSize: 500 })) n++;
  return n;
}

async function evalkit(client: MlflowClient, experimentId: string) {
  const storeDir = await Deno.makeTempDir({ prefix: "evalkit-bench-traces-" });
  const t0 = performance.now();
  let caller = 0;
  const tracer = new Tracer({ client, experimentId, storeDir, prices: PRICES });
  for (let i = 0; i < N; i++) {
    const c0 = performance.now();
    agentCall(tracer, i);
    caller += performance.now() - c0;
    // Yield now and then, as a request handler would, so the flusher gets to run.
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0));
  }
  const stats = await tracer.close({ timeoutMs: 1_800_000 });
  let count = 0;
  while ((count = await searchable(client, experimentId)) < N) {
    if (performance.now() - t0 > 1_800_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const e2e = (performance.now() - t0) / 1000;
  await Deno.remove(storeDir, { recursive: true });
  return { caller_s: caller / 1000, e2e_s: e2e, searchable: count, delivered: stats.delivered };
}

async function callerPath() {
  const storeDir = await Deno.makeTempDir({ prefix: "evalkit-bench-traces-local-" });
  const tracer = new Tracer({ storeDir, prices: PRICES });
  for (let i = 0; i < 2000; i++) agentCall(tracer, i); // warm up
  const t0 = performance.now();
  for (let i = 0; i < CALLER_N; i++) agentCall(tracer, i);
  const ms = performance.now() - t0;
  await tracer.close();
  await Deno.remove(storeDir, { recursive: true });
  return (ms * 1000) / (CALLER_N * SPANS);
}

const server = await startMlflowServer({ mlflowBin });
try {
  using client = MlflowClient.fromUri(server.uri);
  const expE = await client.experiments.getOrCreate(`bench-tracing-evalkit-${Date.now()}`);
  const usPerSpan = await callerPath();
  console.log(
    `caller path (local store only): ${
      usPerSpan.toFixed(2)
    } µs per span (${CALLER_N} traces × ${SPANS} spans)`,
  );
  const e = await evalkit(client, expE.experimentId);
  console.log(
    `evalkit: ${N} traces × ${SPANS} spans searchable in ${e.e2e_s.toFixed(1)} s ` +
      `(${e.searchable} found, ${e.delivered} delivered); caller ${
        ((e.caller_s * 1e6) / (N * SPANS)).toFixed(2)
      } µs per span while delivering`,
  );
  if (!values["skip-python"]) {
    const out = await new Deno.Command(python, {
      args: [peer, server.uri, `bench-tracing-python-${Date.now()}`, String(N)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).slice(-2000));
    const p = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    console.log(
      `mlflow python (async logging): searchable in ${
        p.e2e_s.toFixed(1)
      } s (${p.searchable} found); caller ${
        ((p.caller_s * 1e6) / (N * SPANS)).toFixed(2)
      } µs per span`,
    );
    console.log(
      `ratio end to end (python / evalkit): ${(p.e2e_s / e.e2e_s).toFixed(2)}× (target ≥ 2×); ` +
        `caller path ${(p.caller_s / e.caller_s).toFixed(1)}× faster`,
    );
  }
} finally {
  await server.stop();
}
