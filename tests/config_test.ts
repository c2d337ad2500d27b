/**
 * The three Deno configs stay in step (ARCHITECTURE.md, "Dependencies"): deno.json holds only
 * what `deno task` and the library's default entry points need, so a fresh machine downloads
 * only that; deno.dev.json (tests, benches) and notebooks/deno.json (the notebooks, with
 * danfojs) pin the same versions of the shared packages, resolve the package's own name to the
 * same files, and compile with the same options. Each lock holds exactly its config's packages.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const read = async (p: string) => JSON.parse(await Deno.readTextFile(new URL(p, ROOT)));

Deno.test("deno.dev.json and notebooks/deno.json extend deno.json with the same pins", async () => {
  const root = await read("deno.json");
  const dev = await read("deno.dev.json");
  const nb = await read("notebooks/deno.json");
  for (const [name, spec] of Object.entries(root.imports as Record<string, string>)) {
    assert.equal(dev.imports[name], spec, `deno.dev.json pins ${name} as deno.json does`);
    assert.equal(nb.imports[name], spec, `notebooks/deno.json pins ${name} as deno.json does`);
  }
  assert.equal(nb.imports.danfojs, dev.imports.danfojs, "one danfojs version");
  assert.deepEqual(dev.exports, root.exports, "deno.dev.json exports the same entry points");
  assert.equal(dev.name, root.name);
  for (const [sub, path] of Object.entries(root.exports as Record<string, string>)) {
    const name = sub === "." ? root.name : `${root.name}/${sub.slice(2)}`;
    assert.equal(nb.imports[name], `.${path}`, `notebooks/deno.json maps ${name} to ${path}`);
  }
  assert.deepEqual(dev.compilerOptions, root.compilerOptions);
  assert.deepEqual(nb.compilerOptions, root.compilerOptions);
  assert.deepEqual(dev.lint, root.lint);
  assert.deepEqual(dev.fmt, root.fmt);
});

Deno.test("deno.json declares no test-, bench- or notebook-only package", async () => {
  const root = await read("deno.json");
  const heavy = ["danfojs", "azurite", "vega", "vega-lite", "autocannon", "prom-client"];
  for (const name of [...heavy, "@datadog/sketches-js"]) {
    assert.equal(root.imports[name], undefined, `${name} belongs in deno.dev.json`);
  }
  const lock = await read("deno.lock");
  const packages = Object.keys(lock.npm ?? {}).map((k) => k.replace(/@[^@]+$/, ""));
  for (const name of heavy) {
    assert.ok(!packages.includes(name), `deno.lock must not hold ${name}`);
  }
  assert.ok(packages.length <= 10, `deno.lock holds ${packages.length} packages: ${packages}`);
});

Deno.test("each lock lists exactly its config's imports", async () => {
  for (
    const [config, lockPath] of [
      ["deno.json", "deno.lock"],
      ["deno.dev.json", "deno.dev.lock"],
      ["notebooks/deno.json", "notebooks/deno.lock"],
    ] as const
  ) {
    const c = await read(config);
    const lock = await read(lockPath);
    const npm = Object.values(c.imports as Record<string, string>).filter((s) =>
      s.startsWith("npm:")
    ).sort();
    assert.deepEqual([...lock.workspace.dependencies].sort(), npm, `${lockPath} vs ${config}`);
    assert.equal(c.lock.frozen, true, `${config} freezes its lock`);
  }
});
