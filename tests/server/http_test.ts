import assert from "node:assert/strict";
import { createRng, type Rng } from "../../lib/_internal/rng.ts";
import { createLoanAgentApp, serveLoanAgent, TokenSet } from "../../lib/server/mod.ts";
import { application, RecordingSink, ruleAgent, TOKENS, WRONG_TOKEN } from "./_fixtures.ts";

const PATHS = [
  "/health",
  "/api/v1/openapi.json",
  "/api/v1/loan/decision",
  "/api/v1/loan/evaluate_dataset",
  "/api/v1/loan/evaluations/abc",
  "/api/v1/loan/evaluations/%2e%2e%2f",
  "/api/v1/metrics/summary",
  "/api/v1/loan/decision/../../x",
  "/%00",
  "/api/v1/loan/decision?x=" + "a".repeat(2000),
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, 1e-320, 720]);
    case 3:
      return "x".repeat(rng.int(300));
    case 4:
      return pick(rng, ["", "NaN", "Infinity", "../../etc/passwd", "\u0000", "ü💥", "<script>"]);
    case 5:
      return rng.int(1000);
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(5) }, (_, i) => [`k${i}`, randomValue(rng, depth + 1)]),
      );
  }
}

function randomBody(rng: Rng): BodyInit | undefined {
  switch (rng.int(7)) {
    case 0:
      return undefined;
    case 1: { // a valid application with one field mutated or removed
      const app = application();
      const keys = Object.keys(app);
      const key = pick(rng, keys);
      if (rng.next() < 0.3) delete app[key];
      else app[key] = randomValue(rng);
      return JSON.stringify(app);
    }
    case 2: // evaluate_dataset bodies
      return JSON.stringify({
        dataset_name: randomValue(rng),
        target_field: randomValue(rng),
        concurrency: randomValue(rng),
      });
    case 3: // random bytes, often invalid UTF-8
      return crypto.getRandomValues(new Uint8Array(rng.int(2000)));
    case 4: // truncated JSON
      return JSON.stringify(application()).slice(0, rng.int(150));
    case 5: // deep nesting
      return "[".repeat(5000) + "]".repeat(5000);
    default:
      return JSON.stringify(randomValue(rng));
  }
}

Deno.test("fuzz: 2,000 random and malformed requests get no 5xx and the service stays healthy", async () => {
  const sink = new RecordingSink();
  const app = createLoanAgentApp({
    agent: ruleAgent(),
    tokens: await TokenSet.from(TOKENS),
    metrics: sink,
    maxBodyBytes: 64 * 1024,
    evaluateDataset: () => Promise.resolve({ runId: "r", metrics: { accuracy_score: 1 } }),
    datasetExists: (name) => Promise.resolve(name === "loan_approval_test_set"),
  });
  await using server = serveLoanAgent(app, { port: 0 });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const rng = createRng(20261129);
  const statuses = new Map<number, number>();
  const N = 2000;
  for (let i = 0; i < N; i++) {
    // Most requests aim at the body-taking endpoints with a valid token, so the bodies are what gets fuzzed.
    const focused = rng.next() < 0.6;
    const method = focused ? "POST" : pick(rng, METHODS);
    const path = focused
      ? pick(rng, ["/api/v1/loan/decision", "/api/v1/loan/evaluate_dataset"])
      : pick(rng, PATHS);
    const headers: Record<string, string> = {};
    const auth = focused ? 0 : rng.int(4);
    if (auth === 0) headers.Authorization = `Bearer ${TOKENS[rng.int(2)]}`;
    if (auth === 1) headers.Authorization = `Bearer ${WRONG_TOKEN}`;
    if (auth === 2) {
      headers.Authorization = pick(rng, ["Bearer", "Bearer  ", "Basic x", "\t", "Bearer a b"]);
    }
    headers["Content-Type"] = focused && rng.next() < 0.8
      ? "application/json"
      : pick(rng, ["application/json; charset=utf-8", "text/plain", "", "application/jsonx"]);
    const body = method === "GET" || method === "HEAD" ? undefined : randomBody(rng);
    const res = await fetch(`${base}${path}`, { method, headers, body });
    await res.body?.cancel();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.ok(res.status < 500, `request ${i}: ${method} ${path} answered ${res.status}`);
  }
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  assert.equal(total, N);
  assert.ok(
    (statuses.get(200) ?? 0) > 20,
    `some requests must succeed: ${JSON.stringify([...statuses])}`,
  );
  assert.ok(
    (statuses.get(400) ?? 0) > 500,
    `malformed bodies must be refused with 400: ${JSON.stringify([...statuses])}`,
  );
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");
  await app.idle();
});

Deno.test("on shutdown, in-flight requests finish and the shutdown hook (metrics flush) runs after them", async () => {
  const events: string[] = [];
  const sink = new RecordingSink();
  const app = createLoanAgentApp({
    agent: ruleAgent(300),
    tokens: await TokenSet.from(TOKENS),
    metrics: sink,
  });
  const server = serveLoanAgent(app, {
    port: 0,
    onShutdown: () => {
      events.push(`flush after ${sink.requests.length} request(s)`);
      return Promise.resolve();
    },
  });
  const inflight = fetch(`http://127.0.0.1:${server.addr.port}/api/v1/loan/decision`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKENS[0]}` },
    body: JSON.stringify(application()),
  });
  await new Promise((r) => setTimeout(r, 100));
  const stopped = server.shutdown();
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal((await res.json()).outcome, "approve");
  await stopped;
  assert.deepEqual(events, ["flush after 1 request(s)"]);
  await assert.rejects(fetch(`http://127.0.0.1:${server.addr.port}/health`));
});
