/**
 * lib/mlflow trace endpoints and the OTLP encoder against the real MLflow 3.17.2 server of the
 * suite; MLflow's Python client (`MlflowClient.get_trace`, `mlflow.search_traces`) reads back.
 */
import assert from "node:assert/strict";
import {
  encodeOtlpTraces,
  encodeOtlpTracesJson,
  MlflowApiError,
  type OtlpSpan,
} from "../../lib/mlflow/mod.ts";
import { MetricsCollector } from "../../lib/tracking/mod.ts";
import { freshExperiment, pyOracle } from "./_helpers.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A trace of a root AGENT span and an LLM child, `durationMs` long. */
function makeTrace(startMs: number, durationMs: number, opts: { error?: boolean } = {}) {
  const traceId = hex(16);
  const root = hex(8);
  const child = hex(8);
  const startUs = Math.round(startMs * 1000);
  const endUs = startUs + durationMs * 1000;
  const spans: OtlpSpan[] = [
    {
      traceId,
      spanId: root,
      name: "agent",
      startUs,
      endUs,
      attributes: {
        "mlflow.spanType": "AGENT",
        "mlflow.spanInputs": {
          income: 52000,
          ratio: 0.25,
          delta: -3,
          notes: ["a", null, { nested: true }],
          text: "héllo",
        },
        "mlflow.spanOutputs": "approved",
      },
      status: { code: opts.error ? "ERROR" : "OK", ...(opts.error ? { message: "boom" } : {}) },
    },
    {
      traceId,
      spanId: child,
      parentSpanId: root,
      name: "llm",
      startUs: startUs + 1000,
      endUs: endUs - 1000,
      attributes: {
        "mlflow.spanType": "LLM",
        "mlflow.spanInputs": { messages: [{ role: "user", content: "hi" }] },
        "mlflow.spanOutputs": { text: "yo" },
        "mlflow.chat.tokenUsage": { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
        "mlflow.llm.cost": { input_cost: 0.001, output_cost: 0.002, total_cost: 0.003 },
        "mlflow.llm.model": "gpt-4o-mini",
      },
      events: [{ name: "retry", timeUs: startUs + 2000, attributes: { attempt: 2 } }],
      status: { code: "OK" },
    },
  ];
  return { traceId, mlflowId: `tr-${traceId}`, spans, startMs, durationMs };
}

Deno.test("OTLP protobuf (gzip) spans + StartTraceV3 read back by MLflow's Python client", async () => {
  const { client, experimentId } = await freshExperiment("traces-api");
  const t = makeTrace(Date.now(), 40);
  await client.traces.exportSpans(experimentId, t.spans);
  const info = await client.traces.start({
    traceId: t.mlflowId,
    experimentId,
    requestTime: t.startMs,
    executionDurationMs: t.durationMs,
    state: "OK",
    clientRequestId: "req-42",
    requestPreview: '{"income": 52000}',
    responsePreview: '"approved"',
    metadata: { "mlflow.trace.session": "s-1", "mlflow.trace.user": "u-1" },
    tags: { "mlflow.traceName": "agent", env: "test" },
  });
  assert.equal(info.traceId, t.mlflowId);
  assert.equal(info.experimentId, experimentId);
  assert.equal(info.tags["mlflow.trace.spansLocation"], "TRACKING_STORE");

  const [py] = await pyOracle(["get", t.mlflowId]);
  assert.ok(py);
  assert.equal(py.info.state, "OK");
  assert.equal(py.info.client_request_id, "req-42");
  assert.equal(py.info.execution_duration, 40);
  assert.equal(py.info.trace_metadata["mlflow.trace.session"], "s-1");
  assert.equal(py.info.trace_metadata["mlflow.trace.user"], "u-1");
  assert.deepEqual(py.info.token_usage, { input_tokens: 10, output_tokens: 5, total_tokens: 15 });
  assert.deepEqual(JSON.parse(py.info.trace_metadata["mlflow.trace.cost"]!), {
    input_cost: 0.001,
    output_cost: 0.002,
    total_cost: 0.003,
  });
  assert.equal(py.info.tags.env, "test");
  const root = py.spans.find((s) => s.name === "agent")!;
  const llm = py.spans.find((s) => s.name === "llm")!;
  assert.equal(root.parent_id, null);
  assert.equal(llm.parent_id, root.span_id);
  assert.equal(root.span_type, "AGENT");
  assert.equal(llm.span_type, "LLM");
  assert.deepEqual(root.inputs, {
    income: 52000,
    ratio: 0.25,
    delta: -3,
    notes: ["a", null, { nested: true }],
    text: "héllo",
  });
  assert.equal(root.outputs, "approved");
  assert.deepEqual(llm.outputs, { text: "yo" });
  assert.ok(Math.abs(root.start_time_ns / 1e6 - t.startMs) < 0.001); // ns beyond 2^53: compare in ms
  assert.ok(Math.abs((root.end_time_ns - root.start_time_ns) / 1e6 - 40) < 0.001);
  assert.deepEqual(llm.attributes["mlflow.chat.tokenUsage"], {
    input_tokens: 10,
    output_tokens: 5,
    total_tokens: 15,
  });
  assert.equal(llm.attributes["mlflow.llm.model"], "gpt-4o-mini");
  assert.deepEqual(llm.events, [{ name: "retry", attributes: { attempt: 2 } }]);

  // The same through evalkit's reader.
  const got = await client.traces.get(t.mlflowId);
  assert.equal(got.spans.length, 2);
  const gotLlm = got.spans.find((s) => s.name === "llm")!;
  assert.equal(gotLlm.parentSpanId, t.spans[0]!.spanId);
  assert.deepEqual(gotLlm.attributes["mlflow.spanInputs"], {
    messages: [{ role: "user", content: "hi" }],
  });
  assert.equal(gotLlm.status.code, "STATUS_CODE_OK");
  assert.ok(Math.abs(gotLlm.startTimeMs - (t.startMs + 1)) < 0.01);
  const gotInfo = await client.traces.getInfo(t.mlflowId);
  assert.equal(gotInfo.clientRequestId, "req-42");
  assert.equal(gotInfo.executionDurationMs, 40);
});

Deno.test("OTLP JSON (hex ids) is accepted too, and an ERROR root makes an ERROR trace without StartTraceV3", async () => {
  const { experimentId } = await freshExperiment("traces-json");
  const t = makeTrace(Date.now(), 10, { error: true });
  const res = await fetch(`${testMlflowUri()}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-mlflow-experiment-id": experimentId },
    body: encodeOtlpTracesJson(t.spans),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const [py] = await pyOracle(["get", t.mlflowId]);
  assert.equal(py!.info.state, "ERROR");
  assert.equal(py!.spans.find((s) => s.name === "agent")!.status, "ERROR");
  assert.equal(py!.spans.length, 2);
});

Deno.test("a batch sent twice (a replay) leaves each span once and the trace info once", async () => {
  const { client, experimentId } = await freshExperiment("traces-replay");
  const t = makeTrace(Date.now(), 20);
  const info = {
    traceId: t.mlflowId,
    experimentId,
    requestTime: t.startMs,
    executionDurationMs: 20,
    state: "OK" as const,
    tags: { "mlflow.traceName": "agent" },
  };
  for (let i = 0; i < 2; i++) {
    await client.traces.exportSpans(experimentId, t.spans, { gzip: i === 0 });
    await client.traces.start(info);
  }
  const got = await client.traces.get(t.mlflowId);
  assert.equal(got.spans.length, 2);
  const all = [];
  for await (const i of client.traces.search({ experimentIds: [experimentId], pageSize: 10 })) {
    all.push(i.traceId);
  }
  assert.deepEqual(all, [t.mlflowId]);
});

Deno.test("search: filter grammar, order, paging with max_results; tags; link-to-run; delete", async () => {
  const { client, experimentId } = await freshExperiment("traces-search");
  const run = await client.runs.create({ experimentId });
  const now = Date.now() - 60_000;
  const traces = Array.from(
    { length: 5 },
    (_, i) => makeTrace(now + i * 1000, 10 + i, { error: i === 4 }),
  );
  await client.traces.exportSpans(experimentId, traces.flatMap((t) => t.spans));
  for (const [i, t] of traces.entries()) {
    await client.traces.start({
      traceId: t.mlflowId,
      experimentId,
      requestTime: t.startMs,
      executionDurationMs: t.durationMs,
      state: i === 4 ? "ERROR" : "OK",
      tags: { "mlflow.traceName": "agent", parity: i % 2 === 0 ? "even" : "odd" },
    });
  }
  // Paging: 2 per page, oldest first.
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await client.traces.searchPage({
      experimentIds: [experimentId],
      orderBy: ["timestamp_ms ASC"],
      pageSize: 2,
      ...(token ? { pageToken: token } : {}),
    });
    pages.push(page.traces.map((x) => x.traceId));
    token = page.nextPageToken;
  } while (token);
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
  assert.deepEqual(pages.flat(), traces.map((t) => t.mlflowId));
  await assert.rejects(
    () => client.traces.searchPage({ experimentIds: [experimentId], pageSize: 501 }),
    RangeError,
  );

  const errors = [];
  for await (
    const i of client.traces.search({
      experimentIds: [experimentId],
      filter: "trace.status = 'ERROR'",
    })
  ) errors.push(i.traceId);
  assert.deepEqual(errors, [traces[4]!.mlflowId]);
  const odd = [];
  for await (
    const i of client.traces.search({
      experimentIds: [experimentId],
      filter: "tags.parity = 'odd' AND trace.execution_time_ms > 10",
      orderBy: ["timestamp_ms DESC"],
    })
  ) odd.push(i.traceId);
  assert.deepEqual(odd, [traces[3]!.mlflowId, traces[1]!.mlflowId]);
  const spanFilter = [];
  for await (
    const i of client.traces.search({
      experimentIds: [experimentId],
      filter: "span.type = 'LLM' AND span.name = 'llm'",
    })
  ) spanFilter.push(i.traceId);
  assert.equal(spanFilter.length, 5);

  // Tags.
  await client.traces.setTags(traces[0]!.mlflowId, { reviewed: "yes", who: "qa" });
  await client.traces.deleteTag(traces[0]!.mlflowId, "who");
  const tagged = await client.traces.getInfo(traces[0]!.mlflowId);
  assert.equal(tagged.tags.reviewed, "yes");
  assert.equal(tagged.tags.who, undefined);

  // Link to a run: search by run_id, and the Python client sees the link.
  await client.traces.linkToRun(traces.slice(0, 2).map((t) => t.mlflowId), run.info.runId);
  const linked = [];
  for await (
    const i of client.traces.search({
      experimentIds: [experimentId],
      filter: `trace.run_id = '${run.info.runId}'`,
    })
  ) linked.push(i.traceId);
  assert.deepEqual(linked.sort(), traces.slice(0, 2).map((t) => t.mlflowId).sort());
  const pyLinked = await pyOracle(["search", experimentId, `run_id = '${run.info.runId}'`]);
  assert.equal(pyLinked.length, 2);

  // Delete by id, then by time.
  assert.equal(await client.traces.delete(experimentId, { traceIds: [traces[0]!.mlflowId] }), 1);
  await assert.rejects(() => client.traces.getInfo(traces[0]!.mlflowId), MlflowApiError);
  assert.equal(
    await client.traces.delete(experimentId, {
      maxTimestampMillis: traces[2]!.startMs,
      maxTraces: 10,
    }),
    2,
  );
  const left = [];
  for await (const i of client.traces.search({ experimentIds: [experimentId] })) {
    left.push(i.traceId);
  }
  assert.deepEqual(left.sort(), traces.slice(3).map((t) => t.mlflowId).sort());
});

/** Linear-interpolation percentile (PERCENTILE_CONT), as SQLite/PostgreSQL compute it. */
function percentileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

Deno.test("traces/metrics: exact latency percentiles, averages and counts over known traces", async () => {
  const { client, experimentId } = await freshExperiment("traces-metrics");
  const durations = [12, 7, 30, 45, 9, 100, 51, 23, 18, 64, 5];
  const now = Date.now() - 120_000;
  const traces = durations.map((d, i) => makeTrace(now + i * 10, d));
  await client.traces.exportSpans(experimentId, traces.flatMap((t) => t.spans));
  for (const t of traces) {
    await client.traces.start({
      traceId: t.mlflowId,
      experimentId,
      requestTime: t.startMs,
      executionDurationMs: t.durationMs,
      state: "OK",
    });
  }
  const [latency] = await client.traces.queryMetrics({
    experimentIds: [experimentId],
    viewType: "TRACES",
    metricName: "latency",
    aggregations: [
      { type: "PERCENTILE", percentile: 95 },
      { type: "PERCENTILE", percentile: 99 },
      { type: "AVG" },
      { type: "MAX" },
    ],
  });
  assert.ok(latency);
  assert.ok(Math.abs(latency.values["P95.0"]! - percentileCont(durations, 95)) < 1e-9);
  assert.ok(Math.abs(latency.values["P99.0"]! - percentileCont(durations, 99)) < 1e-9);
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  assert.ok(Math.abs(latency.values.AVG! - mean) < 1e-9);
  assert.equal(latency.values.MAX, 100);
  const [count] = await client.traces.queryMetrics({
    experimentIds: [experimentId],
    viewType: "TRACES",
    metricName: "trace_count",
    aggregations: [{ type: "COUNT" }],
  });
  assert.equal(count!.values.COUNT, durations.length);
  const bySpan = await client.traces.queryMetrics({
    experimentIds: [experimentId],
    viewType: "SPANS",
    metricName: "span_count",
    aggregations: [{ type: "COUNT" }],
    dimensions: ["span_type"],
  });
  const llm = bySpan.find((p) => Object.values(p.dimensions).includes("LLM"));
  assert.equal(llm?.values.COUNT, durations.length);
});

Deno.test("encodeOtlpTraces rejects malformed ids with the field named", () => {
  assert.throws(
    () =>
      encodeOtlpTraces([{
        traceId: "xyz",
        spanId: "b7ad6b7169203331",
        name: "r",
        startUs: 1,
        endUs: 2,
        attributes: {},
        status: { code: "OK" },
      }]),
    /spans\[0\]\.traceId/,
  );
});

Deno.test("traces/metrics p95/p99 latency equals the MetricsCollector's DDSketch figures for the same requests, within the sketch's 1%", async () => {
  const { client, experimentId } = await freshExperiment("traces-ddsketch");
  const metrics = new MetricsCollector("loan_approval", { flushIntervalMs: 0 });
  // 400 requests, 20–2000 ms, a long right tail (deterministic).
  const durations = Array.from(
    { length: 400 },
    (_, i) => 20 + Math.round(1980 * ((i * 7919) % 400 / 400) ** 3),
  );
  const now = Date.now() - 3_600_000;
  const traces = durations.map((d, i) => makeTrace(now + i * 5, d));
  for (let i = 0; i < traces.length; i += 100) {
    await client.traces.exportSpans(experimentId, traces.slice(i, i + 100).flatMap((t) => t.spans));
  }
  for (const d of durations) {
    metrics.recordRequest("ok");
    metrics.recordDuration(d);
  }
  const [point] = await client.traces.queryMetrics({
    experimentIds: [experimentId],
    viewType: "TRACES",
    metricName: "latency",
    aggregations: [{ type: "PERCENTILE", percentile: 95 }, { type: "PERCENTILE", percentile: 99 }],
  });
  const summary = metrics.getSummary().latencyMs;
  await metrics.close();
  assert.equal(summary.count, 400);
  const exact95 = point!.values["P95.0"]!;
  const exact99 = point!.values["P99.0"]!;
  assert.ok(Math.abs(exact95 - percentileCont(durations, 95)) < 1e-9);
  assert.ok(Math.abs(exact99 - percentileCont(durations, 99)) < 1e-9);
  assert.ok(Math.abs(summary.p95 - exact95) <= 0.01 * exact95, `p95 ${summary.p95} vs ${exact95}`);
  assert.ok(Math.abs(summary.p99 - exact99) <= 0.01 * exact99, `p99 ${summary.p99} vs ${exact99}`);
});
