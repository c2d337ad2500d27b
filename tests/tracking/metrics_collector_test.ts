import assert from "node:assert/strict";
import { createRng } from "../../lib/_internal/rng.ts";
import { AgentTracker, MetricsCollector, readLocalRun } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { clientFor, tempHome } from "./_helpers.ts";

/** Pareto(α = 1.5, xm = 10 ms): heavy-tailed latencies. */
function paretoSamples(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 10 / Math.pow(1 - rng.next(), 1 / 1.5);
  return out;
}

Deno.test("collector latency quantiles are within 1% of exact sorted quantiles on 1,000,000 heavy-tailed samples", () => {
  const samples = paretoSamples(1_000_000, 7);
  const c = new MetricsCollector("q", { flushIntervalMs: 0 });
  for (const v of samples) c.recordDuration(v);
  const sorted = Float64Array.from(samples).sort();
  const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
  const s = c.getSummary().latencyMs;
  assert.equal(s.count, 1_000_000);
  for (const [name, q] of [["p50", 0.5], ["p95", 0.95], ["p99", 0.99]] as const) {
    const rel = Math.abs(s[name] - exact(q)) / exact(q);
    assert.ok(rel <= 0.01, `${name}: ${s[name]} vs exact ${exact(q)} (relative error ${rel})`);
  }
  assert.equal(s.max, sorted[sorted.length - 1]);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  assert.ok(Math.abs(s.avg - mean) / mean < 1e-9, "avg is exact");
});

Deno.test("four collectors merged (through JSON, as across processes) equal one collector over all the data", () => {
  const samples = paretoSamples(200_000, 11);
  const rng = createRng(3);
  const prices = {
    "gpt-x": { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
  };
  const one = new MetricsCollector("agent", { flushIntervalMs: 0, prices });
  const parts = Array.from(
    { length: 4 },
    () => new MetricsCollector("agent", { flushIntervalMs: 0, prices }),
  );
  samples.forEach((v, i) => {
    const part = parts[i % 4]!;
    const status = v > 100 ? "error" : "ok";
    const risk = rng.next();
    const usage = {
      inputTokens: 100 + (i % 50),
      outputTokens: 20 + (i % 7),
      cachedInputTokens: i % 3 === 0 ? 64 : 0,
    };
    for (const c of [one, part]) {
      c.recordRequest(status);
      c.recordDuration(v);
      if (status === "error") c.recordError(v > 1000 ? "timeout" : "upstream");
      c.recordRiskScore(risk);
      c.recordDecision(risk > 0.5 ? "reject" : "approve");
      c.recordTokenUsage(i % 5 === 0 ? "gpt-mini" : "gpt-x", usage);
    }
  });
  const merged = new MetricsCollector("agent", { flushIntervalMs: 0, prices });
  for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p.toJSON())));
  const a = one.getSummary();
  const b = merged.getSummary();
  assert.deepEqual(b.requests, a.requests);
  assert.deepEqual(b.errors, a.errors);
  assert.deepEqual(b.decisions, a.decisions);
  assert.deepEqual(b.tokens, a.tokens);
  assert.deepEqual(b.riskScore.bins, a.riskScore.bins);
  for (const k of ["count", "p50", "p95", "p99", "max"] as const) {
    assert.equal(b.latencyMs[k], a.latencyMs[k], k);
  }
  assert.ok(Math.abs(b.latencyMs.avg - a.latencyMs.avg) / a.latencyMs.avg < 1e-12);
  assert.deepEqual(
    merged.toJSON().latency.positive,
    one.toJSON().latency.positive,
    "sketch buckets are identical",
  );
});

