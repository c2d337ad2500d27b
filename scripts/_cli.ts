/** What the CLIs in scripts/ share: the usage error (exit 2) and `--tags k=v[,k=v]` parsing. */

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
