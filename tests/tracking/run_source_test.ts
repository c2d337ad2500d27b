/**
 * `openRunSource`: one way to open a run wherever it is (local store or the suite's real MLflow
 * server), and one id wherever the run is — after `sync`, the local id (and its prefixes)
 * finds the server run and the server id (and its prefixes) finds the local run; `report` and
 * `runs show` accept both. Failing lookups say what to try.
 */
import assert from "node:assert/strict";
import {
  AgentTracker,
  openRunSource,
  RunNotFoundError,
  serverRunIdFor,
  syncStore,
} from "../../lib/tracking/mod.ts";
import { loadBaseline } from "../../lib/evaluation/mod.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, runScript, tempHome } from "./_helpers.ts";

/** A finished local-only run with params, a metric history, a tag and two artifacts. */
async function localRun(storeDir: string, agent: string) {
  const tracker = new AgentTracker(agent, { storeDir, localOnly: true, handleSigint: false });
  await using run = await tracker.startRun({ purpose: "evaluate", tags: { suite: "source" } });
  run.logParams({ model: "rules", threshold: 0.5 });
  [0.5, 0.7, 0.9].forEach((v, step) => run.logMetrics({ accuracy_score: v }, { step }));
  await run.logArtifact("notes/summary.txt", "all good");
  await run.logTable("eval_results_table.json", {
    columns: ["id", "correct"],
    data: [["a", true]],
  });
  return { localId: run.localRunId, name: run.runName, experiment: tracker.experimentName };
}

Deno.test("openRunSource reads a local run by id, prefix and name, and says what to try when none matches", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const { localId, name, experiment } = await localRun(
    storeDir,
    `src_${crypto.randomUUID().slice(0, 6)}`,
  );
  using source = openRunSource({ trackingUri: "", storeDir });
  assert.equal(source.kind, "local");
  for (const key of [localId, localId.slice(0, 8), name]) {
    const run = await source.getRun(key);
    assert.equal(run.id, localId, key);
    assert.equal(run.status, "FINISHED");
    assert.equal(run.metrics.accuracy_score, 0.9);
    assert.equal(run.params.threshold, "0.5");
  }
  const run = await source.getRun(localId);
  assert.deepEqual((await source.metricHistory(run, "accuracy_score")).map((p) => p.value), [
    0.5,
    0.7,
    0.9,
  ]);
  assert.equal(await source.readArtifactText(run, "notes/summary.txt"), "all good");
  assert.equal(await source.readArtifactText(run, "notes/none.txt"), undefined);
  assert.ok((await source.listArtifacts(run)).some((a) => a.path === "eval_results_table.json"));
  const found = await source.searchRuns({ experimentName: experiment, tags: { suite: "source" } });
  assert.deepEqual(found.map((r) => r.id), [localId]);
  assert.deepEqual(
    await source.searchRuns({ experimentName: experiment, tags: { suite: "x" } }),
    [],
  );

  const err = await source.getRun("0123abcd").catch((e) => e);
  assert.ok(err instanceof RunNotFoundError, String(err));
  assert.match(err.message, /No run '0123abcd' in the local store/);
  assert.match(err.message, /deno task runs/);
  assert.match(err.message, /MLFLOW_TRACKING_URI/, "the hint names the way to read a server");
  await Deno.remove(home, { recursive: true });
});

