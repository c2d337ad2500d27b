import assert from "node:assert/strict";
import { startMlflowServer } from "../../lib/testing/mod.ts";
import { AgentTracker, readLocalRun, syncStore } from "../../lib/tracking/mod.ts";
import { asTracking, clientFor, tempHome } from "./_helpers.ts";

Deno.test("a run logged while the server is down for its whole life is identical on the server after it is back and sync runs", async () => {
  // The server's port has nothing listening for the whole run; the server comes up afterwards.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const uri = `http://127.0.0.1:${port}`;
  const home = await tempHome();
  const storeDir = `${home}/store`;

  const tracker = new AgentTracker("offline_agent", {
    trackingUri: uri,
    storeDir,
    createTimeoutMs: 2000,
    deliveryTimeoutMs: 1500,
    handleSigint: false,
  });
  const t0 = Date.UTC(2026, 10, 2, 8, 30, 0);
  const run = await tracker.startRun({
    purpose: "evaluate",
    startTime: t0,
    tags: { suite: "offline" },
  });
  assert.equal(run.serverRunId, undefined, "no server run id while the server is down");
  run.logParams({ model: "gpt-x", max_tokens: 512 });
  for (let step = 0; step < 2_500; step++) {
    run.logMetrics({ loss: 1 / (step + 1), latency_ms: 100 + (step % 7) }, {
      step,
      timestamp: t0 + step,
    });
  }
  run.setTags({ phase: "offline" });
  await run.logDataset([{ x: 1, y: "a" }, { x: 2, y: "b" }], {
    name: "offline_set",
    context: "evaluation",
  });
  await run.logArtifact("reports/offline.md", "# written offline\n");
  const ended = await run.end("FINISHED");
  assert.equal(ended.delivered, false, "end() gave up waiting and left the run in the outbox");
  assert.ok(ended.pending > 0);
  assert.ok(run.lastDeliveryError, "the transient failure is visible");
  tracker.close();

  await using server = await startMlflowServer({ port });
  const client = clientFor(server.uri);
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  const serverRunId = report.runs[0]!.runId!;
  const local = (await readLocalRun(run.localRunId, { storeDir }))!;
  const got = await client.runs.get(serverRunId);
  assert.equal(got.info.runName, local.runName);
  assert.equal(got.info.startTime, t0);
  assert.equal(got.info.endTime, local.endTime);
  assert.equal(got.info.status, "FINISHED");
  assert.deepEqual(got.data.params, { model: "gpt-x", max_tokens: "512" });
  for (const [k, v] of Object.entries(local.tags)) assert.equal(got.data.tags[k], v);
  for (const key of ["loss", "latency_ms"]) {
    const history = (await client.runs.metricHistory(serverRunId, key))
      .map((m) => ({ step: m.step, timestamp: m.timestamp, value: m.value }))
      .sort((a, b) => a.step - b.step);
    assert.deepEqual(history, local.metrics[key], `${key} history is identical`);
  }
  assert.deepEqual(got.inputs.datasetInputs.map((d) => d.dataset.name), ["offline_set"]);
  assert.equal(
    await client.artifacts.readText(got.info.artifactUri, "reports/offline.md"),
    "# written offline\n",
  );
  client.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("a tracker pointed at a port with nothing listening still returns from every call and ends the run", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const home = await tempHome();
  const tracker = new AgentTracker("nobody_home", {
    trackingUri: `http://127.0.0.1:${port}`,
    storeDir: `${home}/store`,
    createTimeoutMs: 500,
    deliveryTimeoutMs: 300,
    handleSigint: false,
  });
  const started = performance.now();
  const run = await tracker.startRun({});
  for (let i = 0; i < 1000; i++) run.logMetrics({ x: i }, { step: i });
  const result = await run.end();
  assert.ok(performance.now() - started < 10_000, "bounded by the timeouts");
  assert.equal(result.delivered, false);
  const local = (await readLocalRun(run.localRunId, { storeDir: `${home}/store` }))!;
  assert.equal(local.metrics.x!.length, 1000, "everything is in the outbox");
  assert.equal(local.status, "FINISHED");
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
