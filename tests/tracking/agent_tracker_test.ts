import assert from "node:assert/strict";
import { AgentTracker, defaultExperimentName, readLocalRun } from "../../lib/tracking/mod.ts";
import { hashPersonalValue } from "../../lib/datasets/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { clientFor, tempHome } from "./_helpers.ts";

const agent = {
  name: "loan_approval",
  version: "1.2.0",
  config: { model: "gpt-x", temperature: 0.1, max_risk: 0.6 },
  prompt: "Decide whether to approve the loan. Answer approve or reject.",
  codeVersion: "abc1234",
};

Deno.test("the guide's quick start works in TypeScript: run, params, metrics, requests, dataset, evaluation, model, stages, alias, rollback", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const registered = uniqueName("loan_approval_v1");
  const tracker = new AgentTracker("loan_approval", {
    trackingUri: uri,
    storeDir: `${home}/store`,
    experimentName: `/Shared/ai-agents/${uniqueName("loan_approval")}`,
    environment: "test",
    version: "1.2.0",
    dataSource: "datasets/loan_applications",
    handleSigint: false,
    createTimeoutMs: 120_000, // a loaded CI machine can be slow; the id must come from the server
    deliveryTimeoutMs: 300_000,
  });
  const client = clientFor(uri);
  let runId: string;
  let versions: string[] = [];
  {
    await using run = await tracker.startRun({ purpose: "evaluate" });
    runId = run.runId;
    assert.equal(run.serverRunId, run.runId, "with a reachable server runId is the server's id");
    assert.match(run.runName, /^loan_approval_evaluate_\d{8}_\d{6}$/);
    run.logParams({ model: "gpt-x", temperature: 0.1 });
    run.logParams({ model: "gpt-x" }); // same value again: a no-op
    assert.throws(() => run.logParams({ model: "gpt-y" }), /cannot change/);
    assert.throws(() => run.logMetrics({ "bad//key": 1 }), TypeError);
    for (let step = 0; step < 3; step++) run.logMetrics({ accuracy: 0.8 + step / 100 }, { step });
    const requests = [
      {
        applicant_name: "Ada Lovelace",
        ssn: "123-45-6789",
        credit_score: 780,
        loan_amount: 20_000,
      },
      { applicant_name: "Alan Turing", ssn: "987-65-4321", credit_score: 610, loan_amount: 50_000 },
    ];
    for (const [i, req] of requests.entries()) {
      const step = await run.logRequest({
        requestId: `req-${i}`,
        requestData: req,
        decisionData: { outcome: i === 0 ? "approve" : "reject", riskScore: i === 0 ? 0.1 : 0.7 },
        durationMs: 40 + i,
      });
      assert.equal(step, i, "requests are numbered on their own step counter");
    }
    const ds = await run.logDataset(
      requests.map((r, i) => ({ ...r, expected_outcome: i ? "reject" : "approve" })),
      {
        name: "loan_eval",
        targets: "expected_outcome",
        context: "evaluation",
      },
    );
    const metrics = await run.logEvaluationResults(
      { accuracy: 1, macro: { precision: 1, recall: 1, f1: 1 }, support: 2 },
      { datasetName: "loan_eval" },
    );
    assert.deepEqual(Object.keys(metrics).sort(), [
      "accuracy",
      "macro/f1",
      "macro/precision",
      "macro/recall",
      "support",
    ]);
    await run.logTable("eval_results_table.json", {
      columns: ["request_id", "outcome"],
      data: [["req-0", "approve"]],
    });
    await run.logTable("eval_results_table.json", {
      columns: ["request_id", "outcome"],
      data: [["req-1", "reject"]],
    });
    const v1 = await run.logModel(agent, { registeredModelName: registered });
    const v2 = await run.logModel({ ...agent, version: "1.3.0" }, {
      registeredModelName: registered,
    });
    assert.ok(v1.modelId?.startsWith("m-"), "the logged model exists on the server");
    assert.equal(v1.name, "loan_approval_v1_2_0", "logged model names cannot hold '.'");
    versions = [v1.registeredVersion!.version, v2.registeredVersion!.version];
    assert.deepEqual(versions, ["1", "2"]);
    const got = await client.runs.get(run.runId);
    assert.equal(got.inputs.datasetInputs[0]?.dataset.digest, ds.dataset.digest);
  } // await using: ends FINISHED and waits for delivery

  const run = await client.runs.get(runId);
  assert.equal(run.info.status, "FINISHED");
  assert.deepEqual(
    {
      environment: run.data.tags.environment,
      version: run.data.tags.version,
      data_source: run.data.tags.data_source,
      evaluation: run.data.tags.evaluation,
    },
    {
      environment: "test",
      version: "1.2.0",
      data_source: "datasets/loan_applications",
      evaluation: "true",
    },
  );
  const accuracy = await client.runs.metricHistory(runId, "accuracy");
  assert.ok(accuracy.some((m) => m.step === 0 && m.value === 1), "evaluation results are metrics");
  assert.equal((await client.runs.metricHistory(runId, "macro/f1"))[0]?.value, 1);
  const durations = await client.runs.metricHistory(runId, "request/duration_ms");
  assert.deepEqual(durations.map((m) => [m.step, m.value]), [[0, 40], [1, 41]]);
  const log =
    (await client.artifacts.readText(run.info.artifactUri, "decisions/decision_log.jsonl")).trim()
      .split("\n").map((l) => JSON.parse(l));
  assert.equal(log.length, 2);
  assert.equal(log[0].request.ssn, undefined, "national ids are dropped");
  assert.equal(
    log[0].request.applicant_name,
    hashPersonalValue("Ada Lovelace"),
    "names are hashed with the datasets' pseudonym (joinable)",
  );
  assert.equal(log[0].request.credit_score, 780);
  assert.equal(log[1].decision.outcome, "reject");
  const table = JSON.parse(
    await client.artifacts.readText(run.info.artifactUri, "eval_results_table.json"),
  );
  assert.deepEqual(
    table.data,
    [["req-0", "approve"], ["req-1", "reject"]],
    "logging a table again appends rows",
  );
  const model = await client.loggedModels.get(
    (await client.modelVersions.get(registered, "1")).modelId!,
  );
  assert.equal(model.status, "LOGGED_MODEL_READY");
  assert.equal(model.sourceRunId, runId);
  const mlmodel = await client.artifacts.readText(model.artifactUri, "MLmodel");
  assert.match(mlmodel, /evalkit_agent:/);
  assert.match(mlmodel, /code_version: "abc1234"/);
  assert.equal(
    JSON.parse(await client.artifacts.readText(model.artifactUri, "agent_config.json")).temperature,
    0.1,
  );
  assert.equal(await client.artifacts.readText(model.artifactUri, "prompt.txt"), agent.prompt);

  const staged = await tracker.transitionModelStage(registered, "2", "Production");
  assert.equal(staged.currentStage, "Production");
  await tracker.setAlias(registered, "production", "2");
  const rolled = await tracker.rollback(registered, {});
  assert.deepEqual(rolled, { name: registered, alias: "production", from: "2", to: "1" });
  assert.equal((await client.models.getByAlias(registered, "production")).version, "1");
  assert.equal(
    (await client.modelVersions.get(registered, "2")).tags?.["evalkit.rolled_back_from"],
    "production",
  );
  client.close();
  tracker.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("naming conventions: experiment /Shared/ai-agents/<agent>, runs <agent>_<purpose>_<timestamp>, overridable", async () => {
  const home = await tempHome();
  assert.equal(defaultExperimentName("loan_approval"), "/Shared/ai-agents/loan_approval");
  const tracker = new AgentTracker("loan_approval", {
    storeDir: `${home}/store`,
    localOnly: true,
    handleSigint: false,
  });
  assert.equal(tracker.experimentName, "/Shared/ai-agents/loan_approval");
  const run = await tracker.startRun({
    purpose: "serve",
    startTime: Date.UTC(2026, 0, 2, 3, 4, 5),
  });
  assert.equal(run.runName, "loan_approval_serve_20260102_030405");
  await run.end();
  const named = await tracker.startRun({ runName: "custom", tags: { environment: "prod" } });
  await named.end();
  const local = await readLocalRun(named.localRunId, { storeDir: `${home}/store` });
  assert.equal(local?.runName, "custom");
  assert.equal(local?.tags.environment, "prod");
  assert.equal(local?.tags.evaluation, "false");
  await Deno.remove(home, { recursive: true });
});

Deno.test("withRun() ends FAILED when the block throws and FINISHED when it returns; logging after the end throws", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const tracker = new AgentTracker("failing", { storeDir, localOnly: true, handleSigint: false });
  let failedId = "";
  await assert.rejects(
    tracker.withRun({ purpose: "evaluate" }, (run) => {
      failedId = run.localRunId;
      run.logMetrics({ x: 1 });
      throw new Error("agent crashed");
    }),
    /agent crashed/,
  );
  assert.equal((await readLocalRun(failedId, { storeDir }))?.status, "FAILED");
  let kept: import("../../lib/tracking/mod.ts").RunHandle | undefined;
  const value = await tracker.withRun({}, (run) => {
    kept = run;
    return 42;
  });
  assert.equal(value, 42);
  assert.equal(kept!.status, "FINISHED");
  assert.throws(() => kept!.logMetrics({ x: 1 }), /has ended/);
  await Deno.remove(home, { recursive: true });
});

