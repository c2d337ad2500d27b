/**
 * Live progress for notebooks: one display updated in place.
 *
 * @module
 */
import { jupyterKernel } from "./_kernel.ts";
import { escapeHtml } from "../report/format.ts";

/** The progress fields read (an evaluation's `EvaluationProgress` fits). */
export interface ProgressLike {
  /** Rows finished. */
  done: number;
  /** Rows in total. */
  total: number;
  /** Rows that failed. */
  errors: number;
  /** Rows per second so far. */
  rowsPerSecond: number;
  /** Milliseconds since the start. */
  elapsedMs: number;
  /** Estimated milliseconds left. */
  etaMs?: number;
  /** Current trial (1-based). */
  trial?: number;
  /** Trials in total. */
  trials?: number;
}

/** Options of {@link notebookProgress}. */
export interface NotebookProgressOptions {
  /** Text before the bar. Default `Evaluating`. */
  label?: string;
}

/** The callback {@link notebookProgress} returns, plus a way to wait for the last update. */
export interface NotebookProgress {
  /** Pass as `onProgress`. */
  (progress: ProgressLike): void;
  /** Whether a Jupyter kernel is showing the progress (false outside `deno jupyter`). */
  readonly live: boolean;
  /** Resolves once every update sent so far has been handed to the kernel. */
  settled(): Promise<void>;
}

function line(label: string, p: ProgressLike): string {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const trial = p.trials && p.trials > 1 ? ` · trial ${p.trial}/${p.trials}` : "";
  const eta = p.etaMs !== undefined ? ` · ETA ${(p.etaMs / 1000).toFixed(1)} s` : "";
  return `${label}: ${p.done}/${p.total} (${pct}%) · ${
    p.rowsPerSecond.toFixed(0)
  } rows/s · errors ${p.errors}${eta}${trial}`;
}

/**
 * An `onProgress` callback that shows one progress bar in the notebook cell and updates it
 * in place (`Deno.jupyter.display` with a `display_id`). Outside the Deno kernel it does
 * nothing, so the same code runs in scripts and tests. Await `settled()` at the end of the
 * cell so the last update reaches the notebook.
 *
 * @example
 * ```ts
 * import { notebookProgress } from "@evalkit/evalkit/notebook";
 * const progress = notebookProgress({ label: "Evaluating" });
 * progress({ done: 1, total: 2, errors: 0, rowsPerSecond: 10, elapsedMs: 100 }); // no-op here
 * await progress.settled();
 * if (progress.live) throw new Error("not in a notebook");
 * ```
 */
export function notebookProgress(options: NotebookProgressOptions = {}): NotebookProgress {
  const kernel = jupyterKernel();
  const label = options.label ?? "Evaluating";
  const id = `evalkit-progress-${crypto.randomUUID()}`;
  let chain: Promise<void> = Promise.resolve();
  let shown = false;
  const fn = (p: ProgressLike) => {
    if (!kernel) return;
    const text = line(label, p);
    const bundle = {
      "text/plain": text,
      "text/html": `<div class="evalkit-progress"><progress value="${p.done}" max="${
        Math.max(1, p.total)
      }" style="width:320px"></progress> <span>${escapeHtml(text)}</span></div>`,
    };
    const update = shown;
    shown = true;
    chain = chain.then(() =>
      kernel.display(bundle, { raw: true, display_id: id, update }).catch(() => {})
    );
  };
  return Object.assign(fn, {
    live: kernel !== undefined,
    settled: () => chain,
  });
}
