import assert from "node:assert/strict";
import { MlflowApiError, MlflowClient } from "../../lib/mlflow/mod.ts";
import { startMlflowServer } from "../../lib/testing/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const isLogBatch = (r: { path: string }) => r.path.includes("/runs/log-batch");

/** `points` metric points (default 3000: 3 requests), 5 params and 2 tags; each point has its own timestamp and step. */
function workload(offset = 0, points = 3000) {
  return {
    metrics: Array.from({ length: points }, (_, i) => ({
      key: `k${i % 3}`,
      value: i + offset,
      timestamp: 1_000_000 + i + offset,
      step: i + offset,
    })),
    params: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i + offset}`, `v${i}`])),
    tags: { stage: `s${offset}`, owner: "ci" },
  };
}

async function assertExactlyOnce(
  client: MlflowClient,
  runId: string,
  expected: ReturnType<typeof workload>[],
): Promise<void> {
  const run = await client.runs.get(runId);
  for (const w of expected) {
    for (const [k, v] of Object.entries(w.params)) assert.equal(run.data.params[k], v);
  }
  for (const key of ["k0", "k1", "k2"]) {
    const want = expected.flatMap((w) => w.metrics.filter((m) => m.key === key))
      .map((m) => m.step).sort((a, b) => a - b);
    const got = (await client.runs.metricHistory(runId, key)).map((m) => m.step);
    assert.deepEqual(got, want, `history of ${key} holds every point exactly once`);
  }
}

async function newRun(client: MlflowClient): Promise<string> {
  const experimentId = await client.experiments.create(uniqueName("faults"));
  return (await client.runs.create({ experimentId })).info.runId;
}

Deno.test("503 with Retry-After is retried after the announced delay, all data present once", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({ trackingUri: proxy.uri, retry: { baseDelayMs: 10 } });
  const runId = await newRun(client);
  proxy.inject(
    { kind: "status", status: 503, headers: { "Retry-After": "1" }, body: "busy" },
    { match: isLogBatch, times: 2 },
  );
  const w = workload();
  const started = Date.now();
  await client.runs.logBatch(runId, w, { concurrency: 1 });
  const elapsed = Date.now() - started;
  assert.equal(proxy.pending(), 0);
  assert.equal(proxy.requests.filter((r) => r.fault === "status").length, 2);
  assert.ok(elapsed >= 1900, `waited ${elapsed} ms; Retry-After asked for 2 × 1 s`);
  await assertExactlyOnce(client, runId, [w]);
});

Deno.test("a connection dropped before or after the server applied the batch is retried, data present once", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({ trackingUri: proxy.uri, retry: { baseDelayMs: 20 } });
  const runId = await newRun(client);
  proxy.inject({ kind: "drop", when: "after" }, { match: isLogBatch, times: 2 });
  proxy.inject({ kind: "drop", when: "before" }, { match: isLogBatch, times: 1 });
  const w = workload();
  await client.runs.logBatch(runId, w);
  assert.equal(proxy.requests.filter((r) => r.fault === "drop").length, 3);
  await assertExactlyOnce(client, runId, [w]);
});

Deno.test("a reply slower than the timeout is abandoned and retried, data present once", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({
    trackingUri: proxy.uri,
    timeoutMs: 2000,
    retry: { baseDelayMs: 20 },
  });
  const runId = await newRun(client);
  proxy.inject({ kind: "delay", ms: 4000 }, { match: isLogBatch, times: 2 });
  // Small requests (100 points each), so that only the delayed ones exceed the timeout even
  // on a busy machine.
  const w = workload(0, 300);
  await client.runs.logBatch(runId, w, { limits: { maxMetrics: 100 } });
  assert.equal(proxy.requests.filter((r) => r.fault === "delay").length, 2);
  assert.ok(proxy.requests.filter(isLogBatch).length >= 5, "the two slow requests were sent again");
  await assertExactlyOnce(client, runId, [w]);
});

Deno.test("retries stop after maxRetries with an MlflowApiError naming status, code and attempts", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({
    trackingUri: proxy.uri,
    retry: { maxRetries: 2, baseDelayMs: 5 },
  });
  proxy.inject({
    kind: "status",
    status: 503,
    body: '{"error_code":"TEMPORARILY_UNAVAILABLE","message":"down"}',
  }, {
    times: 10,
  });
  const err = await client.experiments.get("0").catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.status, 503);
  assert.equal(err.errorCode, "TEMPORARILY_UNAVAILABLE");
  assert.equal(err.attempts, 3);
  assert.equal(proxy.requests.length, 3);
  assert.match(
    err.message,
    /GET \/api\/2\.0\/mlflow\/experiments\/get failed \(HTTP 503 TEMPORARILY_UNAVAILABLE\) after 3 attempts: down/,
  );
});

Deno.test("a 4xx answer is not retried", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({ trackingUri: proxy.uri });
  const err = await client.runs.get("0".repeat(32)).catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(proxy.requests.length, 1);
});

Deno.test("a tracking URI with a path prefix sends every request under that prefix", async () => {
  await using proxy = await startFaultProxy(testMlflowUri(), { stripPrefix: "/team/mlflow" });
  const client = new MlflowClient({ trackingUri: `${proxy.uri}/team/mlflow/` });
  const runId = await newRun(client);
  await client.runs.logBatch(runId, { metrics: [{ key: "m", value: 1 }] });
  assert.equal((await client.runs.metricHistory(runId, "m")).length, 1);
  assert.ok(proxy.requests.length >= 4);
  for (const r of proxy.requests) assert.match(r.path, /^\/team\/mlflow\/api\/2\.0\/mlflow\//);
});

Deno.test({
  name: "a server killed and restarted mid-sequence loses nothing and duplicates nothing",
  async fn() {
    await using server = await startMlflowServer();
    const client = new MlflowClient({
      trackingUri: server.uri,
      timeoutMs: 30_000,
      // A restart takes 5–60 s depending on the machine: retry on a time budget, not a count.
      retry: { maxRetries: 1000, baseDelayMs: 100, maxDelayMs: 1000, totalBudgetMs: 240_000 },
    });
    const runId = await newRun(client);
    const sent: ReturnType<typeof workload>[] = [];
    let restarting: Promise<void> | undefined;
    for (let round = 0; round < 6; round++) {
      if (round === 2) {
        await server.kill();
        assert.equal(server.running, false);
        restarting = new Promise((r) => setTimeout(r, 1500)).then(() => server.restart());
      }
      const w = workload(round * 10_000);
      await client.runs.logBatch(runId, w);
      sent.push(w);
    }
    await restarting;
    assert.equal(server.running, true);
    await assertExactlyOnce(client, runId, sent);
  },
});
