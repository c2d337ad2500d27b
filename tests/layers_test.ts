/**
 * The layer gate: every import in lib/ (static, dynamic, `import type`, re-exports) goes down
 * the module table of ARCHITECTURE.md §2, and no files import each other in a circle. The
 * import graph comes from `deno info --json` (the same resolver the runtime uses), the table
 * from ARCHITECTURE.md itself, so the doc and the check cannot drift apart.
 *
 * Plant an upward import (e.g. `import type { EvalResult } from "../evaluation/eval_result.ts"`
 * in lib/stats/psi.ts) and the first test fails naming the file, the line and both layers (the
 * second names the circle it closes). A last gate: no `new MlflowClient(` in lib/, scripts/ or tools/
 * outside lib/mlflow, so every server is opened through `resolveTrackingTarget`.
 */
import assert from "node:assert/strict";
import { relative, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = resolve(fromFileUrl(new URL("..", import.meta.url)));

/** The module list of ARCHITECTURE.md §2 in order: `lib/<name>` → position in the list. */
async function layerOrder(): Promise<Map<string, { rank: number; layer: number }>> {
  const doc = await Deno.readTextFile(`${ROOT}/ARCHITECTURE.md`);
  const section = doc.split(/^## 2\. /m)[1]?.split(/^## /m)[0] ?? "";
  const order = new Map<string, { rank: number; layer: number }>();
  for (const line of section.split("\n")) {
    const m = /^\|\s*(\d+)\s*\|([^|]*)\|/.exec(line);
    if (!m) continue;
    for (const mod of m[2]!.matchAll(/`lib\/([a-z_]+)\/`/g)) {
      order.set(mod[1]!, { rank: order.size, layer: Number(m[1]) });
    }
  }
  return order;
}

/** One import edge between two lib files. */
interface Edge {
  from: string;
  to: string;
  line: number;
  kind: "static" | "dynamic" | "type";
}

interface InfoDependency {
  specifier: string;
  code?: { specifier?: string; span?: { start: { line: number } } };
  type?: { specifier?: string; span?: { start: { line: number } } };
  isDynamic?: boolean;
}

/** Every import edge between files of lib/, from `deno info --json` over all of them. */
async function libImportGraph(): Promise<{ files: string[]; edges: Edge[] }> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".ts")) files.push(relative(ROOT, p));
    }
  };
  await walk(`${ROOT}/lib`);
  files.sort();
  const seen = new Set<string>();
  const edges: Edge[] = [];
  // An npm package outside this config's import map (danfojs) resolves to an error: not lib/.
  const local = (url: string | undefined) => {
    if (!url?.startsWith("file://")) return undefined;
    const rel = relative(ROOT, fromFileUrl(url));
    return rel.startsWith("lib/") ? rel : undefined;
  };
  for (const file of files) {
    if (seen.has(file)) continue;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", file],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.ok(out.success, `deno info ${file} failed: ${new TextDecoder().decode(out.stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string; dependencies?: InfoDependency[] }[];
    };
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (!from || seen.has(from)) continue;
      seen.add(from);
      for (const d of m.dependencies ?? []) {
        for (
          const [res, kind] of [[d.code, d.isDynamic ? "dynamic" : "static"], [
            d.type,
            "type",
          ]] as const
        ) {
          const to = res && local(res.specifier);
          if (to) edges.push({ from, to, line: (res.span?.start.line ?? 0) + 1, kind });
        }
      }
    }
  }
  return { files, edges };
}

const moduleOf = (file: string) => file.split("/")[1]!;

/** The edges that go up the module list (a module importing one listed after it). */
function upwardImports(
  edges: Edge[],
  order: Map<string, { rank: number; layer: number }>,
): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const a = moduleOf(e.from), b = moduleOf(e.to);
    if (a === b) continue;
    const ra = order.get(a), rb = order.get(b);
    if (!ra || !rb) {
      bad.push(`${e.from}:${e.line}: lib/${ra ? b : a}/ is not in ARCHITECTURE.md's module table`);
    } else if (rb.rank > ra.rank) {
      bad.push(
        `${e.from}:${e.line}: ${e.kind} import of ${e.to} goes up the layers ` +
          `(lib/${a}/ is layer ${ra.layer}, lib/${b}/ is listed after it, layer ${rb.layer})`,
      );
    }
  }
  return bad;
}

/** The circles of the file graph (strongly connected components of two or more files). */
function circles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) (next.get(e.from) ?? next.set(e.from, []).get(e.from)!).push(e.to);
  // Tarjan's algorithm.
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || next.get(v)?.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

let graphOnce: ReturnType<typeof libImportGraph> | undefined;
/** The graph, computed once, inside the first test that asks (the sanitizers see it end). */
const graph = () => graphOnce ??= libImportGraph();

Deno.test("no import in lib/ goes up the module table of ARCHITECTURE.md", async () => {
  const order = await layerOrder();
  assert.ok(order.size >= 10, `expected the module table in ARCHITECTURE.md, found ${order.size}`);
  const { edges } = await graph();
  assert.ok(edges.length > 100, `expected the lib import graph, found ${edges.length} edges`);
  const bad = upwardImports(edges, order);
  assert.deepEqual(bad, [], `Upward imports:\n  ${bad.join("\n  ")}`);
});

Deno.test("no files in lib/ import each other in a circle (type-only imports included)", async () => {
  const found = circles((await graph()).edges);
  assert.deepEqual(found, [], `Circles:\n  ${found.map((c) => c.join(" → ")).join("\n  ")}`);
});

Deno.test("the layer check catches planted upward imports, dynamic and type-only ones too", async () => {
  const order = await layerOrder();
  const planted: Edge[] = [
    { from: "lib/stats/psi.ts", to: "lib/evaluation/mod.ts", line: 1, kind: "static" },
    { from: "lib/report/tables.ts", to: "lib/tracking/local_store.ts", line: 2, kind: "dynamic" },
    { from: "lib/mlflow/client.ts", to: "lib/datasets/types.ts", line: 3, kind: "type" },
  ];
  assert.equal(upwardImports(planted, order).length, 3);
  assert.deepEqual(
    upwardImports([{
      from: "lib/evaluation/x.ts",
      to: "lib/stats/psi.ts",
      line: 1,
      kind: "static",
    }], order),
    [],
  );
  assert.deepEqual(
    circles([
      { from: "lib/drift/a.ts", to: "lib/drift/b.ts", line: 1, kind: "static" },
      { from: "lib/drift/b.ts", to: "lib/drift/c.ts", line: 1, kind: "type" },
      { from: "lib/drift/c.ts", to: "lib/drift/a.ts", line: 1, kind: "type" },
    ]),
    [["lib/drift/a.ts", "lib/drift/b.ts", "lib/drift/c.ts"]],
  );
});

Deno.test("no MlflowClient is built by hand outside lib/mlflow: servers are opened through resolveTrackingTarget", async () => {
  const bad: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(`${ROOT}/${dir}`)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) {
        if (p !== "lib/mlflow") await walk(p);
      } else if (e.name.endsWith(".ts")) {
        const lines = (await Deno.readTextFile(`${ROOT}/${p}`)).split("\n");
        lines.forEach((l, i) => {
          if (l.includes("new MlflowClient(")) bad.push(`${p}:${i + 1}: ${l.trim()}`);
        });
      }
    }
  };
  await walk("lib");
  await walk("scripts");
  await walk("tools");
  assert.deepEqual(
    bad,
    [],
    `Use MlflowClient.fromUri / fromTarget / fromEnv or openRunSource instead:\n  ${
      bad.join("\n  ")
    }`,
  );
});
