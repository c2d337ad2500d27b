/**
 * `deno task build`: writes the job artifact for Databricks (and any machine with Deno).
 *
 * - always `dist/evaluate.js`: `deno bundle --platform deno` of `scripts/evaluate.ts`
 *   (one file, npm packages inlined; run it with `deno run -A dist/evaluate.js`);
 * - `dist/evaluate`: a `deno compile` binary, only when a Deno runtime for compiling is
 *   available (`DENORT_BIN` set, the runtime already cached, or dl.deno.land reachable);
 *   otherwise it says that it skipped compiling and why;
 * - `dist/build-info.json`: what was built, sizes, SHA-256, Deno version.
 *
 * Exit codes: 0 built (compile skipped is not an error), 1 bundling or compiling failed,
 * 2 bad usage.
 *
 * @module
 */
import { parseArgs } from "node:util";

const USAGE = `Usage: deno task build [options]

Writes dist/evaluate.js (deno bundle of scripts/evaluate.ts) and, when a Deno runtime for
compiling is available (DENORT_BIN, a cached runtime, or internet), dist/evaluate (deno compile).

Options
  --entry <file>     script to build                       [scripts/evaluate.ts]
  --out-dir <dir>    output folder                         [dist]
  --no-compile       only bundle
  --json             print one JSON document describing the build
  -h, --help         this help

Example
  deno task build && deno run -A dist/evaluate.js --help`;

interface Artifact {
  path: string;
  bytes: number;
  sha256: string;
}

interface BuildInfo {
  entry: string;
  deno: string;
  bundle: Artifact;
  compiled?: Artifact;
  compileSkipped?: string;
}

async function sha256(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function artifact(path: string): Promise<Artifact> {
  return { path, bytes: (await Deno.stat(path)).size, sha256: await sha256(path) };
}

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text };
}

function denortTarget(): string {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  switch (Deno.build.os) {
    case "darwin":
      return `${arch}-apple-darwin`;
    case "windows":
      return `${arch}-pc-windows-msvc`;
    default:
      return `${arch}-unknown-linux-gnu`;
  }
}

function denoDir(): string | undefined {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME");
  if (!home) return undefined;
  return Deno.build.os === "darwin"
    ? `${home}/Library/Caches/deno`
    : `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/deno`;
}

/** Why compiling is not possible here, or undefined when it is. */
async function compileBlocker(): Promise<string | undefined> {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      await Deno.stat(denort);
      return undefined;
    } catch {
      return `DENORT_BIN is set to '${denort}', which does not exist`;
    }
  }
  const version = Deno.version.deno;
  const zip = `denort-${denortTarget()}.zip`;
  const dir = denoDir();
  if (dir) {
    try {
      await Deno.stat(`${dir}/dl/release/v${version}/${zip}`);
      return undefined; // cached by an earlier compile
    } catch {
      // not cached
    }
  }
  const url = `https://dl.deno.land/release/v${version}/${zip}`;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    if (res.ok) return undefined;
    return `the Deno runtime ${url} answered HTTP ${res.status}`;
  } catch (err) {
    return `DENORT_BIN is not set and the Deno runtime cannot be downloaded from ${url} (${
      err instanceof Error ? err.message.split("\n")[0] : String(err)
    })`;
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        entry: { type: "string", default: "scripts/evaluate.ts" },
        "out-dir": { type: "string", default: "dist" },
        "no-compile": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const entry = values.entry!;
  const outDir = values["out-dir"]!.replace(/\/+$/, "");
  try {
    await Deno.stat(entry);
  } catch {
    console.error(`Entry ${entry} does not exist.`);
    return 2;
  }
  await Deno.mkdir(outDir, { recursive: true });
  const bundlePath = `${outDir}/evaluate.js`;
  const started = performance.now();
  const bundled = await run(["bundle", "--platform", "deno", "-o", bundlePath, entry]);
  if (bundled.code !== 0) {
    console.error(`deno bundle failed:\n${bundled.output}`);
    return 1;
  }
  // The bundle must run: `--help` exits 0 without touching MLflow.
  const smoke = await run(["run", "-A", bundlePath, "--help"]);
  if (smoke.code !== 0 || !smoke.output.includes("Usage:")) {
    console.error(
      `The bundle ${bundlePath} does not run (exit ${smoke.code}):\n${smoke.output.slice(0, 2000)}`,
    );
    return 1;
  }
  const info: BuildInfo = { entry, deno: Deno.version.deno, bundle: await artifact(bundlePath) };
  console.error(
    `bundled ${entry} → ${bundlePath} (${(info.bundle.bytes / 1024).toFixed(0)} KiB) in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );

  const binPath = `${outDir}/evaluate${Deno.build.os === "windows" ? ".exe" : ""}`;
  const blocker = values["no-compile"] ? "--no-compile was given" : await compileBlocker();
  if (blocker) {
    info.compileSkipped = blocker;
    console.error(`skipped deno compile: ${blocker}. Use the bundle: deno run -A ${bundlePath}`);
  } else {
    const compiled = await run(["compile", "-A", "--output", binPath, entry]);
    if (compiled.code !== 0) {
      for await (const e of Deno.readDir(outDir)) {
        if (e.name.startsWith("evaluate.tmp-")) {
          await Deno.remove(`${outDir}/${e.name}`).catch(() => {});
        }
      }
      console.error(
        `deno compile failed (exit ${compiled.code}):\n${compiled.output.slice(-3000)}`,
      );
      return 1;
    }
    // DENORT_BIN pointing at a full `deno` gives a binary that ignores the embedded program.
    const check = await new Deno.Command(binPath, {
      args: ["--help"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(check.stdout);
    if (!text.includes("Usage: deno task evaluate") && entry.endsWith("evaluate.ts")) {
      await Deno.remove(binPath).catch(() => {});
      info.compileSkipped =
        `the compiled binary did not run the embedded program (is DENORT_BIN a denort runtime, not a full deno?)`;
      console.error(`removed ${binPath}: ${info.compileSkipped}`);
    } else {
      info.compiled = await artifact(binPath);
      console.error(
        `compiled ${entry} → ${binPath} (${(info.compiled.bytes / 1048576).toFixed(0)} MiB)`,
      );
    }
  }
  await Deno.writeTextFile(`${outDir}/build-info.json`, JSON.stringify(info, null, 2) + "\n");
  if (values.json) console.log(JSON.stringify(info));
  return 0;
}

Deno.exit(await main());
