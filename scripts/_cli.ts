/**
 * What the CLIs in scripts/ share: the usage error (exit 2), flag parsing (`--tags k=v[,k=v]`,
 * integers, numbers) and `runCli`, which maps errors to exit codes.
 */
import { DatasetError, formatIssue } from "../lib/_internal/errors.ts";

/** A usage problem: the CLIs print it and exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Something holding runs that Ctrl-C should end KILLED (an `AgentTracker` fits). */
export interface RunHolder {
  /** The runs not ended yet. */
  readonly openRuns: readonly { end(status: "KILLED"): Promise<unknown> }[];
}

/**
 * The CLIs' opt-in Ctrl-C handling (the library installs none, so a notebook kernel is never
 * exited): on SIGINT, the open runs of `holders()` end KILLED (each `end()` waits for delivery
 * as usual) and the process exits 130. With `graceful`, the first Ctrl-C only aborts the
 * returned `signal` (the caller records partial results and ends its run KILLED itself) and a
 * second one ends the runs and exits. Dispose the result to remove the listener.
 */
export function endRunsOnInterrupt(
  holders: () => readonly RunHolder[],
  options: { graceful?: boolean; onFirst?: () => void } = {},
): Disposable & { readonly signal: AbortSignal } {
  const controller = new AbortController();
  let interrupts = 0;
  const endAll = () => {
    const runs = holders().flatMap((h) => h.openRuns);
    Promise.allSettled(runs.map((r) => r.end("KILLED"))).finally(() => Deno.exit(130));
  };
  const listener = () => {
    interrupts++;
    if (options.graceful && interrupts === 1) {
      options.onFirst?.();
      controller.abort(new DOMException("interrupted (Ctrl-C)", "AbortError"));
    } else endAll();
  };
  let installed = false;
  try {
    Deno.addSignalListener("SIGINT", listener);
    installed = true;
  } catch {
    // signals unsupported (Windows without a console): Ctrl-C just ends the process
  }
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      if (!installed) return;
      installed = false;
      Deno.removeSignalListener("SIGINT", listener);
    },
  };
}

/** Parses repeated `--tags key=value[,key=value]` flags; a pair without `=` is a UsageError. */
export function parseTags(list: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of list) {
    for (const pair of item.split(",")) {
      if (pair.trim() === "") continue;
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`Expected --tags as key=value but found '${pair}'`);
      tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return tags;
}

/** Parses an integer flag (>= min); undefined when absent. */
export function intFlag(
  v: string | undefined,
  name: string,
  min: number,
  max?: number,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(
      max === undefined
        ? `Expected --${name} to be an integer >= ${min} but found '${v}'`
        : `Expected --${name} to be an integer in ${min}..${max} but found '${v}'`,
    );
  }
  return n;
}

/** Parses a number flag (> 0); undefined when absent. */
export function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`Expected --${name} to be a number > 0 but found '${v}'`);
  }
  return n;
}

/**
 * Runs a CLI's `main` and exits with its code: a bad-usage or bad-input error (UsageError, the
 * library's TypeError/RangeError, DatasetError with its first issues, ShardError) prints its
 * message and exits 2; anything else is unexpected (exit 1).
 */
export async function runCli(
  name: string,
  main: (args: string[]) => Promise<number>,
): Promise<never> {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    code = reportError(name, e);
  }
  Deno.exit(code);
}

/** Prints an error of a CLI and returns its exit code (2 bad usage or input, 1 unexpected). */
export function reportError(name: string, e: unknown): number {
  const err = e as Error;
  if (e instanceof DatasetError) {
    console.error(`${name}: ${err.message.split("\n")[0]}`);
    for (const issue of e.issues.slice(0, 10)) console.error(`  ${formatIssue(issue)}`);
    return 2;
  }
  if (e instanceof UsageError) {
    console.error(`${name}: ${err.message}\nRun 'deno task ${name} --help' for usage.`);
    return 2;
  }
  // ShardError by name: importing lib/evaluation here would load it into every CLI
  if (err?.name === "ShardError" || e instanceof TypeError || e instanceof RangeError) {
    console.error(`${name}: ${err.message}`);
    return 2;
  }
  console.error(`${name}: unexpected error: ${err?.stack ?? e}`);
  return 1;
}
