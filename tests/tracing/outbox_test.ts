/**
 * The trace outbox against the real MLflow server of the suite: a server that fails or drops
 * answers, a server that is down until another process syncs, and a process killed with
 * SIGKILL mid-stream. After delivery every trace whose call returned is on the server once,
 * with all its spans.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import {
  deliveredTraceCount,
  listLocalTraces,
  SpanType,
  syncTraces,
  Tracer,
  withSpan,
} from "../../lib/tracing/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { freshExperiment, pyOracle } from "./_helpers.ts";

/** Trace id → span count on the server, for an experiment. */
async function serverTraces(
  client: MlflowClient,
  experimentId: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const info of client.traces.search({ experimentIds: [experimentId], pageSize: 500 })) {
    assert.ok(!out.has(info.traceId), `${info.traceId} listed twice`);
    out.set(info.traceId, -1);
  }
  for (const id of out.keys()) out.set(id, (await client.traces.get(id)).spans.length);
  return out;
}

function agentCall(tracer: Tracer, i: number): string {
  return tracer.withSpan("call", (root) => {
    root.setInputs({ i });
    withSpan("validate", () => true, { spanType: SpanType.PARSER });
    withSpan("rules", () => "ok", { spanType: SpanType.TOOL });
    return root.traceId;
  }, { spanType: SpanType.AGENT });
}

Deno.test("503s and answers lost after the server applied them: every trace lands once, complete", async () => {
  const { client: direct, experimentId } = await freshExperiment("outbox-faults");
  await using proxy = await startFaultProxy(testMlflowUri());
  const client = new MlflowClient({
    trackingUri: proxy.uri,
    retry: { maxRetries: 0 },
    timeoutMs: 10_000,
  });
  proxy.inject({ kind: "status", status: 503 }, {
    match: (r) => r.path.startsWith("/v1/traces"),
    times: 3,
  });
  proxy.inject({ kind: "drop", when: "after" }, {
    match: (r) => r.path.startsWith("/v1/traces"),
    times: 2,
  });
  proxy.inject({ kind: "drop", when: "after" }, {
    match: (r) => r.method === "POST" && r.path === "/api/3.0/mlflow/traces",
    times: 3,
  });
  const storeDir = await Deno.makeTempDir();
  const errors: unknown[] = [];
  const ids: string[] = [];
  {
    await using tracer = new Tracer({
      client,
      experimentId,
      storeDir,
      flush: { maxBatchTraces: 10, intervalMs: 1, maxBackoffMs: 100 },
      traceInfo: "always", // StartTraceV3 for every trace: its lost answers are replayed too
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 40; i++) ids.push(agentCall(tracer, i));
    const stats = await tracer.flush({ timeoutMs: 180_000 });
    assert.equal(stats.pending, 0, `still pending; last error: ${stats.lastError}`);
    assert.equal(stats.delivered, 40);
    assert.equal(stats.rejected, 0);
  }
  assert.ok(errors.length >= 5, `${errors.length} failures seen`);
  assert.equal(proxy.pending(), 0);
  const onServer = await serverTraces(direct, experimentId);
  assert.deepEqual([...onServer.keys()].sort(), [...ids].sort());
  for (const [id, n] of onServer) assert.equal(n, 3, id);
  assert.equal(await deliveredTraceCount(proxy.uri.replace(/\/$/, ""), { storeDir }), 40);
});

Deno.test("server down: traces wait in the store; a later sync delivers them in order, once", async () => {
  const { client, experimentId } = await freshExperiment("outbox-down");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadUri = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close();
  const storeDir = await Deno.makeTempDir();
  const ids: string[] = [];
  {
    const dead = new MlflowClient({ trackingUri: deadUri, retry: { maxRetries: 0 } });
    const tracer = new Tracer({
      client: dead,
      experimentId,
      storeDir,
      flush: { intervalMs: 1, maxBackoffMs: 50 },
    });
    const started = performance.now();
    for (let i = 0; i < 25; i++) ids.push(agentCall(tracer, i));
    // The caller never waits for the server.
    assert.ok(performance.now() - started < 500);
    const stats = await tracer.flush({ timeoutMs: 300 });
    assert.equal(stats.delivered, 0);
    assert.equal(stats.pending, 25);
    assert.match(stats.lastError ?? "", /network error|refused/i);
    const closed = await tracer.close({ timeoutMs: 50 });
    assert.equal(closed.pending, 25);
  }
  assert.deepEqual((await listLocalTraces({ storeDir })).map((t) => t.traceId), ids);
  const first = await syncTraces({ client, storeDir, timeoutMs: 60_000 });
  assert.equal(first.delivered, 25);
  assert.equal(first.pending, 0);
  const again = await syncTraces({ client, storeDir, timeoutMs: 60_000 });
  assert.equal(again.delivered, 0);
  // In order: the server's request times follow the order the calls returned in.
  const times = [];
  for (const id of ids) times.push((await client.traces.getInfo(id)).requestTime);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `trace ${i}`);
  const onServer = await serverTraces(client, experimentId);
  for (const [id, n] of onServer) assert.equal(n, 3, id);
});

