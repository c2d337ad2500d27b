/**
 * One-line progress text for a terminal progress bar.
 *
 * @module
 */
import type { RunProgress } from "./runner.ts";

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Formats progress as `[#####-----] 512/1000 51% 830 rows/s ETA 1s errors 2`, fitting `width`
 * columns. Scripts write it to stderr with `\r` on a TTY only; libraries never print.
 *
 * @example
 * ```ts
 * import { formatProgress } from "@evalkit/evalkit/evaluation";
 * const line = formatProgress({ done: 50, total: 100, errors: 1, retries: 0, elapsedMs: 1000, rowsPerSecond: 50, etaMs: 1000 });
 * if (!line.includes("50/100") || !line.includes("errors 1")) throw new Error("unexpected");
 * ```
 */
export function formatProgress(
  p: RunProgress & { trial?: number; trials?: number },
  width = 80,
): string {
  const pct = p.total > 0 ? p.done / p.total : 1;
  const trial = p.trials && p.trials > 1 ? ` trial ${p.trial}/${p.trials}` : "";
  const tail =
    ` ${p.done}/${p.total} ${Math.floor(pct * 100)}% ${p.rowsPerSecond.toFixed(0)} rows/s` +
    ` ETA ${p.etaMs !== undefined ? duration(p.etaMs) : "?"} errors ${p.errors}${trial}`;
  const barWidth = Math.max(10, Math.min(30, width - tail.length - 3));
  const filled = Math.round(pct * barWidth);
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]${tail}`;
}