Deno.test("getSummary() counts by status, error rate by type, tokens and cost per model with cached-input prices", async (t) => {
  const c = new MetricsCollector("loan_approval", {
    flushIntervalMs: 0,
    prices: { "gpt-x": { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 } },
  });
  for (let i = 0; i < 8; i++) c.recordRequest("ok");
  c.recordRequest("error");
  c.recordRequest("error");
  c.recordError("timeout");
  c.recordError("validation");
  c.recordTokenUsage("gpt-x", {
    inputTokens: 600_000,
    outputTokens: 500_000,
    cachedInputTokens: 400_000,
  });
  c.recordTokenUsage("unpriced", { inputTokens: 10, outputTokens: 5 });
  const s = c.getSummary();
  await t.step("requests and errors", () => {
    assert.deepEqual(s.requests, { total: 10, byStatus: { error: 2, ok: 8 } });
    assert.equal(s.errors.rate, 0.2);
    assert.deepEqual(s.errors.byType, {
      timeout: { count: 1, rate: 0.1 },
      validation: { count: 1, rate: 0.1 },
    });
  });
  await t.step(
    "cost: 600k uncached × $2/M + 400k cached × $0.5/M + 500k out × $8/M = $5.40",
    () => {
      assert.ok(Math.abs(s.tokens["gpt-x"]!.costUsd! - 5.4) < 1e-9);
      assert.equal(s.tokens.unpriced!.costUsd, null);
      assert.ok(Math.abs(s.costUsd - 5.4) < 1e-9);
    },
  );
  await t.step("Jupyter display returns text/plain and text/html", () => {
    const display = (s as unknown as Record<symbol, () => Record<string, string>>)[
      Symbol.for("Jupyter.display")
    ]!;
    const shown = display.call(s);
    assert.deepEqual(shown, s.toMimeBundle());
    assert.match(shown["text/plain"]!, /10 requests/);
    assert.match(shown["text/html"]!, /^<table>.*error rate.*20\.00%/s);
  });
  assert.throws(() => c.recordRiskScore(1.5), RangeError);
  await c.close();
});

Deno.test("flush() logs window metrics with stable keys at step = window index into the run, and close() saves the sketches", async () => {
  const home = await tempHome();
  const uri = testMlflowUri();
  const tracker = new AgentTracker("collector_agent", {
    trackingUri: uri,
    storeDir: `${home}/store`,
    experimentName: uniqueName("collector"),
    handleSigint: false,
    createTimeoutMs: 120_000,
    deliveryTimeoutMs: 300_000,
  });
  const run = await tracker.startRun({ purpose: "serve" });
  const c = new MetricsCollector("collector_agent", {
    run,
    flushIntervalMs: 3_600_000, // timer exists but never fires; close() must clear it
    prices: { "gpt-x": { inputPerMillion: 1, outputPerMillion: 1 } },
  });
  for (let w = 0; w < 3; w++) {
    for (let i = 0; i < 100; i++) {
      c.recordRequest(i % 10 === 0 ? "error" : "ok");
      if (i % 10 === 0) c.recordError("timeout");
      c.recordDuration(10 * (w + 1) + (i % 10));
      c.recordTokenUsage("gpt-x", { inputTokens: 10, outputTokens: 5 });
    }
    const logged = await c.flush();
    assert.equal(logged["requests/total"], 100 * (w + 1));
    assert.equal(logged["errors/rate"], 0.1);
  }
  await c.close();
  assert.equal((await run.end()).delivered, true);
  const client = clientFor(uri);
  const history = await client.runs.metricHistory(run.runId, "latency_ms/p95");
  assert.deepEqual(history.map((m) => m.step).sort(), [0, 1, 2]);
  const p95ByStep = Object.fromEntries(history.map((m) => [m.step, m.value]));
  assert.ok(p95ByStep[0]! < p95ByStep[1]! && p95ByStep[1]! < p95ByStep[2]!, "per-window quantiles");
  const got = await client.runs.get(run.runId);
  const latest = Object.fromEntries(got.data.metrics.map((m) => [m.key, m.value]));
  for (
    const key of [
      "requests/total",
      "requests/ok",
      "errors/rate",
      "errors/timeout",
      "tokens/gpt-x/input",
      "cost_usd/gpt-x",
      "latency_ms/p50",
      "latency_ms/p99",
      "latency_ms/max",
    ]
  ) {
    assert.ok(key in latest, `${key} is logged`);
  }
  assert.equal(latest["tokens/gpt-x/input"], 3000);
  const saved = JSON.parse(
    await client.artifacts.readText(got.info.artifactUri, "metrics/collector_agent_collector.json"),
  );
  const restored = MetricsCollector.fromJSON(saved);
  assert.deepEqual(
    restored.getSummary().latencyMs,
    c.getSummary().latencyMs,
    "the saved sketch reproduces the quantiles",
  );
  const local = await readLocalRun(run.localRunId, { storeDir: `${home}/store` });
  assert.equal(local?.metrics["latency_ms/p95"]?.length, 3);
  client.close();
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
