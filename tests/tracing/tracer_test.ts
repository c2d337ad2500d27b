/**
 * lib/tracing against the real MLflow server of the suite: what evalkit's Tracer records is
 * read back by MLflow's Python client (`MlflowClient.get_trace`, `mlflow.search_traces`).
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import {
  currentSpan,
  formatTraceparent,
  parseTraceparent,
  SpanType,
  Tracer,
  updateCurrentTrace,
  withSpan,
} from "../../lib/tracing/mod.ts";
import { pseudonymize } from "../../lib/_internal/personal_data.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { freshExperiment, pyOracle } from "./_helpers.ts";

const SECRETS = [
  "abc.def.ghi",
  "k-123",
  "sk-live",
  "hunter2",
  "sk-proj",
  "Ada Lovelace",
  "123-45-6789",
];
const PRICES = { "gpt-4o-mini*": { inputPerMillion: 0.15, outputPerMillion: 0.6 } };

async function segmentLines(storeDir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of Deno.readDir(`${storeDir}/traces`)) {
    if (!e.isFile || !e.name.endsWith(".jsonl")) continue;
    const text = await Deno.readTextFile(`${storeDir}/traces/${e.name}`);
    for (const l of text.split("\n")) if (l) out.push(JSON.parse(l));
  }
  return out;
}

Deno.test("a traced agent call reads back in MLflow's Python client: tree, types, I/O, status, timing, tokens, cost, links, session", async () => {
  const { client, experimentId } = await freshExperiment("tracer");
  const run = await client.runs.create({ experimentId });
  const model = await client.loggedModels.create({ experimentId, name: "loan-agent" });
  const storeDir = await Deno.makeTempDir();
  let traceId = "";
  {
    await using tracer = new Tracer({
      client,
      experimentId,
      storeDir,
      runId: run.info.runId,
      modelId: model.modelId,
      prices: PRICES,
    });
    const decide = tracer.trace("decide", async (application: { income: number }) => {
      traceId = currentSpan()!.traceId;
      updateCurrentTrace({
        session: "session-7",
        user: "user-3",
        tags: { env: "test" },
        metadata: { agent: "rules" },
        clientRequestId: "req-1",
      });
      await new Promise((r) => setTimeout(r, 5));
      const ok = withSpan("validate", (s) => {
        s.setAttribute("fields", 3);
        return true;
      }, { spanType: SpanType.PARSER, inputs: application });
      await tracer.withSpan("llm", async (llm) => {
        await new Promise((r) => setTimeout(r, 2));
        llm.setInputs({ messages: [{ role: "user", content: "approve?" }] });
        llm.setTokenUsage({ inputTokens: 1000, outputTokens: 200, cachedInputTokens: 500 }, {
          model: "gpt-4o-mini-2024-07-18",
          provider: "openai",
        });
        return { content: "yes" };
      }, { spanType: SpanType.LLM });
      try {
        await tracer.withSpan("rule:income", () => {
          throw new RangeError("income below floor");
        }, { spanType: SpanType.TOOL });
      } catch {
        // the agent recovers
      }
      return { approved: ok, score: 0.82 };
    }, { spanType: SpanType.AGENT });
    const started = performance.now();
    const out = await decide({ income: 52000 });
    assert.deepEqual(out, { approved: true, score: 0.82 });
    assert.ok(performance.now() - started < 1000);
    const stats = await tracer.flush();
    assert.equal(stats.delivered, 1);
    assert.equal(stats.pending, 0);
  }
  const [py] = await pyOracle(["get", traceId]);
  assert.ok(py);
  const { info, spans } = py;
  assert.equal(info.state, "OK");
  assert.equal(info.client_request_id, "req-1");
  assert.equal(info.trace_metadata["mlflow.sourceRun"], run.info.runId);
  assert.equal(info.trace_metadata["mlflow.modelId"], model.modelId);
  assert.equal(info.trace_metadata["mlflow.trace.session"], "session-7");
  assert.equal(info.trace_metadata["mlflow.trace.user"], "user-3");
  assert.equal(info.trace_metadata.agent, "rules");
  assert.equal(info.tags.env, "test");
  assert.equal(info.tags["mlflow.traceName"], "decide");
  assert.equal(info.request_preview, '{"income":52000}');
  assert.equal(info.response_preview, '{"approved":true,"score":0.82}');
  assert.deepEqual(info.token_usage, {
    input_tokens: 1500,
    output_tokens: 200,
    total_tokens: 1700,
    cache_read_input_tokens: 500,
  });
  const cost = JSON.parse(info.trace_metadata["mlflow.trace.cost"]!);
  const inputCost = (1000 * 0.15 + 500 * 0.15) / 1e6;
  const outputCost = (200 * 0.6) / 1e6;
  assert.ok(Math.abs(cost.total_cost - (inputCost + outputCost)) < 1e-12);

  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  const root = byName.decide!;
  assert.equal(root.parent_id, null);
  for (const name of ["validate", "llm", "rule:income"]) {
    assert.equal(byName[name]!.parent_id, root.span_id, name);
  }
  assert.deepEqual(
    spans.map((s) => [s.name, s.span_type, s.status]).sort(),
    [
      ["decide", "AGENT", "OK"],
      ["llm", "LLM", "OK"],
      ["rule:income", "TOOL", "ERROR"],
      ["validate", "PARSER", "OK"],
    ],
  );
  assert.deepEqual(root.inputs, { income: 52000 });
  assert.deepEqual(root.outputs, { approved: true, score: 0.82 });
  assert.deepEqual(byName.validate!.inputs, { income: 52000 });
  assert.equal(byName.validate!.outputs, true);
  assert.equal(byName.validate!.attributes.fields, 3);
  assert.deepEqual(byName.llm!.outputs, { content: "yes" });
  assert.deepEqual(byName.llm!.attributes["mlflow.chat.tokenUsage"], {
    input_tokens: 1500,
    output_tokens: 200,
    total_tokens: 1700,
    cache_read_input_tokens: 500,
  });
  assert.equal(byName.llm!.attributes["mlflow.llm.model"], "gpt-4o-mini-2024-07-18");
  assert.equal(byName.llm!.attributes["mlflow.llm.provider"], "openai");
  const llmCost = byName.llm!.attributes["mlflow.llm.cost"] as Record<string, number>;
  assert.ok(Math.abs(llmCost.input_cost! - inputCost) < 1e-12);
  assert.ok(Math.abs(llmCost.output_cost! - outputCost) < 1e-12);
  const failed = byName["rule:income"]!;
  assert.match(failed.status_message, /RangeError: income below floor/);
  assert.equal(failed.events[0]!.name, "exception");
  assert.equal(failed.events[0]!.attributes["exception.type"], "RangeError");
  // Timing: the children lie inside the root; the root lasted at least the 7 ms slept.
  for (const s of spans) {
    assert.ok(s.start_time_ns >= root.start_time_ns && s.end_time_ns <= root.end_time_ns, s.name);
  }
  assert.ok(root.end_time_ns - root.start_time_ns >= 7e6);
  assert.ok(info.execution_duration >= 7);

  // Found by run (what the run's Traces tab lists) through the Python client.
  const linked = await pyOracle(["search", experimentId, `run_id = '${run.info.runId}'`]);
  assert.deepEqual(linked.map((t) => t.info.trace_id), [traceId]);
});

Deno.test("the current span follows each of concurrent traces across await; startSpan works with await using", async () => {
  const storeDir = await Deno.makeTempDir();
  await using tracer = new Tracer({ storeDir });
  const seen: string[] = [];
  const one = (name: string, delay: number) =>
    tracer.withSpan(name, async (root) => {
      await new Promise((r) => setTimeout(r, delay));
      await tracer.withSpan(`${name}/child`, async (child) => {
        await new Promise((r) => setTimeout(r, delay));
        assert.equal(currentSpan(), child);
        assert.equal(child.parentSpanId, root.spanId);
        seen.push(currentSpan()!.name);
      });
      assert.equal(currentSpan(), root);
    });
  await Promise.all([one("a", 5), one("b", 1), one("c", 3)]);
  assert.deepEqual(seen.sort(), ["a/child", "b/child", "c/child"]);
  assert.equal(currentSpan(), undefined);

  const parentOf = async () => {
    await using root = tracer.startSpan("manual", { spanType: SpanType.AGENT });
    {
      await using step = tracer.startSpan("step", { spanType: SpanType.RETRIEVER });
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(currentSpan(), step);
      assert.equal(step.parentSpanId, root.spanId);
    }
    assert.equal(currentSpan(), root);
    return root.traceId;
  };
  const id = await parentOf();
  const lines = await segmentLines(storeDir);
  const manual = lines.find((l) => `tr-${l.tid}` === id) as { spans: { n: string; ty: string }[] };
  assert.deepEqual(manual.spans.map((s) => [s.n, s.ty]), [["manual", "AGENT"], [
    "step",
    "RETRIEVER",
  ]]);
  assert.equal(lines.length, 4);
});

Deno.test("a finished trace is in the local store when the call returns, with no server at all", async () => {
  const storeDir = await Deno.makeTempDir();
  await using tracer = new Tracer({ storeDir });
  const f = tracer.trace("step", (x: number) => x * 2);
  assert.equal(f(21), 42);
  // Synchronously, right after the call: the line is on disk.
  const name = [...Deno.readDirSync(`${storeDir}/traces`)].find((e) => e.name.endsWith(".jsonl"))!;
  const line = JSON.parse(Deno.readTextFileSync(`${storeDir}/traces/${name.name}`).trim());
  assert.equal(line.spans[0].n, "step");
  assert.equal(line.spans[0].in, 21);
  assert.equal(line.spans[0].out, 42);
  assert.equal(tracer.stats.written, 1);
});

Deno.test("sampling keeps the rate's share and every trace with an error", async () => {
  const storeDir = await Deno.makeTempDir();
  await using tracer = new Tracer({ storeDir, sampleRate: 0.25 });
  for (let i = 0; i < 2000; i++) tracer.withSpan("ok", () => i);
  for (let i = 0; i < 50; i++) {
    tracer.withSpan("err", () => {
      try {
        withSpan("inner", () => {
          throw new Error("x");
        });
      } catch { /* recovered: the trace still had an error */ }
    });
  }
  const lines = await segmentLines(storeDir);
  const ok = lines.filter((l) => (l.tags as Record<string, string>)["mlflow.traceName"] === "ok");
  const err = lines.filter((l) => (l.tags as Record<string, string>)["mlflow.traceName"] === "err");
  assert.equal(err.length, 50);
  assert.ok(ok.length > 2000 * 0.25 - 100 && ok.length < 2000 * 0.25 + 100, String(ok.length));
  await using none = new Tracer({ storeDir: await Deno.makeTempDir(), sampleRate: 0 });
  none.withSpan("dropped", () => 1);
  assert.equal(none.stats.written, 0);
});

