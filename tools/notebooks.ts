/**
 * `deno task notebooks <check|clear|run> [name…]`: keep the shipped notebooks honest.
 *
 * - check: every notebook is committed with outputs cleared, its code cells type-check
 *   (extracted into one module per notebook and `deno check`ed), and it is `deno fmt`ed.
 * - clear: clear outputs and execution counts in place.
 * - run: execute notebooks headlessly with the Deno kernel (Jupyter from .venv); fails when a
 *   cell fails. Executed copies go to .evalkit/notebooks/.
 */
import { parseArgs } from "node:util";
import { ensurePythonEnv } from "../scripts/_python_env.ts";

const USAGE = `Usage: deno task notebooks <check|clear|fmt|run> [name…] [--timeout SECONDS]

  check   fail unless every notebook has cleared outputs, its code cells type-check and it
          is formatted (deno fmt, with the project's settings)
  clear   clear outputs and execution counts in place, then format
  fmt     format the notebooks (deno fmt of their code and markdown cells)
  run     execute notebooks headlessly with the Deno kernel (installs it first); exit 1 if a
          cell fails. Uses MLFLOW_TRACKING_URI when set, else the embedded local store.

Names are notebook file names without .ipynb (default: all in notebooks/).

Examples:
  deno task notebooks check
  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 deno task notebooks run 01_quickstart`;

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

const text = (source: string | string[]) => Array.isArray(source) ? source.join("") : source;

async function listNotebooks(names: string[]): Promise<string[]> {
  const all: string[] = [];
  for await (const e of Deno.readDir("notebooks")) {
    if (e.isFile && e.name.endsWith(".ipynb")) all.push(e.name.slice(0, -6));
  }
  all.sort();
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.includes(n.replace(/\.ipynb$/, "")));
  if (unknown.length > 0) {
    throw new TypeError(`Unknown notebook(s): ${unknown.join(", ")}. Available: ${all.join(", ")}`);
  }
  return names.map((n) => n.replace(/\.ipynb$/, ""));
}

async function readNotebook(name: string): Promise<Notebook> {
  return JSON.parse(await Deno.readTextFile(`notebooks/${name}.ipynb`));
}

/** Problems with a committed notebook: outputs left in, execution counts set. */
export function outputProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    if ((c.outputs?.length ?? 0) > 0) problems.push(`cell ${i + 1} has outputs`);
    if (c.execution_count !== null && c.execution_count !== undefined) {
      problems.push(`cell ${i + 1} has an execution count`);
    }
  });
  return problems;
}

async function check(names: string[]): Promise<number> {
  let failures = 0;
  // Outside the project folder (whose .evalkit/ is excluded from checks), with the project's config.
  const dir = await Deno.makeTempDir({ prefix: "evalkit-nbcheck-" });
  const files: string[] = [];
  for (const name of names) {
    const nb = await readNotebook(name);
    const problems = outputProblems(nb);
    if (problems.length > 0) {
      failures++;
      console.error(
        `notebooks/${name}.ipynb: not cleared (${
          problems.join("; ")
        }); run 'deno task notebooks clear'`,
      );
    }
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c, i) =>
      `// --- cell ${i + 1}\n${text(c.source)}\n`
    );
    const file = `${dir}/${name}.ts`;
    await Deno.writeTextFile(
      file,
      `// Extracted from notebooks/${name}.ipynb for type checking.\n${
        code.join("\n")
      }\nexport {};\n`,
    );
    files.push(file);
  }
  if (files.length > 0) {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", `${Deno.cwd()}/notebooks/deno.json`, ...files],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) failures++;
    const unformatted = await notFormatted(names, dir);
    if (unformatted.length > 0) {
      failures++;
      console.error(
        `not formatted: ${unformatted.map((n) => `notebooks/${n}.ipynb`).join(", ")}; ` +
          "run 'deno task notebooks fmt'",
      );
    }
  }
  await Deno.remove(dir, { recursive: true });
  console.log(
    failures === 0
      ? `${names.length} notebook(s) cleared and type-checked`
      : "notebook check failed",
  );
  return failures === 0 ? 0 : 1;
}

/**
 * Formats copies of the notebooks with the project's fmt settings in `dir` and returns the
 * names of the notebooks whose copies changed. (Deno 2.9.6's `deno fmt --check` reports
 * freshly cloned notebooks as unformatted even when `deno fmt` leaves them byte-identical, so
 * the comparison is done on bytes; notebooks/ is excluded from the project-wide fmt gate.)
 */
