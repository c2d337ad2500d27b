/**
 * Creates or reuses the project's Python virtual environment (.venv) with the packages
 * pinned in requirements.txt. A stamp holding the requirements' SHA-256 makes reruns instant.
 */
import { readEnv } from "../lib/_internal/env.ts";

const VENV = ".venv";
const STAMP = `${VENV}/.evalkit-requirements.sha256`;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function run(cmd: string, args: string[]): Promise<void> {
  const { code } = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) throw new Error(`'${cmd} ${args.join(" ")}' failed with exit code ${code}`);
}

/**
 * `pip install -r requirements.txt` with a progress line instead of pip's hundreds of lines
 * (or, before, none at all for two minutes): the packages collected so far and the one being
 * fetched, rewritten in place on a terminal, every 20 packages otherwise; then the install step.
 */
async function pipWithProgress(python: string): Promise<void> {
  const started = performance.now();
  const child = new Deno.Command(python, {
    args: [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      "--progress-bar",
      "off",
      "-r",
      "requirements.txt",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  const say = (line: string) => {
    if (tty) Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${line}`));
    else console.error(line);
  };
  let collected = 0, buffered = "";
  const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^Collecting (\S+)/.exec(line);
      if (m) {
        collected++;
        if (tty || collected % 20 === 1) {
          say(`  resolving and downloading: ${collected} packages (${m[1]}) · ${seconds()} s`);
        }
      } else if (/^Installing collected packages/.test(line)) {
        say(`  installing ${collected} packages · ${seconds()} s`);
      }
    }
  }
  const { code } = await child.status;
  if (tty) Deno.stderr.writeSync(enc.encode("\n"));
  if (code !== 0) {
    throw new Error(`'pip install -r requirements.txt' failed with exit code ${code}`);
  }
  console.error(`  ${collected} packages in ${seconds()} s`);
}

/** Ensures .venv exists and matches requirements.txt; returns the path of its `bin/` folder. */
export async function ensurePythonEnv(options: { quiet?: boolean } = {}): Promise<string> {
  const requirements = await Deno.readTextFile("requirements.txt");
  const want = await sha256Hex(requirements);
  const have = await Deno.readTextFile(STAMP).catch(() => "");
  const bin = `${Deno.cwd()}/${VENV}/bin`;
  if (have.trim() === want) return bin;
  const python = readEnv("EVALKIT_PYTHON") ?? "python3";
  if (!options.quiet) console.error(`Setting up ${VENV} (Python packages from requirements.txt)…`);
  try {
    await Deno.stat(`${bin}/python`);
  } catch {
    await run(python, ["-m", "venv", VENV]);
  }
  if (options.quiet) {
    await run(`${bin}/python`, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      "requirements.txt",
    ]);
  } else {
    await pipWithProgress(`${bin}/python`);
  }
  await Deno.writeTextFile(STAMP, want + "\n");
  if (!options.quiet) console.error(`${VENV} is ready.`);
  return bin;
}