Deno.test("secrets never reach a span; personal data follows the rule; big values are cut and marked", async () => {
  const { client, experimentId } = await freshExperiment("tracer-protect");
  const storeDir = await Deno.makeTempDir();
  let traceId = "";
  {
    await using tracer = new Tracer({
      client,
      experimentId,
      storeDir,
      maxValueChars: 2000,
      personalData: { hash: ["applicant_name"], drop: ["ssn"] },
    });
    assert.throws(() =>
      tracer.withSpan("call", (span) => {
        traceId = span.traceId;
        span.setInputs({
          headers: { Authorization: "Bearer abc.def.ghi", "x-api-key": "k-123" },
          api_key: "sk-live-0123456789abcdefghij",
          prompt: "use token=hunter2 and sk-proj-ABCDEFGHIJKLMNOPQRSTUV",
          applicant_name: "Ada Lovelace",
          ssn: "123-45-6789",
          blob: "x".repeat(10_000),
        });
        span.setAttribute("password", "hunter2");
        throw new Error("failed with Bearer abc.def.ghi");
      }), /failed with/);
  }
  const text = (await segmentLines(storeDir)).map((l) => JSON.stringify(l)).join("\n");
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `local store has ${secret}`);
  }
  const [py] = await pyOracle(["get", traceId]);
  const serverText = JSON.stringify(py);
  for (const secret of SECRETS) {
    assert.ok(!serverText.includes(secret), `server has ${secret}`);
  }
  const inputs = py!.spans[0]!.inputs as Record<string, unknown>;
  assert.equal(inputs._evalkit_truncated, true);
  assert.ok((inputs.originalChars as number) > 10_000);
  assert.ok(serverText.includes(pseudonymize("Ada Lovelace")));
  assert.equal(py!.info.state, "ERROR");
});

