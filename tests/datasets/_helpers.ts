/** Shared helpers for the datasets tests. */
import { join } from "node:path";

/** The repository root. */
export const ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** The malformed-input corpus. */
export const MALFORMED: string = join(ROOT, "tests/fixtures/datasets/malformed");

/** Runs `scripts/datasets.ts` with arguments; returns exit code, stdout and stderr. */
export async function cli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "scripts/datasets.ts"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every file under a folder with its size and modification time (a tree "fingerprint"). */
export async function snapshotTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const st = await Deno.lstat(p);
      out.push(`${p.slice(dir.length)} ${e.isDirectory ? "dir" : st.size} ${st.mtime?.getTime()}`);
      if (e.isDirectory) await walk(p);
    }
  }
  await walk(dir);
  return out.sort();
}

/** A temporary folder removed by `await using`. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "evalkit-datasets-" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
