/**
 * #18 item 21: the MLmodel of a logged model names the server's run and logged model, so
 * MLflow's own Python client (the oracle) resolves them: `get_model_info("models:/<name>/1")`
 * gives a `run_id` the server has and a `model_id` whose logged model came from that run —
 * both for a model delivered live and for one logged offline and synced later.
 */
import assert from "node:assert/strict";
import { AgentTracker, syncStore } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, tempHome } from "./_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PYTHON = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;

const ORACLE = `
import json, sys
import mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(sys.argv[1])
info = mlflow.models.get_model_info(sys.argv[2])
client = MlflowClient()
run = client.get_run(info.run_id)
model = mlflow.get_logged_model(info.model_id)
print(json.dumps({
    "run_id": info.run_id,
    "run_found": run.info.run_id,
    "model_id": info.model_id,
    "model_uuid": info.model_uuid,
    "model_source_run": model.source_run_id,
    "model_name": model.name,
}))
`;

async function oracle(uri: string, modelUri: string): Promise<Record<string, string>> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", ORACLE, uri, modelUri],
    env: { MLFLOW_TRACKING_URI: uri },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `MLflow's Python client could not resolve ${modelUri}:\n${err}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

const agent = {
  name: "mlmodel_agent",
  version: "2.1.0",
  config: { threshold: 0.6, model: "rules" },
  prompt: "Decide.",
  codeVersion: "abc123",
};

Deno.test("a registered logged model resolves through MLflow's Python client to the server's run and logged model", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  using client = clientFor(uri);
  const tracker = new AgentTracker(agent.name, {
    trackingUri: uri,
    client,
    storeDir: `${home}/store`,
    experimentName: uniqueName("mlmodel"),
  });
  const registered = uniqueName("mlmodel_reg");
  const run = await tracker.startRun({});
  const ref = await run.logModel(agent, { registeredModelName: registered });
  await run.end();
  assert.ok(ref.modelId);
  assert.equal(ref.registeredVersion?.version, "1");

  const got = await oracle(uri, `models:/${registered}/1`);
  assert.equal(got.run_id, run.serverRunId, "MLmodel names the server's run");
  assert.equal(got.run_found, run.serverRunId, "and the server has it");
  assert.equal(got.model_id, ref.modelId, "MLmodel names the server's logged model");
  assert.equal(got.model_source_run, run.serverRunId);
  assert.equal(got.model_uuid, ref.modelId, "model_uuid as MLflow 3 writes it");
  tracker.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("a model logged offline and synced later carries the ids the server gave at sync", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const tracker = new AgentTracker(agent.name, {
    localOnly: true,
    storeDir,
    experimentName: uniqueName("mlmodel-offline"),
  });
  const run = await tracker.startRun({});
  const ref = await run.logModel(agent);
  await run.end();
  assert.equal(ref.modelId, undefined, "no server id while offline");

  using client = clientFor(uri);
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  const serverRunId = report.runs[0]!.runId!;
  const outputs = (await client.runs.get(serverRunId)).outputs.modelOutputs;
  assert.equal(outputs.length, 1, "the run lists its logged model");
  const modelId = outputs[0]!.modelId;

  const got = await oracle(uri, `models:/${modelId}`);
  assert.equal(got.run_id, serverRunId);
  assert.equal(got.run_found, serverRunId);
  assert.equal(got.model_id, modelId);
  assert.equal(got.model_source_run, serverRunId);
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