Deno.test("a trace the spans fully describe goes as OTLP alone; the Python client still reads its name, tags, previews, session, user, run link and tokens", async () => {
  const { client: direct, experimentId } = await freshExperiment("tracer-otlp-only");
  const run = await direct.runs.create({ experimentId });
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = MlflowClient.fromUri(proxy.uri);
  let traceId = "";
  {
    await using tracer = new Tracer({
      client,
      experimentId,
      storeDir: await Deno.makeTempDir(),
      runId: run.info.runId,
      prices: PRICES,
    });
    await tracer.withSpan("chat", async (root) => {
      traceId = root.traceId;
      updateCurrentTrace({ session: "s-9", user: "u-9", tags: { channel: "web" } });
      root.setInputs({ question: "rate?" });
      await tracer.withSpan("llm", (llm) => {
        llm.setTokenUsage({ inputTokens: 10, outputTokens: 4 }, { model: "gpt-4o-mini" });
      }, { spanType: SpanType.LLM });
      return { answer: "4.5%" };
    }, { spanType: SpanType.AGENT });
  }
  assert.deepEqual(
    proxy.requests.filter((r) => r.method === "POST").map((r) => r.path),
    ["/v1/traces"],
  );
  const [py] = await pyOracle(["get", traceId]);
  assert.equal(py!.info.state, "OK");
  assert.equal(py!.info.tags["mlflow.traceName"], "chat");
  assert.equal(py!.info.tags.channel, "web");
  assert.equal(py!.info.trace_metadata["mlflow.trace.session"], "s-9");
  assert.equal(py!.info.trace_metadata["mlflow.trace.user"], "u-9");
  assert.match(py!.info.request_preview ?? "", /rate\?/);
  assert.match(py!.info.response_preview ?? "", /4\.5%/);
  assert.equal(py!.info.token_usage?.total_tokens, 14);
  assert.ok(py!.info.execution_duration >= 0);
  const linked = await pyOracle(["search", experimentId, `run_id = '${run.info.runId}'`]);
  assert.deepEqual(linked.map((t) => t.info.trace_id), [traceId]);
});

