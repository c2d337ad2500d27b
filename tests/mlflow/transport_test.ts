import assert from "node:assert/strict";
import { encodeJson, MlflowTransport, parseRetryAfter } from "../../lib/mlflow/transport.ts";
import { MlflowApiError } from "../../lib/_internal/errors.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";

Deno.test("encodeJson() writes NaN and infinities as MLflow's strings", () => {
  assert.equal(
    encodeJson({ a: NaN, b: Infinity, c: -Infinity, d: 1.5 }),
    '{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5}',
  );
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assert.equal(parseRetryAfter("2"), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter("soon"), undefined);
});

Deno.test("transport reaches the real server and maps its errors to MlflowApiError", async () => {
  const t = new MlflowTransport({ trackingUri: testMlflowUri() });
  const err = await t.get("/api/2.0/mlflow/runs/get", { query: { run_id: "0".repeat(32) } }).catch((
    e,
  ) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.status, 404);
  assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(err.endpoint, "/api/2.0/mlflow/runs/get");
});

Deno.test("json() retries when the connection drops while the answer is being read", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const t = new MlflowTransport({ trackingUri: proxy.uri, retry: { baseDelayMs: 5 } });
  proxy.inject({ kind: "truncate" });
  const res = await t.get<{ experiment: { name: string } }>("/api/2.0/mlflow/experiments/get", {
    query: { experiment_id: "0" },
  });
  assert.equal(res.experiment.name, "Default");
  assert.deepEqual(proxy.requests.map((r) => r.fault), ["truncate", undefined]);
});

Deno.test("a Retry-After beyond the total budget fails at once instead of waiting", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const t = new MlflowTransport({ trackingUri: proxy.uri, retry: { totalBudgetMs: 1000 } });
  proxy.inject({
    kind: "status",
    status: 429,
    headers: { "Retry-After": "30" },
    body: "slow down",
  });
  const started = Date.now();
  const err = await t.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } })
    .catch((e) => e);
  assert.ok(Date.now() - started < 1000);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.status, 429);
  assert.equal(err.errorCode, "REQUEST_LIMIT_EXCEEDED");
  assert.equal(err.attempts, 1);
});

Deno.test("credentials in the tracking URI become Basic auth and never appear in errors", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const uri = proxy.uri.replace("http://", "http://ana:s3cr3t@");
  const t = new MlflowTransport({ trackingUri: uri, retry: { maxRetries: 0 } });
  assert.equal(t.baseUrl, proxy.uri);
  await t.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } });
  assert.equal(proxy.requests[0]?.headers.authorization, `Basic ${btoa("ana:s3cr3t")}`);
  assert.throws(
    () => new MlflowTransport({ trackingUri: "ftp://ana:s3cr3t@example.com" }),
    (err: unknown) => err instanceof TypeError && !err.message.includes("s3cr3t"),
  );
});

Deno.test("the transport refuses a timeout or retry count that makes no sense", () => {
  assert.throws(
    () => new MlflowTransport({ trackingUri: "http://127.0.0.1:1", timeoutMs: 0 }),
    RangeError,
  );
  assert.throws(
    () => new MlflowTransport({ trackingUri: "http://127.0.0.1:1", retry: { maxRetries: -1 } }),
    RangeError,
  );
});

Deno.test("the caller's abort signal cuts a backoff wait short", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const t = new MlflowTransport({ trackingUri: proxy.uri });
  proxy.inject({ kind: "status", status: 503, headers: { "Retry-After": "20" } });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("stop")), 200);
  const started = Date.now();
  const err = await t.get("/api/2.0/mlflow/experiments/get", {
    query: { experiment_id: "0" },
    signal: controller.signal,
  }).catch((e) => e);
  clearTimeout(timer);
  assert.ok(Date.now() - started < 5000);
  assert.equal((err as Error).message, "stop");
  assert.equal(proxy.requests.length, 1);
});

Deno.test("every transient status (408, 429, 500, 502, 503, 504) is retried against the real server", async (t) => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const tr = new MlflowTransport({ trackingUri: proxy.uri, retry: { baseDelayMs: 1 } });
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      const before = proxy.requests.length;
      proxy.inject({ kind: "status", status, body: "hiccup" });
      const res = await tr.get<{ experiment: { name: string } }>(
        "/api/2.0/mlflow/experiments/get",
        { query: { experiment_id: "0" } },
      );
      assert.equal(res.experiment.name, "Default");
      assert.equal(proxy.requests.length - before, 2);
    });
  }
  await t.step("a dropped connection (network error)", async () => {
    const before = proxy.requests.length;
    proxy.inject({ kind: "drop", when: "before" });
    await tr.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } });
    assert.equal(proxy.requests.length - before, 2);
  });
});

Deno.test("a final status (400, 401, 403, 404, 409) is not retried", async (t) => {
  await using proxy = await startFaultProxy(testMlflowUri());
  const tr = new MlflowTransport({ trackingUri: proxy.uri, retry: { baseDelayMs: 1 } });
  for (const status of [400, 401, 403, 404, 409]) {
    await t.step(`HTTP ${status}`, async () => {
      const before = proxy.requests.length;
      proxy.inject({ kind: "status", status, body: "no" });
      const err = await tr.get("/api/2.0/mlflow/experiments/get", {
        query: { experiment_id: "0" },
      }).catch((e) => e);
      assert.ok(err instanceof MlflowApiError);
      assert.equal(err.status, status);
      assert.equal(err.attempts, 1);
      assert.equal(proxy.requests.length - before, 1);
    });
  }
});
