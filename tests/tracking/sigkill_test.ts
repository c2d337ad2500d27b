import assert from "node:assert/strict";
import { readLocalRun, syncStore } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, tempHome } from "./_helpers.ts";

Deno.test("a process SIGKILLed while logging 20,000 steps loses no returned call: after sync the server holds each once", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sigkill_child.ts", import.meta.url).pathname],
    env: {
      CHILD_URI: uri,
      CHILD_STORE: storeDir,
      CHILD_STEPS: "20000",
      CHILD_EXPERIMENT: uniqueName("sigkill"),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();

  // Read acknowledgements until well into the run, then kill -9.
  let localRunId = "";
  let lastReturned = -1;
  let finished = false;
  let buffer = "";
  const dec = new TextDecoder();
  const reader = child.stdout.getReader();
  while (lastReturned < 9_000) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += dec.decode(value, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("run ")) localRunId = line.split(" ")[1]!;
      else if (line === "done") finished = true;
      else if (line) lastReturned = Number(line);
    }
  }
  child.kill("SIGKILL");
  // Drain what was already printed before the kill took effect: those calls returned too.
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += dec.decode(value, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === "done") finished = true;
      else if (/^\d+$/.test(line)) lastReturned = Number(line);
    }
  }
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", "the child was killed, not finished");
  assert.equal(finished, false, "the kill came before the end of the loop");
  assert.ok(localRunId, "the child reported its run");
  assert.ok(
    lastReturned >= 9_000 && lastReturned < 19_999,
    `killed mid-run (last returned step ${lastReturned})`,
  );

  // The child usually delivered part of the run itself before dying (not required: on a
  // slow server it may not have; then sync creates the run).
  const client = clientFor(uri);
  const local = (await readLocalRun(localRunId, { storeDir }))!;
  assert.equal(local.status, "INTERRUPTED");
  const childRunId = local.synced[0]?.runId;
  const deliveredByChild = childRunId
    ? (await client.runs.metricHistory(childRunId, "loss")).length
    : 0;
  assert.ok(
    deliveredByChild <= lastReturned + 1 + 1000,
    `at most one batch beyond the returned calls (${deliveredByChild})`,
  );

  // Sync replays the rest, in order, without duplicating what was acknowledged.
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  const serverRunId = report.runs[0]!.runId!;
  if (childRunId) assert.equal(serverRunId, childRunId, "no second run was created");
  for (const key of ["loss", "step_copy"]) {
    const history = await client.runs.metricHistory(serverRunId, key);
    const steps = history.map((m) => m.step);
    const unique = new Set(steps);
    assert.equal(unique.size, steps.length, `${key}: every step is on the server once`);
    for (let s = 0; s <= lastReturned; s++) {
      assert.ok(unique.has(s), `${key}: returned step ${s} is on the server`);
    }
    assert.equal(steps.length, local.metrics[key]!.length, `${key}: exactly what the outbox holds`);
    for (const m of history) {
      assert.equal(m.value, key === "loss" ? 1 / (m.step + 1) : m.step);
    }
  }

  // Acknowledgements lost after delivery (crash between send and ack) mean a re-send: MLflow
  // drops exact duplicates (key, timestamp, step, value), so the history does not change.
  const acksDir = `${storeDir}/runs/${localRunId}/acks`;
  const [ackFile] = [...Deno.readDirSync(acksDir)].filter((e) => e.name.endsWith(".jsonl"))
    .map((e) => `${acksDir}/${e.name}`);
  const ackLines = Deno.readTextFileSync(ackFile!).trimEnd().split("\n");
  Deno.writeTextFileSync(ackFile!, ackLines.slice(0, -5).join("\n") + "\n");
  const resent = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.ok(resent.runs[0]!.sent >= 5, "the un-acknowledged operations were sent again");
  for (const key of ["loss", "step_copy"]) {
    const steps: number[] = (await client.runs.metricHistory(serverRunId, key)).map((m) => m.step);
    assert.equal(new Set(steps).size, steps.length, `${key}: still once per step after a re-send`);
    assert.equal(steps.length, local.metrics[key]!.length);
  }
  client.close();
  await Deno.remove(home, { recursive: true });
});

Deno.test("with replayOnStart, a restarted tracker first replays what a killed process left unsent", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const experiment = uniqueName("restart");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sigkill_child.ts", import.meta.url).pathname],
    env: {
      CHILD_URI: uri,
      CHILD_STORE: storeDir,
      CHILD_STEPS: "3000",
      CHILD_EXPERIMENT: experiment,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  const reader = child.stdout.getReader();
  while (!/\n1000\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  child.kill("SIGKILL");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await child.status;
  assert.ok(!text.includes("done"), "killed before the end of the loop");
  const localRunId = text.match(/^run (\w+)/)![1]!;
  const returned = text.split("\n").filter((l) => /^\d+$/.test(l)).map(Number);
  const { AgentTracker } = await import("../../lib/tracking/mod.ts");
  const tracker = new AgentTracker("sigkill_child", {
    trackingUri: uri,
    storeDir,
    experimentName: experiment,
    replayOnStart: true,
    handleSigint: false,
    createTimeoutMs: 120_000,
    deliveryTimeoutMs: 300_000,
  });
  const run = await tracker.startRun({ purpose: "restart" });
  await run.end();
  tracker.close();
  const local = (await readLocalRun(localRunId, { storeDir }))!;
  assert.equal(local.synced[0]?.pending, 0, "the killed run was fully replayed");
  const client = clientFor(uri);
  const steps: number[] = (await client.runs.metricHistory(local.synced[0]!.runId, "loss")).map((
    m,
  ) => m.step);
  assert.equal(new Set(steps).size, steps.length);
  for (const s of returned) assert.ok(steps.includes(s), `step ${s} is on the server`);
  client.close();
  await Deno.remove(home, { recursive: true });
});