Deno.test("traceparent: the service continues the caller's trace; one trace on the server with both sides' spans", async () => {
  const { client, experimentId } = await freshExperiment("tracer-distributed");
  await using caller = new Tracer({ client, experimentId, storeDir: await Deno.makeTempDir() });
  await using service = new Tracer({ client, experimentId, storeDir: await Deno.makeTempDir() });
  let traceId = "";
  let callSpanId = "";
  await caller.withSpan("evaluate-row", async (root) => {
    traceId = root.traceId;
    await caller.withSpan("http POST /decision", async (call) => {
      callSpanId = call.spanId;
      const header = formatTraceparent(call)!;
      // What the service does with the incoming header:
      await service.withSpan("loan-api decision", (s) => {
        assert.equal(s.traceId, traceId);
        withSpan("validate", () => true, { spanType: SpanType.PARSER });
        return { approved: true };
      }, { spanType: SpanType.AGENT, traceparent: header, parent: null });
    }, { spanType: SpanType.TOOL });
  }, { spanType: SpanType.CHAIN });
  await service.flush();
  await caller.flush();
  const [py] = await pyOracle(["get", traceId]);
  const byName = Object.fromEntries(py!.spans.map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(byName).sort(), [
    "evaluate-row",
    "http POST /decision",
    "loan-api decision",
    "validate",
  ]);
  assert.equal(byName["loan-api decision"]!.parent_id, callSpanId);
  assert.equal(byName.validate!.parent_id, byName["loan-api decision"]!.span_id);
  assert.equal(byName["evaluate-row"]!.parent_id, null);
  assert.equal(py!.info.tags["mlflow.traceName"], "evaluate-row");
  assert.equal(py!.info.state, "OK");
  assert.equal(
    parseTraceparent(`00-${traceId.slice(3)}-${callSpanId}-01`)?.traceId,
    traceId.slice(3),
  );
});

Deno.test("by default span values follow the decision log's personal-data rule (names hashed, national ids dropped)", async () => {
  const storeDir = await Deno.makeTempDir();
  await using tracer = new Tracer({ storeDir });
  tracer.withSpan("decide", (s) => {
    s.setInputs({ applicant: { applicant_name: "Zoë Quinn", ssn: "078-05-1120", income: 1 } });
    return [{ email: "zoe@example.com" }];
  });
  const [line] = await segmentLines(storeDir);
  const span = (line as { spans: { in: unknown; out: unknown }[] }).spans[0]!;
  assert.deepEqual(span.in, {
    applicant: { applicant_name: pseudonymize("Zoë Quinn"), income: 1 },
  });
  assert.deepEqual(span.out, [{ email: pseudonymize("zoe@example.com") }]);
  assert.ok(!JSON.stringify(line).includes("078-05-1120"));
});
