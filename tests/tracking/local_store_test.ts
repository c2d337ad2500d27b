import assert from "node:assert/strict";
import {
  AgentTracker,
  listLocalRuns,
  readLocalRun,
  serverRunIdFor,
  syncStore,
} from "../../lib/tracking/mod.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, runScript, tempHome } from "./_helpers.ts";

Deno.test("a run with no tracking URI is listed by 'deno task runs', then synced and read back equal", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const uri = testMlflowUri();
  const agent = `local_${crypto.randomUUID().slice(0, 8)}`;
  const tracker = new AgentTracker(agent, { storeDir, localOnly: true, version: "1.0.0" });
  const t0 = Date.UTC(2026, 10, 1, 12, 0, 0);
  let localId: string;
  {
    await using run = await tracker.startRun({
      purpose: "evaluate",
      tags: { suite: "local" },
      startTime: t0,
    });
    localId = run.localRunId;
    assert.equal(run.runId, run.localRunId, "with no server the run id is the local id");
    run.logParams({ model: "gpt-x", temperature: 0.2, stream: false });
    for (let step = 0; step < 50; step++) {
      run.logMetrics({ loss: 1 / (step + 1), accuracy: step / 50 }, {
        step,
        timestamp: t0 + step * 1000,
      });
    }
    run.logMetrics({ odd: NaN }, { step: 0, timestamp: t0 });
    run.setTags({ note: "first", stage: "dev" });
    run.setTags({ note: "second" });
    await run.logDataset([{ age: 30, income: 50_000.5, outcome: "approve" }, {
      age: 41,
      income: 72_000,
      outcome: "reject",
    }], {
      name: "golden",
      targets: "outcome",
      context: "evaluation",
    });
    await run.logArtifact("notes/summary.txt", "all good");
    await run.logTable("eval_results_table.json", { columns: ["q", "a"], data: [["2+2", 4]] });
  }

  // Listed and shown by the runs script.
  const env = { EVALKIT_HOME: home };
  const list = await runScript(["scripts/runs.ts", "--json"], env);
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout).runs as {
    localRunId: string;
    runName: string;
    status: string;
    params: Record<string, string>;
  }[];
  const mine = listed.find((r) => r.localRunId === localId);
  assert.ok(mine, "the run is listed");
  assert.equal(mine.status, "FINISHED");
  assert.match(mine.runName, new RegExp(`^${agent}_evaluate_20261101_120000$`));
  assert.deepEqual(mine.params, { model: "gpt-x", temperature: "0.2", stream: "false" });
  const show = await runScript(["scripts/runs.ts", "show", localId.slice(0, 10), "--json"], env);
  assert.equal(show.code, 0, show.stderr);
  const shown = JSON.parse(show.stdout);
  assert.equal(shown.metrics.loss.length, 50);
  assert.deepEqual(shown.artifacts.map((a: { path: string }) => a.path), [
    "eval_results_table.json",
    "notes/summary.txt",
  ]);
  const human = await runScript(["scripts/runs.ts"], env);
  assert.match(human.stdout, new RegExp(`${localId.slice(0, 8)}\\s+${agent}_evaluate`));

  // Synced by the sync script, then read back equal.
  const sync = await runScript(["scripts/sync.ts", "--to", uri], env);
  assert.equal(sync.code, 0, sync.stderr);
  const serverId = await serverRunIdFor(localId, uri, { storeDir });
  assert.ok(serverId, "the ack log maps the local run to a server run");
  const local = (await readLocalRun(localId, { storeDir }))!;
  const client = clientFor(uri);
  const run = await client.runs.get(serverId);
  assert.equal(run.info.runName, local.runName);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.info.startTime, t0);
  assert.equal(run.info.endTime, local.endTime);
  assert.deepEqual(run.data.params, local.params);
  for (const [k, v] of Object.entries(local.tags)) assert.equal(run.data.tags[k], v, `tag ${k}`);
  assert.equal(run.data.tags.note, "second", "the later tag value wins");
  for (const key of ["loss", "accuracy", "odd"]) {
    const history = await client.runs.metricHistory(serverId, key);
    const sortByStep = <T extends { step: number }>(a: T[]) =>
      [...a].sort((x, y) => x.step - y.step);
    assert.deepEqual(
      sortByStep(history.map((m) => ({ step: m.step, timestamp: m.timestamp, value: m.value }))),
      sortByStep(local.metrics[key]!),
      `history of ${key}`,
    );
  }
  assert.deepEqual(
    run.inputs.datasetInputs.map((d) => ({ ...d.dataset, tags: d.tags })),
    local.inputs.map((d) => ({ ...d.dataset, tags: d.tags })),
  );
  const files: string[] = [];
  for await (const f of client.artifacts.walk(run.info.artifactUri)) files.push(f.path);
  assert.deepEqual(files.sort(), ["eval_results_table.json", "notes/summary.txt"]);
  assert.equal(
    await client.artifacts.readText(run.info.artifactUri, "notes/summary.txt"),
    "all good",
  );
  assert.deepEqual(JSON.parse(run.data.tags["mlflow.loggedArtifacts"]!), [{
    path: "eval_results_table.json",
    type: "table",
  }]);

  // A second sync sends nothing and creates no second run.
  const again = await runScript(["scripts/sync.ts", "--to", uri, "--json"], env);
  assert.equal(again.code, 0, again.stderr);
  const report = JSON.parse(again.stdout);
  assert.equal(report.runs.find((r: { localRunId: string }) => r.localRunId === localId).sent, 0);
  assert.equal((await client.runs.metricHistory(serverId, "loss")).length, 50);
  const summary = (await listLocalRuns({ storeDir })).find((r) => r.localRunId === localId)!;
  assert.deepEqual(summary.synced, [{ uri, runId: serverId, pending: 0 }]);

  // Even with the whole acknowledgement log lost, a re-sync finds the run by its
  // evalkit.local_run_id tag instead of creating a second one, and duplicates nothing.
  await Deno.remove(`${storeDir}/runs/${localId}/acks`, { recursive: true });
  const resync = await syncStore({ client: asTracking(client), uri, storeDir, runIds: [localId] });
  assert.equal(resync.ok, true, JSON.stringify(resync));
  assert.equal(resync.runs[0]!.runId, serverId, "the same server run");
  assert.equal((await client.runs.metricHistory(serverId, "loss")).length, 50);
  assert.deepEqual((await client.runs.get(serverId)).data.params, local.params);
  client.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("'deno task runs --help' and 'deno task sync --help' print usage with an example; bad usage exits 2", async () => {
  const runs = await runScript(["scripts/runs.ts", "--help"]);
  assert.equal(runs.code, 0);
  assert.match(runs.stdout, /Usage: deno task runs/);
  assert.match(runs.stdout, /Examples:/);
  const sync = await runScript(["scripts/sync.ts", "--help"]);
  assert.equal(sync.code, 0);
  assert.match(sync.stdout, /deno task sync --to http/);
  const bad = await runScript(["scripts/sync.ts"], { MLFLOW_TRACKING_URI: "" });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--to/);
  const unknown = await runScript(["scripts/runs.ts", "show", "no-such-run"], {
    EVALKIT_HOME: await tempHome(),
  });
  assert.equal(unknown.code, 2);
});
