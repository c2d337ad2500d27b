/** Shared helpers for the tracking tests (not a test file). */
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import type { TrackingClient } from "../../lib/tracking/mod.ts";

/** A client for `uri`, typed as the tracker's client. */
export function clientFor(uri: string): MlflowClient {
  return new MlflowClient({ trackingUri: uri, retry: { maxRetries: 2, totalBudgetMs: 10_000 } });
}

/** The same client seen as the tracker's structural client type. */
export function asTracking(client: MlflowClient): TrackingClient {
  return client;
}

/** A fresh EVALKIT_HOME-like folder; its store is `${home}/store`. */
export async function tempHome(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "evalkit-tracking-" });
}

/** Runs a Deno script in a child process and returns its exit code and output. */
export async function runScript(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