Deno.test("after sync, the local id and the server id (and prefixes of both) resolve on the server and in the local store", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const uri = testMlflowUri();
  const { localId, name } = await localRun(storeDir, `src_${crypto.randomUUID().slice(0, 6)}`);
  using client = clientFor(uri);
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  const serverId = report.runs.find((r) => r.localRunId === localId)!.runId!;
  assert.ok(serverId && serverId !== localId);
  const experimentId = (await client.runs.get(serverId)).info.experimentId;

  await (async () => {
    using server = openRunSource({ trackingUri: uri, storeDir });
    assert.equal(server.kind, "server");
    for (const key of [serverId, serverId.slice(0, 8), localId, localId.slice(0, 8), name]) {
      const run = await server.getRun(key);
      assert.equal(run.id, serverId, `server lookup of ${key}`);
      assert.equal(run.localRunId, localId);
      assert.equal(
        run.url,
        `${uri.replace(/\/+$/, "")}/#/experiments/${experimentId}/runs/${serverId}`,
      );
    }
    const run = await server.getRun(localId);
    assert.equal(await server.readArtifactText(run, "notes/summary.txt"), "all good");
    assert.equal(await server.readArtifactText(run, "notes/none.txt"), undefined);
    assert.deepEqual((await server.metricHistory(run, "accuracy_score")).map((p) => p.value), [
      0.5,
      0.7,
      0.9,
    ]);
  })();

  // Without the local store's mapping, the server finds the local id by the run's tag.
  await (async () => {
    using bare = openRunSource({ trackingUri: uri, storeDir: `${home}/empty` });
    assert.equal((await bare.getRun(localId.slice(0, 10))).id, serverId);
    const err = await bare.getRun("ffffeeee0000").catch((e) => e);
    assert.ok(err instanceof RunNotFoundError, String(err));
    assert.match(err.message, /deno task sync --to/, "the hint says how a local run gets there");
  })();

  // A baseline too: evaluate --baseline-run takes the local id of a synced run.
  const baseline = await loadBaseline(localId.slice(0, 8), { trackingUri: uri, storeDir });
  assert.equal(baseline.runId, serverId);
  assert.equal(baseline.metrics.accuracy_score, 0.9);
  assert.deepEqual(baseline.rows, [{ id: "a", correct: true, predicted: null }]);

  // In the local store, the server id finds the local run.
  await (async () => {
    using local = openRunSource({ trackingUri: "", storeDir });
    assert.equal((await local.getRun(serverId)).id, localId);
    assert.equal((await local.getRun(serverId.slice(0, 8))).id, localId);
  })();

  // The CLIs: report (server, by the local prefix) and runs show (local, by the server id).
  const env = { EVALKIT_HOME: home, MLFLOW_TRACKING_URI: uri };
  const out = `${home}/report.html`;
  const rep = await runScript(["scripts/report.ts", localId.slice(0, 8), "--out", out], env);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(await Deno.readTextFile(out), new RegExp(serverId));
  const show = await runScript(["scripts/runs.ts", "show", serverId.slice(0, 8), "--json"], {
    EVALKIT_HOME: home,
  });
  assert.equal(show.code, 0, show.stderr);
  assert.equal(JSON.parse(show.stdout).localRunId, localId);
  const missing = await runScript(["scripts/report.ts", "0123abcd"], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /No run '0123abcd' on http/);
  assert.match(missing.stderr, /sync/);
  await Deno.remove(home, { recursive: true });
});

Deno.test("evaluate and sync print the run's page in the MLflow UI when there is a server", async () => {
  const home = await tempHome();
  const uri = testMlflowUri().replace(/\/+$/, "");
  using client = clientFor(uri);
  const page = (runId: string) =>
    new RegExp(`${uri.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/#/experiments/(\\d+)/runs/${runId}`);

  const ev = await runScript([
    "scripts/evaluate.ts",
    "--experiment",
    `/evalkit-tests/url-${crypto.randomUUID().slice(0, 8)}`,
    "--json",
  ], { EVALKIT_HOME: home, MLFLOW_TRACKING_URI: uri });
  assert.equal(ev.code, 0, ev.stderr);
  const runId = JSON.parse(ev.stdout).runId as string;
  const m = page(runId).exec(ev.stderr);
  assert.ok(m, `no MLflow UI link for ${runId} in:\n${ev.stderr}`);
  assert.equal(m[1], (await client.runs.get(runId)).info.experimentId);

  const { localId } = await localRun(`${home}/store`, `url_${crypto.randomUUID().slice(0, 6)}`);
  const sync = await runScript(["scripts/sync.ts", "--to", uri, "--run", localId], {
    EVALKIT_HOME: home,
  });
  assert.equal(sync.code, 0, sync.stderr);
  const serverId = await serverRunIdFor(localId, uri, { storeDir: `${home}/store` });
  assert.ok(serverId, "the synced run is on the server");
  assert.match(sync.stderr, page(serverId));
  await Deno.remove(home, { recursive: true });
});