Deno.test("SIGKILL mid-stream: after sync every trace whose call returned is on the server once, complete", async () => {
  const { client, experimentId } = await freshExperiment("outbox-sigkill");
  const storeDir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sigkill_child.ts", import.meta.url).pathname],
    env: {
      CHILD_URI: testMlflowUri(),
      CHILD_STORE: storeDir,
      CHILD_EXPERIMENT_ID: experimentId,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const returned: string[] = [];
  const dec = new TextDecoder();
  let buffer = "";
  const reader = child.stdout.getReader();
  const take = (chunk: Uint8Array) => {
    buffer += dec.decode(chunk, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const l of lines) if (l) returned.push(l);
  };
  while (returned.length < 150) {
    const { value, done } = await reader.read();
    if (done) break;
    take(value);
  }
  child.kill("SIGKILL");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    take(value);
  }
  await child.status;
  assert.ok(returned.length >= 150);
  const stats = await syncTraces({ client, storeDir, timeoutMs: 120_000 });
  assert.equal(stats.pending, 0);
  assert.equal(stats.rejected, 0);
  const onServer = await serverTraces(client, experimentId);
  for (const id of returned) assert.equal(onServer.get(id), 4, `${id} on the server with 4 spans`);
  // Nothing that was not written is there; each written trace is there once.
  const local = (await listLocalTraces({ storeDir })).map((t) => t.traceId);
  assert.deepEqual([...onServer.keys()].sort(), [...local].sort());
  const [py] = await pyOracle(["get", returned[returned.length - 1]!]);
  assert.deepEqual(py!.spans.map((s) => s.name).sort(), ["call", "rules", "score", "validate"]);
});

Deno.test("deno task traces lists the store and shows a trace as a tree", async () => {
  const storeDir = await Deno.makeTempDir();
  let id = "";
  {
    await using tracer = new Tracer({ storeDir });
    id = agentCall(tracer, 1);
  }
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../scripts/traces.ts", import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return {
      code: out.code,
      out: new TextDecoder().decode(out.stdout),
      err: new TextDecoder().decode(out.stderr),
    };
  };
  const list = await run("--store", storeDir);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, new RegExp(`${id}\\s+call\\s+OK`));
  const show = await run("show", id.slice(3, 12), "--store", storeDir);
  assert.equal(show.code, 0, show.err);
  const lines = show.out.trim().split("\n");
  assert.match(lines[0]!, new RegExp(`^${id}  call  OK`));
  assert.match(lines[1]!, /^└─ call {2}\[AGENT\] {2}\d+\.\d ms {2}OK$/);
  assert.match(lines[2]!, /^ {3}├─ validate {2}\[PARSER\] {2}\d+\.\d ms {2}OK$/);
  assert.match(lines[3]!, /^ {3}└─ rules {2}\[TOOL\] {2}\d+\.\d ms {2}OK$/);
  const missing = await run("show", "ffffffff", "--store", storeDir);
  assert.equal(missing.code, 2);
});

Deno.test("traces recorded without a server wait for an experiment: never rejected, delivered once one is named", async () => {
  const { client, experimentId } = await freshExperiment("outbox-local");
  const storeDir = await Deno.makeTempDir();
  const ids: string[] = [];
  {
    await using tracer = new Tracer({ storeDir });
    for (let i = 0; i < 3; i++) ids.push(agentCall(tracer, i));
  }
  const none = await syncTraces({ client, storeDir, timeoutMs: 30_000 });
  assert.equal(none.delivered, 0);
  assert.equal(none.rejected, 0);
  assert.equal(none.noExperiment, 3);
  const sent = await syncTraces({ client, storeDir, experimentId, timeoutMs: 60_000 });
  assert.equal(sent.delivered, 3);
  assert.equal((await syncTraces({ client, storeDir, experimentId })).delivered, 0);
  const onServer = await serverTraces(client, experimentId);
  assert.deepEqual([...onServer.keys()].sort(), [...ids].sort());
});
