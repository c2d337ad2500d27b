/**
 * #18 item 3: a line torn by a full disk (or a crash) must not hide the lines after it. The
 * writer cuts a partly written line back (on a real full filesystem: a small tmpfs), and the
 * reader skips a torn line in the middle of an outbox, keeps everything after it, and
 * reports it.
 */
import assert from "node:assert/strict";
import { AgentTracker, listLocalRuns, readLocalRun, syncStore } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { asTracking, clientFor, tempHome } from "./_helpers.ts";

/** Mounts a tmpfs of `size` at a fresh folder (root only); undefined when not permitted. */
function mountTmpfs(size: string): string | undefined {
  const dir = Deno.makeTempDirSync({ prefix: "evalkit-tmpfs-" });
  const out = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  if (out.success) return dir;
  Deno.removeSync(dir);
  return undefined;
}

function unmount(dir: string): void {
  new Deno.Command("umount", { args: [dir] }).outputSync();
  Deno.removeSync(dir, { recursive: true });
}

const probe = (() => {
  try {
    const dir = mountTmpfs("16k");
    if (dir) unmount(dir);
    return dir !== undefined;
  } catch {
    return false;
  }
})();

/** A metrics op line of ~6 kB: wider than a tmpfs page, so a full disk tears it. */
function wide(step: number): Record<string, number> {
  const m: Record<string, number> = {};
  for (let i = 0; i < 200; i++) m[`metric_with_a_long_name_${i}`] = step + i / 1000;
  return m;
}

Deno.test({
  name:
    "on a filesystem that fills up mid-line, no torn line hides the points and the end logged after space came back",
  // Needs root to mount a tmpfs; the mid-file torn-line test below covers the reader without it.
  ignore: !probe,
  fn: async () => {
    const mnt = mountTmpfs("256k")!;
    try {
      const storeDir = `${mnt}/store`;
      const tracker = new AgentTracker("enospc_agent", {
        localOnly: true,
        storeDir,
        handleSigint: false,
      });
      const run = await tracker.startRun({});
      // Fill the filesystem.
      const filler = await Deno.open(`${mnt}/filler`, { write: true, create: true });
      const chunk = new Uint8Array(4096);
      try {
        for (;;) await filler.write(chunk);
      } catch {
        // ENOSPC: the disk is full
      }
      filler.close();
      const returned: number[] = [];
      let failures = 0;
      let step = 0;
      for (; failures < 3; step++) {
        try {
          run.logMetrics(wide(step), { step });
          returned.push(step);
        } catch (err) {
          failures++;
          assert.match(String(err), /space|ENOSPC|os error 28/i, String(err));
        }
      }
      await Deno.remove(`${mnt}/filler`); // space comes back
      for (let i = 0; i < 5; i++, step++) {
        run.logMetrics(wide(step), { step });
        returned.push(step);
      }
      await run.end("FINISHED");
      tracker.close();

      const raw = await Deno.readTextFile(`${storeDir}/runs/${run.localRunId}/ops.jsonl`);
      const lines = raw.split("\n").filter((l) => l !== "");
      for (const [i, line] of lines.entries()) {
        assert.doesNotThrow(() => JSON.parse(line), `line ${i + 1} is whole`);
      }
      const local = (await readLocalRun(run.localRunId, { storeDir }))!;
      assert.equal(local.status, "FINISHED", "the end logged after the full disk is listed");
      const steps = local.metrics["metric_with_a_long_name_0"]!.map((p) => p.step);
      assert.deepEqual(steps, returned, "exactly the calls that returned are in the outbox");
      assert.equal(local.tornLines, undefined);

      // And they reach a server.
      const uri = testMlflowUri();
      using client = clientFor(uri);
      const report = await syncStore({ client: asTracking(client), uri, storeDir });
      assert.equal(report.ok, true, JSON.stringify(report));
      const got = await client.runs.get(report.runs[0]!.runId!);
      assert.equal(got.info.status, "FINISHED");
      const history = await client.runs.metricHistory(got.info.runId, "metric_with_a_long_name_7");
      assert.deepEqual(history.map((m) => m.step).sort((a, b) => a - b), returned);
    } finally {
      unmount(mnt);
    }
  },
});

for (
  const shape of [
    {
      name: "a half line ended by a newline",
      torn: (next: string) => `{"op":"m","t":17,"s":\n${next}`,
    },
    {
      name: "a half line with the next record appended onto it (older writers)",
      torn: (next: string) => `{"op":"m","t":17,"s":${next}`,
    },
  ]
) {
  Deno.test(`a torn line in the middle of an outbox (${shape.name}) hides nothing after it: listed, reported and synced`, async () => {
    const home = await tempHome();
    const storeDir = `${home}/store`;
    const tracker = new AgentTracker("torn_agent", {
      localOnly: true,
      storeDir,
      experimentName: uniqueName("torn"),
      handleSigint: false,
    });
    const run = await tracker.startRun({});
    for (let step = 0; step < 10; step++) run.logMetrics({ loss: 1 / (step + 1) }, { step });
    await run.end("FINISHED");
    tracker.close();
    const path = `${storeDir}/runs/${run.localRunId}/ops.jsonl`;
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    // Tear the line before step 5's record, as a full disk does.
    const at = lines.findIndex((l) => l.includes('"s":5'));
    lines[at] = shape.torn(lines[at]!);
    await Deno.writeTextFile(path, lines.join("\n") + "\n");

    const local = (await readLocalRun(run.localRunId, { storeDir }))!;
    assert.equal(local.status, "FINISHED", "the end after the torn line is seen");
    assert.deepEqual(local.metrics.loss!.map((p) => p.step), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(local.tornLines, [at + 1], "the torn line is reported by its line number");
    assert.equal((await listLocalRuns({ storeDir }))[0]!.tornLines?.length, 1);

    const uri = testMlflowUri();
    using client = clientFor(uri);
    const report = await syncStore({ client: asTracking(client), uri, storeDir });
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.runs[0]!.tornLines, [at + 1]);
    const got = await client.runs.get(report.runs[0]!.runId!);
    assert.equal(got.info.status, "FINISHED");
    assert.equal((await client.runs.metricHistory(got.info.runId, "loss")).length, 10);
    await Deno.remove(home, { recursive: true });
  });
}
