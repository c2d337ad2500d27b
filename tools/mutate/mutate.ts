/**
 * `deno task mutate <module|file…>`: mutation testing. Makes one small realistic bug at a time
 * in library code (a `<` turned into `<=`, `&&` into `||`, a negation dropped, a condition forced
 * true or false, …), runs the test files that cover that source file, and counts the bugs the
 * tests notice. Mutation sites come from Deno's own parser through a lint plugin
 * (`_sites_plugin.ts`), so comments, strings and types are never mutated.
 *
 * Every mutant runs in a scratch copy of the project, never in the working tree, so an
 * interrupted run leaves nothing behind. Tests that need MLflow get one real server for the
 * whole run, as `deno task test` does.
 *
 * Outcomes: *killed* (a test failed), *timeout* (counted as killed, as StrykerJS does),
 * *survived* (every test passed: a missing test, or an equivalent mutant), *invalid* (the
 * mutant does not type-check; not counted). Survivors that are equivalent — no test could tell
 * them apart from the original — are written down in `tools/mutate/equivalent.json` with the
 * reason, and reported apart.
 */
import { parseArgs } from "node:util";
import { createRng } from "../../lib/_internal/rng.ts";
import { startMlflowServer } from "../../lib/testing/mod.ts";
import type { Site } from "./_sites_plugin.ts";

const USAGE = `Usage: deno task mutate <module|file…> [options]

Mutation testing of library code. A module is a folder of lib/ (stats, datasets,
evaluation, tracking, mlflow, server, …); files are paths under lib/.

Options:
  --tests <path>       test files or folders to run (repeatable; default tests/<module>/,
                       narrowed per source file to the tests that import it)
  --sample <n>         run a seeded random sample of n mutants instead of all
  --seed <n>           seed for --sample (default 1)
  --kinds <a,b>        only these mutator kinds (EqualityOperator, ArithmeticOperator,
                       LogicalOperator, BooleanNegation, UpdateOperator, BooleanLiteral,
                       ConditionalExpression)
  --json <file>        write every outcome as JSON (default .test-results/mutation/<name>.json)
  --list               list the mutants without running them
  -h, --help           this text

Examples:
  deno task mutate stats
  deno task mutate datasets --sample 150
  deno task mutate lib/stats/psi.ts --tests tests/stats/psi_test.ts`;

interface Mutant extends Site {
  file: string;
  line: number;
  column: number;
  replacement: string;
  lineText: string;
}

type Outcome = "killed" | "timeout" | "survived" | "invalid";

interface Equivalent {
  file: string;
  lineText: string;
  original: string;
  replacement: string;
  why: string;
}

const ROOT = new URL("../../", import.meta.url).pathname;

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && p.endsWith(suffix)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*["'](\.[^"']+)["']|import\s*\(\s*["'](\.[^"']+)["']\s*\)|import\s*["'](\.[^"']+)["']/g;

/** The relative-import closure of a file (paths relative to the project root). */
function closure(file: string, cache: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [file];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    let deps = cache.get(f);
    if (!deps) {
      deps = [];
      let text = "";
      try {
        text = Deno.readTextFileSync(ROOT + f);
      } catch {
        // not a readable file (e.g. a JSON import): no further edges
      }
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        const url = new URL(spec, `file://${ROOT}${f}`);
        deps.push(url.pathname.slice(ROOT.length));
      }
      cache.set(f, deps);
    }
    stack.push(...deps);
  }
  return seen;
}

/** Mutation sites of one file, from the lint plugin. */
async function sitesOf(file: string, scratch: string): Promise<Mutant[]> {
  const config = `${scratch}/mutation-lint.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      lint: {
        plugins: [`${ROOT}tools/mutate/_sites_plugin.ts`],
        rules: { tags: [], include: ["mutation/sites"] },
      },
    }),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["lint", "--json", "--config", config, ROOT + file],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const report = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    diagnostics: { message: string; code: string }[];
    errors?: { message: string }[];
  };
  if (report.errors && report.errors.length > 0) {
    throw new Error(`Could not parse ${file}: ${report.errors[0]!.message}`);
  }
  const text = await Deno.readTextFile(ROOT + file);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const mutants: Mutant[] = [];
  const seen = new Set<string>();
  for (const d of report.diagnostics) {
    if (d.code !== "mutation/sites") continue;
    const site = JSON.parse(d.message) as Site;
    if (text.slice(site.start, site.end) !== site.original) continue; // offsets disagree: skip
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= site.start) line++;
    const lineText = text.slice(lineStarts[line], lineStarts[line + 1] ?? text.length).trim();
    for (const replacement of site.replacements) {
      const key = `${site.start}:${site.end}:${replacement}`;
      if (seen.has(key)) continue;
      seen.add(key);
      mutants.push({
        ...site,
        file,
        line: line + 1,
        column: site.start - lineStarts[line]! + 1,
        replacement,
        lineText,
      });
    }
  }
  return mutants.sort((a, b) => a.start - b.start);
}

/** Copies the tracked project files into a scratch folder (the .venv is linked, not copied). */
async function makeScratch(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-mutate-" });
  const ls = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  for (const f of new TextDecoder().decode(ls.stdout).split("\0")) {
    if (f === "" || f === ".venv") continue;
    const info = await Deno.lstat(ROOT + f).catch(() => undefined);
    if (!info?.isFile) continue; // deleted but not yet committed, or a link such as .venv
    const target = `${dir}/${f}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(ROOT + f, target);
  }
  try {
    await Deno.symlink(`${ROOT}.venv`, `${dir}/.venv`);
  } catch {
    // no .venv: tests needing Python will say so
  }
  return dir;
}

