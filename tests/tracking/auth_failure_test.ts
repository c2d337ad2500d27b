/**
 * #18 items 1 and 7: a server that refuses the credentials (401, 403, Databricks' wrong
 * token) must not lose the run. Every operation stays pending, the failure is reported, no
 * operation is written down as rejected, and once the server accepts the credentials a sync
 * delivers the whole run. The refusal's body echoes the Authorization header, as some
 * proxies do: it must not reach the acknowledgement log.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { databricksTarget } from "../../lib/mlflow/databricks/mod.ts";
import { AgentTracker, readLocalRun, syncStore } from "../../lib/tracking/mod.ts";
import { startDatabricksStandin } from "../_helpers/databricks_standin.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { clientFor, tempHome } from "./_helpers.ts";

const TOKEN = "s3cr3t-tok";

/** Every file under `dir`, concatenated (the whole local store as text). */
async function storeText(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out += await storeText(p);
    else out += await Deno.readTextFile(p);
  }
  return out;
}

for (
  const refusal of [
    { status: 401, code: "UNAUTHENTICATED" },
    { status: 403, code: "PERMISSION_DENIED" },
  ]
) {
  Deno.test(`a ${refusal.status} from the server keeps every operation pending, and a sync delivers the whole run once it accepts the credentials`, async () => {
    const upstream = testMlflowUri();
    await using proxy = await startFaultProxy(upstream);
    let refusing = true;
    proxy.inject({
      kind: "status",
      status: refusal.status,
      headers: { "Content-Type": "application/json" },
      // Some gateways echo the request headers in their refusal.
      body: JSON.stringify({
        error_code: refusal.code,
        message: `Bad credentials. Received headers: {'Authorization': 'Bearer ${TOKEN}'}`,
      }),
    }, { match: () => refusing, times: 1_000_000 });

    const home = await tempHome();
    const storeDir = `${home}/store`;
    using client = new MlflowClient({
      trackingUri: proxy.uri,
      auth: { type: "bearer", token: TOKEN },
      retry: { maxRetries: 1, totalBudgetMs: 5_000 },
    });
    const experiment = uniqueName("auth");
    const tracker = new AgentTracker("auth_agent", {
      trackingUri: proxy.uri,
      client,
      storeDir,
      experimentName: experiment,
      handleSigint: false,
      createTimeoutMs: 5_000,
      deliveryTimeoutMs: 20_000,
    });
    const run = await tracker.startRun({ purpose: "evaluate" });
    run.logParams({ model: "gpt-x" });
    for (let step = 0; step < 50; step++) run.logMetrics({ loss: 1 / (step + 1) }, { step });
    await run.logArtifact("notes.md", "# refused\n");
    const started = performance.now();
    const ended = await run.end("FINISHED");
    assert.ok(
      performance.now() - started < 15_000,
      "end() reports a refusal without waiting out the delivery timeout",
    );
    assert.equal(ended.delivered, false);
    assert.equal(ended.rejected.length, 0, "a refusal is not a rejection of the operations");
    assert.equal(ended.pending, 54, "create + params + 50 metrics + artifact + end are pending");
    assert.equal(ended.failure, "blocked");
    assert.match(ended.lastError ?? "", new RegExp(`HTTP ${refusal.status}`));

    const text = await storeText(storeDir);
    assert.ok(!text.includes(TOKEN), "the token is nowhere in the local store");
    assert.ok(!/"error"/.test(text), "no operation is recorded as rejected in the ack log");

    // A sync while the server still refuses: nothing delivered, nothing given up, said so.
    const refused = await syncStore({ client, uri: proxy.uri, storeDir, timeoutMs: 10_000 });
    assert.equal(refused.ok, false, "a refused sync is not 'all delivered'");
    const r0 = refused.runs[0]!;
    assert.equal(r0.pending, 54);
    assert.deepEqual(r0.errors, []);
    assert.equal(r0.failure, "blocked");
    assert.match(r0.lastError ?? "", new RegExp(`HTTP ${refusal.status}`));
    assert.ok(!(r0.lastError ?? "").includes(TOKEN), "the echoed token is redacted");

    // The credentials are fixed server-side: the same URI now answers.
    refusing = false;
    const report = await syncStore({ client, uri: proxy.uri, storeDir });
    assert.equal(report.ok, true, JSON.stringify(report));
    const serverRunId = report.runs[0]!.runId!;
    using direct = clientFor(upstream);
    const got = await direct.runs.get(serverRunId);
    assert.equal(got.info.status, "FINISHED");
    assert.deepEqual(got.data.params, { model: "gpt-x" });
    assert.equal((await direct.runs.metricHistory(serverRunId, "loss")).length, 50);
    assert.equal(await direct.artifacts.readText(got.info.artifactUri, "notes.md"), "# refused\n");
    const local = (await readLocalRun(run.localRunId, { storeDir }))!;
    assert.equal(local.synced[0]?.pending, 0);
    tracker.close();
    await Deno.remove(home, { recursive: true });
  });
}

Deno.test("a Databricks workspace refusing a wrong token keeps the run pending until the token works", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const wrong = "dapi-wrong-0000000000000000";
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: wrong },
  });
  using client = new MlflowClient({ transport: target.transport });
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const tracker = new AgentTracker("dbx_agent", {
    trackingUri: "databricks",
    client,
    storeDir,
    experimentName: `/Shared/ai-agents/${uniqueName("dbx-auth")}`,
    handleSigint: false,
    createTimeoutMs: 5_000,
    deliveryTimeoutMs: 20_000,
  });
  const run = await tracker.startRun({});
  run.logMetrics({ accuracy_score: 0.9 });
  const ended = await run.end();
  assert.equal(ended.delivered, false);
  assert.equal(ended.rejected.length, 0);
  assert.equal(ended.pending, 3);
  assert.ok(!(await storeText(storeDir)).includes(wrong), "the token is not in the store");

  const refused = await syncStore({ client, uri: "databricks", storeDir, timeoutMs: 10_000 });
  assert.equal(refused.ok, false);
  assert.equal(refused.runs[0]!.pending, 3);

  standin.options.pats.push(wrong); // the workspace now accepts this token
  const report = await syncStore({ client, uri: "databricks", storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  using direct = clientFor(testMlflowUri());
  const got = await direct.runs.get(report.runs[0]!.runId!);
  assert.equal(got.info.status, "FINISHED");
  assert.equal(got.data.metrics.find((m) => m.key === "accuracy_score")?.value, 0.9);
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
