import assert from "node:assert/strict";
import { join } from "node:path";
import { DatasetError, DatasetManager, loanApprovalSchema } from "../../lib/datasets/mod.ts";
import { ROOT, snapshotTree, tempDir } from "./_helpers.ts";

const rows = [
  { request_id: "a", x: 1, expected_outcome: "approve" },
  { request_id: "b", x: 2.5, expected_outcome: "reject" },
];

Deno.test("save() then load() round-trips rows, schema, digests and metadata", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const saved = await dm.save(rows, {
    name: "toy",
    version: "1.0.0",
    description: "two rows",
    tags: { team: "risk" },
    createdAt: "2025-01-02T03:04:05.000Z",
  });
  assert.equal(saved.created, true);
  const ds = await dm.load("toy");
  assert.deepEqual(ds.rows, rows);
  assert.equal(ds.digest, saved.digest);
  assert.equal(ds.mlflowDigest, saved.mlflowDigest);
  assert.equal(ds.meta.numRows, 2);
  assert.equal(ds.meta.description, "two rows");
  assert.deepEqual(ds.meta.tags, { team: "risk" });
  assert.equal(ds.meta.createdAt, "2025-01-02T03:04:05.000Z");
  assert.deepEqual(ds.meta.schema.columns.map((c) => [c.name, c.type]), [
    ["request_id", "string"],
    ["x", "number"],
    ["expected_outcome", "string"],
  ]);
  assert.deepEqual(ds.meta.digest, { sha256: ds.digest, mlflow: ds.mlflowDigest });
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(join(dir.path, "toy", "1.0.0")))).map((e) => e.name).sort(),
    ["data.jsonl", "meta.json"],
  );
  const text = await Deno.readTextFile(join(dir.path, "toy", "1.0.0", "data.jsonl"));
  assert.equal(text, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  assert.equal(ds.meta.dataBytes, new TextEncoder().encode(text).length);
});

Deno.test("versions are immutable: same content is a no-op, other content is refused, nothing changes", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  await dm.save(rows, { name: "toy", version: "2025.10", createdAt: "2025-10-01T00:00:00.000Z" });
  const before = await snapshotTree(dir.path);
  const again = await dm.save(
    rows.map((r) => ({ expected_outcome: r.expected_outcome, x: r.x, request_id: r.request_id })),
    {
      name: "toy",
      version: "2025.10",
      createdAt: "2026-01-01T00:00:00.000Z",
    },
  );
  assert.equal(again.created, false, "same content (key order differs) is a no-op");
  assert.equal(again.meta.createdAt, "2025-10-01T00:00:00.000Z", "the stored metadata is returned");
  await assert.rejects(
    dm.save([{ ...rows[0]!, x: 99 }, rows[1]!], { name: "toy", version: "2025.10" }),
    (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.issues[0]!.code, "version_exists");
      assert.match(err.message, /toy@2025\.10 already exists/);
      assert.match(err.issues[0]!.message, /versions are immutable/);
      assert.match(err.issues[0]!.message, /different content \(digest/);
      return true;
    },
  );
  // The same rows under another schema: refused too, and the message says it is the schema.
  const schema = {
    ...again.schema,
    columns: again.schema.columns.map((c) => ({ ...c, required: false })),
  };
  await assert.rejects(
    dm.save(rows, { name: "toy", version: "2025.10", schema }),
    (err: unknown) =>
      err instanceof DatasetError && err.issues[0]!.code === "version_exists" &&
      /different schema;/.test(err.issues[0]!.message),
  );
  assert.deepEqual(await snapshotTree(dir.path), before);
});

Deno.test("invalid rows are refused before anything is written, even the base folder", async () => {
  await using dir = await tempDir();
  const base = join(dir.path, "not-yet");
  const dm = new DatasetManager({ basePath: base });
  await assert.rejects(
    dm.save([{ request_id: "a", x: Number.NaN, expected_outcome: "approve" }], {
      name: "bad",
      version: "1.0.0",
      schema: {
        columns: [{ name: "request_id", type: "string" }, { name: "x", type: "number" }, {
          name: "expected_outcome",
          type: "string",
        }],
      },
    }),
    DatasetError,
  );
  await assert.rejects(Deno.stat(base), Deno.errors.NotFound);
});

Deno.test("list() and show() report versions in order and load() picks the latest", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  for (const v of ["1.2.0", "1.10.0", "1.2.0-rc.1", "1.9.3"]) {
    await dm.save([{ request_id: v, x: 1, expected_outcome: "approve" }], {
      name: "toy",
      version: v,
    });
  }
  await dm.save(rows, { name: "other", version: "2025.09" });
  await dm.save(rows.slice(0, 1), { name: "other", version: "2025.10" });
  const list = await dm.list();
  assert.deepEqual(list.map((d) => [d.name, d.latest, d.versions]), [
    ["other", "2025.10", ["2025.09", "2025.10"]],
    ["toy", "1.10.0", ["1.2.0-rc.1", "1.2.0", "1.9.3", "1.10.0"]],
  ]);
  assert.equal((await dm.load("toy")).rows[0]!.request_id, "1.10.0");
  assert.equal((await dm.load("toy", { version: "1.2.0-rc.1" })).version, "1.2.0-rc.1");
  const shown = await dm.show("other");
  assert.deepEqual(shown.versions.map((m) => m.numRows), [2, 1]);
  await assert.rejects(
    dm.load("missing"),
    (e: unknown) => e instanceof DatasetError && e.issues[0]!.code === "not_found",
  );
  await assert.rejects(
    dm.load("toy", { version: "9.9.9" }),
    (e: unknown) => e instanceof DatasetError && e.issues[0]!.code === "not_found",
  );
});

