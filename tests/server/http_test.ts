import assert from "node:assert/strict";
import { createRng, type Rng } from "../../lib/_internal/rng.ts";
import {
  type AccessLogEntry,
  createLoanAgentApp,
  serveLoanAgent,
  TokenSet,
} from "../../lib/server/mod.ts";
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

/** A path with random, often malformed, percent-encoding (`%ZZ`, `%`, cut UTF-8 sequences). */
function percentPath(rng: Rng): string {
  const pieces = [
    "%",
    "%Z",
    "%ZZ",
    "%E0%A4%A",
    "%E0%A4",
    "%C0%AF",
    "%ED%A0%80",
    "%FF",
    "%2F",
    "%2e%2e",
    "%00",
    "%25",
    "%F0%9F%98%80",
    "a",
    "-",
    "%%",
  ];
  const id = Array.from({ length: 1 + rng.int(4) }, () => pick(rng, pieces)).join("");
  return pick(rng, [
    `/api/v1/loan/evaluations/${id}`,
    `/api/v1/loan/${id}`,
    `/${id}`,
    `/api/v1/loan/evaluations/${id}/x`,
  ]);
}

const encoder = new TextEncoder();

/**
 * One request from a slow or vanishing TCP client: `trickle` sends the body a byte at a time
 * past the body timeout, `hangup` closes mid-body, `slow` sends it in pieces within the
 * timeout. Resolves with the status line's code, or undefined when nothing was answered.
 */
async function slowClient(
  port: number,
  kind: "trickle" | "hangup" | "slow",
  body: string,
): Promise<number | undefined> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(
      `POST /api/v1/loan/decision HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS[0]}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${encoder.encode(body).length}\r\n\r\n`,
    ));
    const bytes = encoder.encode(body);
    if (kind === "hangup") {
      await conn.write(bytes.subarray(0, bytes.length >> 1));
      await new Promise((r) => setTimeout(r, 20));
      return undefined;
    }
    const piece = kind === "trickle" ? 1 : Math.ceil(bytes.length / 4);
    const pause = kind === "trickle" ? 40 : 10;
    const reading = (async () => {
      const buf = new Uint8Array(1024);
      const n = await conn.read(buf).catch(() => null);
      return n === null ? undefined : Number(
        /^HTTP\/1\.1 (\d{3})/.exec(
          new TextDecoder().decode(buf.subarray(0, n)),
        )?.[1],
      );
    })();
    let answered = false;
    reading.then(() => answered = true);
    for (let i = 0; i < bytes.length && !answered; i += piece) {
      await new Promise((r) => setTimeout(r, pause));
      await conn.write(bytes.subarray(i, i + piece)).catch(() => {});
    }
    return await reading;
  } finally {
    conn.close();
  }
}

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

Deno.test("fuzz: 2,000 random and malformed requests (bodies, headers, percent-encoding, slow and vanishing clients) get no 5xx and the service stays healthy", async () => {
  const sink = new RecordingSink();
  const log: AccessLogEntry[] = [];
  const app = createLoanAgentApp({
    log: (e) => log.push(e),
    bodyTimeoutMs: 300,
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
  const slow: Promise<[string, number | undefined]>[] = [];
  for (let i = 0; i < N; i++) {
    if (rng.next() < 0.02) {
      // a slow or vanishing client, in the background while the fuzzing goes on
      const kind = pick(rng, ["trickle", "hangup", "slow"] as const);
      const body = JSON.stringify(application({ request_id: `slow-${i}` }));
      slow.push(slowClient(server.addr.port, kind, body).then((s) => [kind, s]));
      statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
      continue;
    }
    if (rng.next() < 0.1) {
      const path = percentPath(rng);
      const res = await fetch(`${base}${path}`, {
        headers: { Authorization: `Bearer ${TOKENS[0]}` },
      });
      await res.body?.cancel();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `request ${i}: GET ${path} answered ${res.status}`);
      continue;
    }
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
  const slowAnswers = await Promise.all(slow);
  assert.ok(slowAnswers.length > 20, `${slowAnswers.length} slow clients`);
  for (const [kind, status] of slowAnswers) {
    if (kind === "trickle") assert.equal(status, 408, kind);
    if (kind === "slow") assert.equal(status, 200, kind);
    if (kind === "hangup") assert.equal(status, undefined, kind);
  }
  const kinds = new Set(slowAnswers.map(([k]) => k));
  assert.equal(kinds.size, 3, "every kind of slow client was tried");
  assert.ok(
    (statuses.get(400) ?? 0) + (statuses.get(404) ?? 0) > 0 &&
      log.some((e) => e.path.startsWith("/api/v1/loan/evaluations/%") && e.status === 400),
    "malformed percent-encoding reached the handler and was refused",
  );
  // what the clients could not see (hang-ups): the server logged no 5xx either
  assert.deepEqual(log.filter((e) => e.status >= 500), []);
  assert.ok(log.some((e) => e.error === "client_disconnected"), "hang-ups are logged as such");
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