async function notFormatted(names: string[], dir: string, write = false): Promise<string[]> {
  const copies = names.map((n) => `${dir}/fmt_${n}.ipynb`);
  for (const [i, n] of names.entries()) await Deno.copyFile(`notebooks/${n}.ipynb`, copies[i]!);
  const config = `${dir}/deno.fmt.json`;
  const { fmt } = JSON.parse(await Deno.readTextFile("deno.json"));
  await Deno.writeTextFile(config, JSON.stringify({ fmt: { ...fmt, exclude: [] } }));
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--config", config, ...copies],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  const changed: string[] = [];
  for (const [i, n] of names.entries()) {
    const before = await Deno.readTextFile(`notebooks/${n}.ipynb`);
    const after = await Deno.readTextFile(copies[i]!);
    if (before === after) continue;
    changed.push(n);
    if (write) await Deno.writeTextFile(`notebooks/${n}.ipynb`, after);
  }
  return changed;
}

async function fmt(names: string[]): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-nbfmt-" });
  try {
    const changed = await notFormatted(names, dir, true);
    console.log(
      changed.length === 0 ? "notebooks already formatted" : `formatted ${changed.join(", ")}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return 0;
}

async function clear(names: string[]): Promise<number> {
  for (const name of names) {
    const nb = await readNotebook(name);
    for (const c of nb.cells) {
      if (c.cell_type !== "code") continue;
      c.outputs = [];
      c.execution_count = null;
    }
    await Deno.writeTextFile(`notebooks/${name}.ipynb`, JSON.stringify(nb, null, 1) + "\n");
  }
  console.log(`cleared ${names.length} notebook(s)`);
  return await fmt(names);
}

/** Executes one notebook headlessly; returns the executed notebook's path. */
export async function executeNotebook(
  name: string,
  options: {
    jupyterBin: string;
    timeoutSeconds: number;
    env?: Record<string, string>;
    outDir?: string;
    /** Folder of the notebook. Default `notebooks`. */
    dir?: string;
  },
): Promise<{ ok: boolean; output: string; executed: string }> {
  const outDir = options.outDir ?? `${Deno.cwd()}/.evalkit/notebooks`;
  await Deno.mkdir(outDir, { recursive: true });
  const executed = `${outDir}/${name}.ipynb`;
  const { code, stdout, stderr } = await new Deno.Command(options.jupyterBin, {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${options.timeoutSeconds}`,
      "--output",
      executed,
      `${options.dir ?? "notebooks"}/${name}.ipynb`,
    ],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return { ok: code === 0, output, executed };
}

/** Registers the Deno kernel for this Deno executable (the kernelspec bakes in its path). */
export async function installKernel(): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno jupyter --install failed: ${new TextDecoder().decode(stderr)}`);
  }
}

async function run(names: string[], timeoutSeconds: number): Promise<number> {
  const bin = await ensurePythonEnv();
  await installKernel();
  let failures = 0;
  for (const name of names) {
    const started = performance.now();
    const r = await executeNotebook(name, { jupyterBin: `${bin}/jupyter`, timeoutSeconds });
    const s = ((performance.now() - started) / 1000).toFixed(1);
    if (r.ok) console.log(`ok   ${name} (${s} s) → ${r.executed}`);
    else {
      failures++;
      console.log(`FAIL ${name} (${s} s)\n${r.output.split("\n").slice(-40).join("\n")}`);
    }
  }
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, timeout: { type: "string", default: "600" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    Deno.exit(values.help ? 0 : 2);
  }
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) {
    console.error(`Expected --timeout to be a positive integer but found '${values.timeout}'`);
    Deno.exit(2);
  }
  let names: string[];
  try {
    names = await listNotebooks(rest);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    Deno.exit(2);
  }
  const commands: Record<string, () => Promise<number>> = {
    check: () => check(names),
    clear: () => clear(names),
    fmt: () => fmt(names),
    run: () => run(names, timeout),
  };
  const fn = commands[command];
  if (!fn) {
    console.error(`Unknown command '${command}'. Expected check, clear, fmt or run.\n\n${USAGE}`);
    Deno.exit(2);
  }
  Deno.exit(await fn());
}