Deno.test("load() detects a data file changed after saving (digest_mismatch)", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const saved = await dm.save(rows, { name: "toy", version: "1.0.0" });
  const file = join(saved.path, "data.jsonl");
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, text.replace('"x":1,', '"x":2,'));
  await assert.rejects(dm.load("toy"), (e: unknown) => {
    assert.ok(e instanceof DatasetError);
    assert.equal(e.issues[0]!.code, "digest_mismatch");
    return true;
  });
});

Deno.test("load() names the metadata file when it is not valid JSON", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const saved = await dm.save(rows, { name: "toy", version: "1.0.0" });
  const metaPath = join(saved.path, "meta.json");
  await Deno.writeTextFile(metaPath, '{"name": "toy",');
  await assert.rejects(dm.load("toy"), (e: unknown) => {
    assert.ok(e instanceof DatasetError, String(e));
    assert.equal(e.issues[0]!.code, "invalid_json");
    assert.equal(e.issues[0]!.file, metaPath);
    assert.match(e.message, /toy@1\.0\.0 has unreadable metadata/);
    return true;
  });
});

Deno.test("writes are atomic: no temporary folder is left behind", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  await dm.save(rows, { name: "toy", version: "1.0.0" });
  const names = (await Array.fromAsync(Deno.readDir(join(dir.path, "toy")))).map((e) => e.name);
  assert.deepEqual(names, ["1.0.0"]);
});

/**
 * Makes a folder unwritable for this process: file modes when not root; as root (which ignores
 * modes) a read-only bind mount of the folder on itself. Returns the undo, or undefined when
 * neither works here (the caller then fails the write another way).
 */
async function makeReadOnly(dir: string): Promise<(() => Promise<void>) | undefined> {
  if (Deno.build.os === "windows") return undefined;
  if (Deno.uid() !== 0) {
    await Deno.chmod(dir, 0o555);
    return () => Deno.chmod(dir, 0o755);
  }
  const mount = await new Deno.Command("mount", {
    args: ["--bind", "-o", "ro", dir, dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!mount?.success) return undefined;
  return async () => {
    await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
  };
}

Deno.test("a write into a read-only dataset folder fails and leaves no version (as root too)", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  await dm.save(rows, { name: "toy", version: "1.0.0" });
  const toy = join(dir.path, "toy");
  const undo = await makeReadOnly(toy);
  try {
    if (undo !== undefined) {
      const err = await dm.save(rows.slice(0, 1), { name: "toy", version: "2.0.0" }).then(
        () => assert.fail("the save into a read-only folder succeeded"),
        (e) => e,
      );
      // PermissionDenied for file modes, EROFS for a read-only mount.
      assert.ok(
        err instanceof Deno.errors.PermissionDenied || err.code === "EROFS",
        String(err),
      );
      assert.deepEqual(await dm.versions("toy"), ["1.0.0"], "listing still works read-only");
    } else {
      // No way to make a folder read-only here: a dataset folder that is a regular file.
      await Deno.writeTextFile(join(dir.path, "blocked"), "a file, not a folder");
      await assert.rejects(dm.save(rows, { name: "blocked", version: "1.0.0" }));
      assert.equal(await Deno.readTextFile(join(dir.path, "blocked")), "a file, not a folder");
    }
  } finally {
    await undo?.();
  }
  assert.deepEqual((await Array.fromAsync(Deno.readDir(toy))).map((e) => e.name), ["1.0.0"]);
});

Deno.test("a base path under a regular file fails the save with the OS error and writes nothing", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "file"), "x");
  const dm = new DatasetManager({ basePath: join(dir.path, "file", "datasets") });
  await assert.rejects(dm.save(rows, { name: "toy", version: "1.0.0" }), Deno.errors.NotADirectory);
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name), ["file"]);
  // Listing a base path that is not a folder is an error too, not an empty list.
  await assert.rejects(dm.list(), Deno.errors.NotADirectory);
});

Deno.test("a write that fails at the final rename leaves no temporary folder and no version", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  await Deno.mkdir(join(dir.path, "toy"), { recursive: true });
  // A plain file where the version folder should go: the rename into place fails.
  await Deno.writeTextFile(join(dir.path, "toy", "1.0.0"), "in the way");
  await assert.rejects(dm.save(rows, { name: "toy", version: "1.0.0" }));
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(join(dir.path, "toy")))).map((e) => e.name),
    ["1.0.0"],
  );
  assert.equal(await Deno.readTextFile(join(dir.path, "toy", "1.0.0")), "in the way");
});

Deno.test("concurrent saves of the same version: one writes, the other is a no-op", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const results = await Promise.all(
    [1, 2, 3, 4].map(() => dm.save(rows, { name: "toy", version: "1.0.0" })),
  );
  assert.equal(results.filter((r) => r.created).length, 1, "exactly one save wrote the version");
  const entries = (await Array.fromAsync(Deno.readDir(join(dir.path, "toy")))).map((e) => e.name);
  assert.deepEqual(entries, ["1.0.0"], "no temporary folder left");
  assert.equal((await dm.load("toy")).digest, results[0]!.digest);
});

Deno.test("importFile() reads CSV with the loan schema and records the source and operation", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const file = join(ROOT, "tests/fixtures/datasets/valid_small.csv");
  const saved = await dm.importFile(file, {
    name: "small",
    version: "1.0.0",
    schema: loanApprovalSchema,
  });
  assert.equal(saved.meta.numRows, 2);
  assert.deepEqual(saved.meta.source, { type: "file", uri: file });
  assert.deepEqual(saved.meta.operation, { type: "import", format: "csv" });
  assert.equal(saved.rows[1]!.employment_years, 2.5);
});
