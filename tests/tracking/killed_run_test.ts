/**
 * #18 item 4: a run whose process was SIGKILLed is ended KILLED on the server by sync, at the
 * local end time (its last write), and a sync right after the kill — before anyone has
 * reaped the dead process, so its pid still exists as a zombie — does not mistake it for a
 * live process that is still delivering the run.
 */
import assert from "node:assert/strict";
import { AgentTracker, readLocalRun, syncStore } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, tempHome } from "./_helpers.ts";

Deno.test("sync right after a SIGKILL ends the dead process's run KILLED at its local end time", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  // The writer runs under a parent that never reaps it (`exec sleep`), so after the SIGKILL
  // its pid lives on as a zombie: "is pid N alive?" says yes, yet the process is dead.
  const childScript = new URL("./_sigkill_child.ts", import.meta.url).pathname;
  const parent = new Deno.Command("sh", {
    args: ["-c", `"$0" run -A "$1" & exec sleep 120`, Deno.execPath(), childScript],
    env: {
      CHILD_URI: uri,
      CHILD_STORE: storeDir,
      CHILD_STEPS: "5000",
      CHILD_EXPERIMENT: uniqueName("killed"),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  const reader = parent.stdout.getReader();
  while (!/\n1500\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const localRunId = text.match(/^run (\w+)/)![1]!;
  const owner = JSON.parse(await Deno.readTextFile(`${storeDir}/runs/${localRunId}/owner.json`));
  Deno.kill(owner.pid, "SIGKILL");
  // Dead means every thread has exited (a multi-threaded leader shows Z before the others
  // have); what is left is the zombie entry that kill(pid, 0) still finds.
  const dead = async () => {
    const stat = await Deno.readTextFile(`/proc/${owner.pid}/stat`).catch(() => "");
    if (!/\) Z /.test(stat)) return false;
    let threads = 0;
    for await (const _ of Deno.readDir(`/proc/${owner.pid}/task`)) threads++;
    return threads <= 1;
  };
  let zombie = false;
  for (let i = 0; i < 500 && !zombie; i++) {
    zombie = await dead();
    if (!zombie) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(zombie, "the killed writer is a zombie: its pid still answers kill(pid, 0)");
  const before = (await readLocalRun(localRunId, { storeDir }))!;
  assert.equal(before.status, "INTERRUPTED", "the local store sees the process is gone");
  assert.ok(before.endTime !== undefined, "an interrupted run has a local end time");

  using client = clientFor(uri);
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  const r = report.runs[0]!;
  assert.equal(r.skipped, undefined, `not skipped as live: ${r.skipped}`);
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.deepEqual(r.endedKilled, { endTime: before.endTime });
  const got = await client.runs.get(r.runId!);
  assert.equal(got.info.status, "KILLED");
  assert.equal(got.info.endTime, before.endTime);
  const after = (await readLocalRun(localRunId, { storeDir }))!;
  assert.equal(after.status, "KILLED", "local store and server agree");
  assert.equal(after.endTime, before.endTime);

  // A second sync changes nothing.
  const again = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(again.runs[0]!.sent, 0);
  assert.equal(again.runs[0]!.endedKilled, undefined);
  await reader.cancel();
  parent.kill("SIGKILL");
  await parent.status;
  await Deno.remove(home, { recursive: true });
});

Deno.test("sync skips a run whose process is alive and still writing it, and does not end it", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  using client = clientFor(uri);
  const tracker = new AgentTracker("alive_agent", {
    trackingUri: uri,
    client,
    storeDir,
    experimentName: uniqueName("alive"),
    handleSigint: false,
  });
  const run = await tracker.startRun({});
  run.logMetrics({ x: 1 });
  const report = await syncStore({ client: asTracking(client), uri, storeDir });
  assert.equal(report.runs[0]!.skipped, "being delivered by its live process");
  assert.equal((await readLocalRun(run.localRunId, { storeDir }))!.status, "RUNNING");
  const ended = await run.end();
  assert.equal(ended.delivered, true);
  assert.equal((await client.runs.get(run.runId)).info.status, "FINISHED");
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
