/**
 * One way to end a run: `end()` (idempotent), `[Symbol.asyncDispose]` as its alias,
 * `tracker.withRun()` for FAILED on throw; and no process control in the library.
 */
import assert from "node:assert/strict";
import { AgentTracker, readLocalRun, RunHandle } from "../../lib/tracking/mod.ts";
import { tempHome } from "./_helpers.ts";

Deno.test("end() is the one way to end a run: endRun exists neither on the run nor on the tracker", async () => {
  const home = await tempHome();
  const tracker = new AgentTracker("one_way", { storeDir: `${home}/store`, localOnly: true });
  const run = await tracker.startRun();
  assert.equal("endRun" in run, false, "RunHandle.endRun is gone");
  assert.equal("endRun" in tracker, false, "AgentTracker.endRun is gone");
  assert.equal(typeof RunHandle.prototype.end, "function");
  assert.equal(typeof RunHandle.prototype[Symbol.asyncDispose], "function");
  await run.end();
  await Deno.remove(home, { recursive: true });
});

Deno.test("end() is idempotent: a second call, with any status, returns the first result", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const tracker = new AgentTracker("idem", { storeDir, localOnly: true });
  const run = await tracker.startRun();
  const first = await run.end("KILLED");
  const again = await run.end("FINISHED");
  assert.deepEqual(again, first);
  assert.equal(first.status, "KILLED");
  await run[Symbol.asyncDispose]();
  assert.equal(run.status, "KILLED");
  const local = await readLocalRun(run.localRunId, { storeDir });
  assert.equal(local?.status, "KILLED", "the alias after end() writes no second end");
  assert.deepEqual(tracker.openRuns, []);
  await Deno.remove(home, { recursive: true });
});

Deno.test("await using ends FINISHED even when the block throws; withRun() is the FAILED-on-throw form", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const tracker = new AgentTracker("dispose", { storeDir, localOnly: true });
  let usingId = "";
  try {
    await using run = await tracker.startRun();
    usingId = run.localRunId;
    assert.deepEqual(tracker.openRuns, [run]);
    throw new Error("block failed");
  } catch (err) {
    assert.match((err as Error).message, /block failed/);
  }
  assert.equal((await readLocalRun(usingId, { storeDir }))?.status, "FINISHED");
  let withId = "";
  await assert.rejects(
    tracker.withRun({}, (run) => {
      withId = run.localRunId;
      throw new Error("block failed");
    }),
    /block failed/,
  );
  assert.equal((await readLocalRun(withId, { storeDir }))?.status, "FAILED");
  assert.deepEqual(tracker.openRuns, []);
  await Deno.remove(home, { recursive: true });
});

Deno.test("the library installs no SIGINT handler: a library user's process and open run live on", async () => {
  const home = await tempHome();
  const storeDir = `${home}/store`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sigint_library_child.ts", import.meta.url).pathname],
    env: { CHILD_STORE: storeDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
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
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 0, `exit ${status.code}: ${stderr}`);
  assert.match(text, /survived FINISHED/);
  const local = await readLocalRun(id, { storeDir });
  assert.equal(local?.status, "FINISHED", "the library did not end the run KILLED");
  assert.equal(local?.latestMetrics.after_interrupt, 1);
  await Deno.remove(home, { recursive: true });
});
