/**
 * #18 item 5: a save killed with SIGKILL leaves a hidden `.tmp-<version>-<rand>` folder; the next
 * save or list removes it — but never the folder of a save still running in a live process.
 * Real child processes, really killed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { tempDir } from "./_helpers.ts";

const CHILD = new URL("./_save_child.ts", import.meta.url).pathname;

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

/** Starts a child that blocks inside save() with its temporary folder written. */
async function blockedSave(base: string, version: string) {
  const marker = join(base, `..marker-${version}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, base, "toy", version, marker],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      await Deno.stat(marker);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.output();
        throw new Error(`the child never reached the write of ${version}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await Deno.remove(marker);
  return child;
}

Deno.test({
  name:
    "a save killed with SIGKILL leaves a temporary folder that the next list() and save() remove, sparing a live writer's",
  ignore: Deno.build.os !== "linux", // liveness is read from /proc; elsewhere the 24 h age rule applies
  async fn() {
    await using dir = await tempDir();
    const base = dir.path;
    const dm = new DatasetManager({ basePath: base });
    await dm.save([{ request_id: "a", x: 1 }], { name: "toy", version: "1.0.0" });

    const killed = await blockedSave(base, "2.0.0");
    const live = await blockedSave(base, "3.0.0");
    try {
      const tmpOf = (v: string, names: string[]) => names.filter((n) => n.startsWith(`.tmp-${v}-`));
      const before = await entries(join(base, "toy"));
      assert.equal(tmpOf("2.0.0", before).length, 1, before.join());
      assert.equal(tmpOf("3.0.0", before).length, 1, before.join());

      killed.kill("SIGKILL");
      const status = await killed.status;
      assert.equal(status.signal, "SIGKILL");
      // The killed save left its folder behind (the defect) until someone lists or saves.
      assert.equal(tmpOf("2.0.0", await entries(join(base, "toy"))).length, 1);

      const listed = await dm.list();
      assert.deepEqual(listed.map((d) => d.versions), [["1.0.0"]]);
      const afterList = await entries(join(base, "toy"));
      assert.deepEqual(tmpOf("2.0.0", afterList), [], "the dead writer's folder is removed");
      assert.equal(tmpOf("3.0.0", afterList).length, 1, "the live writer's folder is kept");

      live.kill("SIGKILL");
      await live.status;
      await dm.save([{ request_id: "b", x: 2 }], { name: "toy", version: "4.0.0" });
      assert.deepEqual(await entries(join(base, "toy")), ["1.0.0", "4.0.0"]);
      assert.deepEqual(await dm.versions("toy"), ["1.0.0", "4.0.0"]);
    } finally {
      for (const c of [killed, live]) {
        try {
          c.kill("SIGKILL");
        } catch { /* already ended */ }
        await c.output().catch(() => {});
      }
    }
  },
});

Deno.test({
  name:
    "stale or not: a reused pid is stale, another host's or an unowned young folder is kept, an unowned old one removed",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using dir = await tempDir();
    const dm = new DatasetManager({ basePath: dir.path });
    await dm.save([{ request_id: "a", x: 1 }], { name: "toy", version: "1.0.0" });
    const folder = async (name: string, owner?: unknown, ageMs = 0) => {
      const p = join(dir.path, "toy", name);
      await Deno.mkdir(p);
      await Deno.writeTextFile(join(p, "data.jsonl"), "{}\n");
      if (owner !== undefined) {
        await Deno.writeTextFile(join(p, ".owner.json"), JSON.stringify(owner));
      }
      if (ageMs > 0) {
        const t = new Date(Date.now() - ageMs);
        await Deno.utime(p, t, t);
      }
    };
    const host = Deno.hostname();
    // This very process, but "started" at another time: the pid was reused, the writer is gone.
    await folder(".tmp-2.0.0-reused", { pid: Deno.pid, host, start: "1" });
    // This process with its real start time: alive, kept.
    const start = Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
    const realStart = start.slice(start.lastIndexOf(")") + 2).split(" ")[19];
    await folder(".tmp-3.0.0-alive", { pid: Deno.pid, host, start: realStart });
    await folder(".tmp-4.0.0-otherhost", { pid: 1, host: `not-${host}`, start: null }, 60_000);
    await folder(
      ".tmp-5.0.0-otherhost-old",
      { pid: 1, host: `not-${host}`, start: null },
      25 * 3600_000,
    );
    await folder(".tmp-6.0.0-unowned-young");
    await folder(".tmp-7.0.0-unowned-old", undefined, 11 * 60_000);
    // A pid that no longer exists on this host.
    await folder(".tmp-8.0.0-dead", { pid: 2 ** 22 + 17, host, start: null });
    await dm.list();
    assert.deepEqual(await entries(join(dir.path, "toy")), [
      ".tmp-3.0.0-alive",
      ".tmp-4.0.0-otherhost",
      ".tmp-6.0.0-unowned-young",
      "1.0.0",
    ]);
  },
});

Deno.test({
  name: "a writer that is a zombie (exited, not yet reaped by its parent) counts as gone",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using dir = await tempDir();
    const dm = new DatasetManager({ basePath: dir.path });
    await dm.save([{ request_id: "a", x: 1 }], { name: "toy", version: "1.0.0" });
    // `sh` exits once its parent has exec'd into `sleep`, which never reaps it: a zombie.
    const parent = new Deno.Command("bash", {
      args: ["-c", 'sh -c "sleep 1; exit 0" & echo $!; exec sleep 30'],
      stdout: "piped",
    }).spawn();
    try {
      const reader = parent.stdout.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      await parent.stdout.cancel();
      const pid = Number(new TextDecoder().decode(value).trim());
      let stat = "";
      for (let i = 0; i < 250 && !/\) Z /.test(stat); i++) {
        stat = await Deno.readTextFile(`/proc/${pid}/stat`);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(stat, /\) Z /, "the child is a zombie");
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      const tmp = join(dir.path, "toy", ".tmp-2.0.0-zombie");
      await Deno.mkdir(tmp);
      await Deno.writeTextFile(
        join(tmp, ".owner.json"),
        JSON.stringify({ pid, host: Deno.hostname(), start }),
      );
      await dm.list();
      assert.deepEqual(await entries(join(dir.path, "toy")), ["1.0.0"]);
    } finally {
      parent.kill("SIGKILL");
      await parent.status;
    }
  },
});