interface TestRun {
  code: number;
  timedOut: boolean;
  output: string;
  ms: number;
}

async function runTests(
  scratch: string,
  tests: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<TestRun> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--config", "deno.dev.json", "-A", "--fail-fast", "--no-prompt", ...tests],
    cwd: scratch,
    env: { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.code,
    timedOut,
    output: dec.decode(out.stdout) + dec.decode(out.stderr),
    ms: performance.now() - t0,
  };
}

function classify(run: TestRun): Outcome {
  if (run.timedOut) return "timeout";
  if (run.code === 0) return "survived";
  if (/error: TS\d+|Type checking failed|TS\d{4} \[ERROR\]/.test(run.output)) return "invalid";
  return "killed";
}

function keyOf(m: { file: string; lineText: string; original: string; replacement: string }) {
  return `${m.file}\u0000${m.lineText}\u0000${m.original}\u0000${m.replacement}`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tests: { type: "string", multiple: true },
      sample: { type: "string" },
      seed: { type: "string" },
      kinds: { type: "string" },
      json: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`Expected a module or file to mutate.\n\n${USAGE}`);
    return 2;
  }
  const sources: string[] = [];
  const testRoots: string[] = [...(values.tests ?? [])];
  for (const p of positionals) {
    if (p.endsWith(".ts")) {
      sources.push(p.replace(/^\.\//, ""));
      continue;
    }
    const files = (await listFiles(`${ROOT}lib/${p}`, ".ts")).map((f) => f.slice(ROOT.length));
    if (files.length === 0) {
      console.error(`Expected a module of lib/ but found no lib/${p}/*.ts`);
      return 2;
    }
    sources.push(...files.filter((f) => !f.endsWith("/mod.ts")));
    if (!values.tests) testRoots.push(`tests/${p}`);
  }
  const kinds = values.kinds ? new Set(values.kinds.split(",")) : undefined;
  const sampleN = values.sample === undefined ? undefined : Number(values.sample);
  if (sampleN !== undefined && !(Number.isInteger(sampleN) && sampleN >= 1)) {
    console.error(`Expected --sample to be an integer >= 1 but found '${values.sample}'`);
    return 2;
  }
  const testFiles: string[] = [];
  for (const t of testRoots) {
    if (t.endsWith(".ts")) testFiles.push(t);
    else {
      testFiles.push(
        ...(await listFiles(ROOT + t, "_test.ts")).map((f) => f.slice(ROOT.length)),
      );
    }
  }
  const graph = new Map<string, string[]>();
  const testClosures = new Map(testFiles.map((t) => [t, closure(t, graph)]));

  const scratch = await makeScratch();
  try {
    let mutants: Mutant[] = [];
    for (const s of sources) mutants.push(...await sitesOf(s, scratch));
    if (kinds) mutants = mutants.filter((m) => kinds.has(m.kind));
    if (sampleN !== undefined && sampleN < mutants.length) {
      const rng = createRng(Number(values.seed ?? 1));
      mutants = rng.shuffle(mutants).slice(0, sampleN).sort((a, b) =>
        a.file === b.file ? a.start - b.start : a.file < b.file ? -1 : 1
      );
    }
    const coverOf = (file: string) =>
      testFiles.filter((t) => testClosures.get(t)!.has(file)).sort();
    if (values.list) {
      for (const m of mutants) {
        console.log(
          `${m.file}:${m.line}:${m.column}\t${m.kind}\t${m.original} → ${m.replacement || "∅"}`,
        );
      }
      console.log(`${mutants.length} mutants`);
      return 0;
    }

    const equivalents = JSON.parse(
      await Deno.readTextFile(`${ROOT}tools/mutate/equivalent.json`).catch(() => "[]"),
    ) as Equivalent[];
    const equivalentKeys = new Map(equivalents.map((e) => [keyOf(e), e.why]));

    const needsServer = testFiles.some((t) =>
      [...testClosures.get(t)!].some((f) => f.startsWith("tests/_helpers/mlflow"))
    );
    await using server = needsServer
      ? await startMlflowServer({ mlflowBin: `${ROOT}.venv/bin/mlflow` })
      : undefined;
    const env: Record<string, string> = {};
    if (server) {
      env.EVALKIT_TEST_MLFLOW_URI = server.uri;
      env.EVALKIT_MLFLOW_BIN = `${ROOT}.venv/bin/mlflow`;
      env.EVALKIT_PYTHON_BIN = `${ROOT}.venv/bin/python`;
    }

    // Baseline per set of covering tests: every set must pass unmutated, and sets its timeout.
    const baselines = new Map<string, number>();
    const results: (Mutant & { outcome: Outcome; tests: string[]; equivalent?: string })[] = [];
    const tty = Deno.stderr.isTerminal();
    for (const [i, m] of mutants.entries()) {
      const tests = coverOf(m.file);
      if (tests.length === 0) {
        results.push({ ...m, outcome: "survived", tests });
        continue;
      }
      const setKey = tests.join(" ");
      if (!baselines.has(setKey)) {
        const base = await runTests(scratch, tests, env, 20 * 60_000);
        if (base.code !== 0) {
          console.error(base.output.slice(-4000));
          console.error(`The covering tests fail without any mutant: ${setKey}`);
          return 1;
        }
        baselines.set(setKey, base.ms);
      }
      const timeoutMs = Math.max(30_000, 3 * baselines.get(setKey)!);
      const path = `${scratch}/${m.file}`;
      const original = await Deno.readTextFile(path);
      await Deno.writeTextFile(
        path,
        original.slice(0, m.start) + m.replacement + original.slice(m.end),
      );
      let run: TestRun;
      try {
        run = await runTests(scratch, tests, env, timeoutMs);
      } finally {
        await Deno.writeTextFile(path, original);
      }
      const outcome = classify(run);
      const equivalent = outcome === "survived" ? equivalentKeys.get(keyOf(m)) : undefined;
      results.push({ ...m, outcome, tests, ...(equivalent ? { equivalent } : {}) });
      const line = `[${i + 1}/${mutants.length}] ${
        outcome.padEnd(8)
      } ${m.file}:${m.line} ${m.original} → ${m.replacement || "∅"}`;
      if (tty) await Deno.stderr.write(new TextEncoder().encode(`\r\x1b[2K${line}`));
      else if (outcome === "survived") console.error(line);
    }
    if (tty) console.error("");

    const count = (o: Outcome, f?: (r: (typeof results)[number]) => boolean) =>
      results.filter((r) => r.outcome === o && (!f || f(r))).length;
    const killed = count("killed") + count("timeout");
    const survived = count("survived");
    const equiv = count("survived", (r) => r.equivalent !== undefined);
    const rate = (killed / Math.max(1, killed + survived)) * 100;
    const rateEq = (killed / Math.max(1, killed + survived - equiv)) * 100;
    const name = positionals.map((p) => p.replace(/^lib\//, "").replace(/[/.]/g, "_")).join("+");
    const jsonPath = values.json ?? `${ROOT}.test-results/mutation/${name}.json`;
    await Deno.mkdir(jsonPath.slice(0, jsonPath.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(
      jsonPath,
      JSON.stringify(
        { modules: positionals, killed, survived, equivalent: equiv, results },
        null,
        1,
      ),
    );

    console.log("Survivors (a missing test, or an equivalent mutant):");
    for (const r of results.filter((r) => r.outcome === "survived")) {
      console.log(
        `  ${r.file}:${r.line}:${r.column}  ${r.kind}  ${r.original} → ${r.replacement || "∅"}${
          r.equivalent
            ? `  [equivalent: ${r.equivalent}]`
            : r.tests.length === 0
            ? "  [no test covers this file]"
            : ""
        }\n      ${r.lineText}`,
      );
    }
    console.log(
      `\n${name}: ${results.length} mutants — ${count("killed")} killed, ${
        count("timeout")
      } timed out, ${survived} survived (${equiv} equivalent), ${count("invalid")} invalid`,
    );
    console.log(
      `kill rate ${rate.toFixed(1)} % (${
        rateEq.toFixed(1)
      } % with equivalents set aside); details in ${jsonPath}`,
    );
    return 0;
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main());
