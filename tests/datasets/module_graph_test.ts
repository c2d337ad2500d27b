import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_helpers.ts";

async function graph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--config", "deno.dev.json", "--json", entry],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  // The modules of the entry's graph (static and dynamic imports). `npmPackages` is left out:
  // it lists every package of the lockfile snapshot, not what this entry imports.
  return info.modules.map((m: { specifier: string }) => m.specifier);
}

Deno.test("importing lib/datasets/mod.ts (and the root mod.ts) never loads danfojs", async (t) => {
  // The root module is deno.json's "." export: it must exist, so a missing one fails here.
  for (const entry of ["lib/datasets/mod.ts", "mod.ts"]) {
    await t.step(entry, async () => {
      const specifiers = await graph(entry);
      assert.ok(specifiers.includes("npm:/zod@4.6.7"), "npm packages of the graph are listed");
      assert.deepEqual(specifiers.filter((s) => /danfo|tensorflow/i.test(s)), []);
    });
  }
});

Deno.test("the danfo export reaches danfojs only through a dynamic import", async () => {
  const src = await Deno.readTextFile(join(ROOT, "lib/datasets/danfo.ts"));
  assert.match(src, /import\("danfojs"\)/);
  assert.doesNotMatch(
    src,
    /^import (?!type)[^;]*from "danfojs"/m,
    "no static value import of danfojs",
  );
  const specifiers = await graph("lib/datasets/danfo.ts");
  assert.ok(specifiers.some((s) => /danfojs/.test(s)), "the lazy import is in the export's graph");
});