Deno.test("SIGINT ends the open run KILLED and exits 130", async () => {
  const home = await tempHome();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sigint_child.ts", import.meta.url).pathname],
    env: { CHILD_STORE: `${home}/store`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const id = text.match(/^ready (\w+)/)?.[1];
  assert.ok(id, `child started: ${text}`);
  child.kill("SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const status = await child.status;
  assert.equal(status.code, 130);
  assert.ok(!text.includes("not interrupted"));
  const local = await readLocalRun(id, { storeDir: `${home}/store` });
  assert.equal(local?.status, "KILLED");
  assert.equal(local?.latestMetrics.alive, 1);
  await Deno.remove(home, { recursive: true });
});

Deno.test("logMetrics in a hot loop is delivered in coalesced batches with every step, in order per key", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const tracker = new AgentTracker("hot_loop", {
    trackingUri: uri,
    storeDir: `${home}/store`,
    experimentName: uniqueName("hot_loop"),
    handleSigint: false,
    createTimeoutMs: 120_000,
  });
  const run = await tracker.startRun({});
  const n = 20_000;
  const t0 = performance.now();
  for (let step = 0; step < n; step++) {
    run.logMetrics({ loss: 1 / (step + 1), lr: 0.001 }, { step });
  }
  const perCall = ((performance.now() - t0) * 1000) / n;
  assert.ok(perCall < 50, `logMetrics costs microseconds (${perCall.toFixed(2)} µs per call)`);
  assert.equal(await run.flush(600_000), true, "flush() waits for delivery");
  assert.equal(run.pending, 0);
  const client = clientFor(uri);
  const history = await client.runs.metricHistory(run.runId, "loss");
  assert.equal(history.length, n);
  const byTime = [...history].sort((a, b) => a.timestamp - b.timestamp || a.step - b.step);
  for (let i = 1; i < byTime.length; i++) {
    assert.ok(byTime[i]!.step > byTime[i - 1]!.step, "step order kept over time");
  }
  const ackLines = (await Deno.readTextFile(
    [...Deno.readDirSync(`${home}/store/runs/${run.localRunId}/acks`)].map((e) =>
      `${home}/store/runs/${run.localRunId}/acks/${e.name}`
    )[0]!,
  )).trim().split("\n").length;
  assert.ok(
    ackLines < n / 10,
    `points were coalesced (${ackLines} acknowledged batches for ${n} calls)`,
  );
  await run.end();
  client.close();
  tracker.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("artifacts from files and folders are copied into the store under their paths; unsafe paths are refused", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  await Deno.mkdir(`${home}/src/sub`, { recursive: true });
  await Deno.writeTextFile(`${home}/src/a.txt`, "A");
  await Deno.writeTextFile(`${home}/src/sub/b.txt`, "B");
  const tracker = new AgentTracker("files", { storeDir, localOnly: true, handleSigint: false });
  const run = await tracker.startRun({});
  await run.logArtifactFile(`${home}/src/a.txt`);
  await run.logArtifactFile(`${home}/src/a.txt`, "renamed/a.txt");
  await run.logArtifactDir(`${home}/src`, "tree");
  await run.logArtifacts({ "x.json": "{}", "bin/y.bin": new Uint8Array([1, 2, 3]) });
  await assert.rejects(run.logArtifact("../escape.txt", "no"), TypeError);
  await assert.rejects(run.logArtifact("/abs.txt", "no"), TypeError);
  await run.end();
  const local = await readLocalRun(run.localRunId, { storeDir });
  assert.deepEqual(local?.artifacts, [
    { path: "a.txt", size: 1 },
    { path: "bin/y.bin", size: 3 },
    { path: "renamed/a.txt", size: 1 },
    { path: "tree/a.txt", size: 1 },
    { path: "tree/sub/b.txt", size: 1 },
    { path: "x.json", size: 2 },
  ]);
  await Deno.remove(home, { recursive: true });
});
