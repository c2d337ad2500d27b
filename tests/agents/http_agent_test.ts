import assert from "node:assert/strict";
import { AgentError, HttpAgent } from "../../lib/agents/mod.ts";
import { parseUsage } from "../../lib/agents/http_agent.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import type { Dataset } from "../../lib/datasets/mod.ts";

/** A local agent service whose behaviour each test scripts. */
function serve(
  handler: (req: Request, body: Record<string, unknown>) => Response | Promise<Response>,
) {
  const seen: { headers: Headers; body: Record<string, unknown> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    seen.push({ headers: req.headers, body });
    return await handler(req, body);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/decide`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const json = (v: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(v), {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });

Deno.test("HttpAgent POSTs the mapped request with the auth header and reads outcome, score, reasons and usage", async () => {
  await using s = serve((_req, body) =>
    json({
      decision: body.score! as number > 600 ? "approve" : "reject",
      risk_score: 0.25,
      reasons: ["fine"],
      model: "gpt-4o-mini",
      usage: {
        prompt_tokens: 120,
        completion_tokens: 30,
        prompt_tokens_details: { cached_tokens: 20 },
      },
    })
  );
  const agent = new HttpAgent({
    url: s.url,
    name: "svc",
    version: "2.0.0",
    auth: { type: "bearer", token: "s3cret-token" },
    requestMapping: { credit_score: "score" },
    responseMapping: { outcome: "decision" },
  });
  const d = await agent.decide({ credit_score: 700, age: 30 });
  assert.deepEqual(d, {
    outcome: "approve",
    riskScore: 0.25,
    reasons: ["fine"],
    usage: { "gpt-4o-mini": { inputTokens: 100, outputTokens: 30, cachedInputTokens: 20 } },
  });
  assert.deepEqual(s.seen[0]!.body, { score: 700, age: 30 });
  assert.equal(s.seen[0]!.headers.get("authorization"), "Bearer s3cret-token");
  assert.equal(s.seen[0]!.headers.get("content-type"), "application/json");
  assert.equal(
    JSON.stringify(agent.config).includes("s3cret"),
    false,
    "credentials stay out of the config",
  );
});

Deno.test("HttpAgent speaks MLflow model serving with bodyFormat dataframe_records", async () => {
  await using s = serve(() => json({ predictions: ["reject"] }));
  const agent = new HttpAgent({
    url: s.url,
    bodyFormat: "dataframe_records",
    responseMapping: { outcome: "predictions.0" },
    auth: { type: "basic", username: "u", password: "p" },
  });
  assert.equal((await agent.decide({ a: 1 })).outcome, "reject");
  assert.deepEqual(s.seen[0]!.body, { dataframe_records: [{ a: 1 }] });
  assert.equal(s.seen[0]!.headers.get("authorization"), `Basic ${btoa("u:p")}`);
});

Deno.test("HttpAgent classifies failures: 429 with Retry-After, 5xx retryable, 4xx not, bad body invalid", async (t) => {
  let mode = "";
  await using s = serve(() => {
    if (mode === "429") {
      return json({ error: "slow down" }, { status: 429, headers: { "retry-after": "2" } });
    }
    if (/^\d+$/.test(mode)) return json({ error: "down" }, { status: Number(mode) });
    if (mode === "400") return json({ error: "token=abc123 bad" }, { status: 400 });
    if (mode === "html") return new Response("<html>oops</html>");
    return json({ something: "else" });
  });
  const agent = new HttpAgent({ url: s.url });
  const cases: [string, Partial<AgentError>][] = [
    ["429", { kind: "rate_limited", retryable: true, retryAfterMs: 2000, status: 429 }],
    // the shared retry rule (lib/_internal/retry.ts): 408, 500, 502, 503, 504 retried
    ...[408, 500, 502, 503, 504].map((status): [string, Partial<AgentError>] => [
      String(status),
      { kind: "agent_exception", retryable: true, status },
    ]),
    ...[400, 401, 403, 404, 501].map((status): [string, Partial<AgentError>] => [
      String(status),
      { kind: "agent_exception", retryable: false, status },
    ]),
    ["html", { kind: "invalid_output", retryable: false }],
    ["missing", { kind: "invalid_output", retryable: false }],
  ];
  for (const [m, expected] of cases) {
    await t.step(m, async () => {
      mode = m;
      const err = await agent.decide({}).then(() => undefined, (e) => e);
      assert.ok(err instanceof AgentError, String(err));
      for (const [k, v] of Object.entries(expected)) assert.equal(err[k as keyof AgentError], v, k);
      assert.equal(err.message.includes("abc123"), false, "secrets in bodies are redacted");
    });
  }
});

Deno.test("HttpAgent times out a slow reply and aborts the request", async () => {
  await using s = serve(() =>
    new Promise((resolve) => setTimeout(() => resolve(json({ outcome: "approve" })), 300))
  );
  const agent = new HttpAgent({ url: s.url, timeoutMs: 50 });
  const t0 = performance.now();
  const err = await agent.decide({}).then(() => undefined, (e) => e);
  assert.ok(err instanceof AgentError && err.kind === "timeout", String(err));
  assert.ok(performance.now() - t0 < 290, "gave up before the reply came");
  await new Promise((r) => setTimeout(r, 300)); // let the server's slow handler finish
});

function rowsDataset(n: number): Dataset {
  return {
    name: "http",
    version: "1",
    rows: Array.from(
      { length: n },
      (_, i) => ({ request_id: `r${i}`, v: i, expected_outcome: i % 2 ? "reject" : "approve" }),
    ),
    schema: { columns: [], target: "expected_outcome", id: "request_id" },
    digest: "1".repeat(64),
    mlflowDigest: "11111111",
    meta: {} as Dataset["meta"],
  };
}

Deno.test("evaluating an HTTP agent that fails, rate-limits and replies slowly still scores every row", async () => {
  const attempts = new Map<string, number>();
  let inFlight = 0, peak = 0;
  await using s = serve(async (_req, body) => {
    const id = String(body.request_id);
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      const i = Number(body.v);
      if (i % 10 === 1 && n === 1) return json({ error: "boom" }, { status: 500 }); // fails once
      if (i % 10 === 2 && n === 1) {
        return json({ error: "rate" }, { status: 429, headers: { "retry-after": "0.05" } });
      }
      if (i % 10 === 3 && n === 1) await new Promise((r) => setTimeout(r, 900)); // too slow once
      return json({
        outcome: i % 2 ? "reject" : "approve",
        usage: { input_tokens: 10, output_tokens: 2 },
        model: "m",
      });
    } finally {
      inFlight--;
    }
  });
  const agent = new HttpAgent({ url: s.url, name: "svc" });
  const r = await new ModelEvaluator("svc", agent).evaluateDataset(rowsDataset(50), {
    logToMlflow: false,
    concurrency: 8,
    timeoutMs: 300,
    retries: 2,
    backoffMs: 5,
  });
  assert.equal(r.errors.total, 0, JSON.stringify(r.errors));
  assert.equal(r.metrics.accuracy_score, 1);
  assert.equal(r.metrics.rate_limited_count, 5);
  assert.equal(r.metrics.retry_count, 15, "5 failures + 5 rate limits + 5 timeouts retried");
  assert.equal(r.metrics["tokens/m/input"], 500);
  assert.ok(peak <= 8);
  await new Promise((res) => setTimeout(res, 950)); // slow handlers finish before the server stops
});

Deno.test("parseUsage() reads per-model maps and single usage objects", () => {
  assert.deepEqual(
    parseUsage(
      { a: { input_tokens: 1, output_tokens: 2 }, b: { inputTokens: 3, outputTokens: 4 } },
      undefined,
    ),
    {
      a: { inputTokens: 1, outputTokens: 2 },
      b: { inputTokens: 3, outputTokens: 4 },
    },
  );
  assert.deepEqual(
    parseUsage({ input_tokens: 5, output_tokens: 6, cache_read_input_tokens: 7 }, "claude"),
    {
      claude: { inputTokens: 5, outputTokens: 6, cachedInputTokens: 7 },
    },
  );
  assert.equal(parseUsage("nope", undefined), undefined);
});
