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
  await run(`${bin}/python`, [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "-r",
    "requirements.txt",
  ]);
  await Deno.writeTextFile(STAMP, want + "\n");
  if (!options.quiet) console.error(`${VENV} is ready.`);
  return bin;
}
