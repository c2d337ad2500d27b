/**
 * Per-row comparison of two evaluations of the same dataset (improved / regressed / unchanged).
 *
 * @module
 */

/** The per-row facts a comparison needs. */
export interface ComparableRow {
  /** The row's id (e.g. `request_id`), or its index as a string. */
  id: string;
  /** Whether the prediction was correct; `null` when the row errored. */
  correct: boolean | null;
  /** The prediction (for display). */
  predicted?: string | null;
}

/** How one row changed. */
export type RowChange = "improved" | "regressed" | "unchanged" | "added" | "removed";

/** One row of a {@link RowDiff}. */
export interface RowDiffEntry {
  /** Row id. */
  id: string;
  /** What changed. */
  change: RowChange;
  /** Baseline prediction. */
  baselinePredicted?: string | null;
  /** Candidate prediction. */
  predicted?: string | null;
  /** Baseline correctness. */
  baselineCorrect?: boolean | null;
  /** Candidate correctness. */
  correct?: boolean | null;
}

/** The per-row diff. */
export interface RowDiff {
  /** Counts per change. */
  counts: Record<RowChange, number>;
  /** Rows that changed (improved, regressed, added, removed), in candidate order. */
  changed: RowDiffEntry[];
}

/**
 * Compares rows by id: a row is `improved` when it went from wrong or errored to correct,
 * `regressed` when it went from correct to wrong or errored, `unchanged` otherwise;
 * `added`/`removed` when the id is only in one side. With repeated trials pass one row per id
 * (e.g. the majority verdict).
 *
 * @example
 * ```ts
 * import { diffRows } from "@evalkit/evalkit/evaluation";
 * const d = diffRows(
 *   [{ id: "a", correct: true }, { id: "b", correct: false }],
 *   [{ id: "a", correct: false }, { id: "b", correct: false }],
 * );
 * if (d.counts.improved !== 1 || d.counts.unchanged !== 1) throw new Error("unexpected");
 * ```
 */
export function diffRows(
  candidate: readonly ComparableRow[],
  baseline: readonly ComparableRow[],
): RowDiff {
  const base = new Map<string, ComparableRow>();
  for (const r of baseline) base.set(r.id, r);
  const counts: Record<RowChange, number> = {
    improved: 0,
    regressed: 0,
    unchanged: 0,
    added: 0,
    removed: 0,
  };
  const changed: RowDiffEntry[] = [];
  const seen = new Set<string>();
  for (const r of candidate) {
    seen.add(r.id);
    const b = base.get(r.id);
    if (!b) {
      counts.added++;
      changed.push({
        id: r.id,
        change: "added",
        predicted: r.predicted ?? null,
        correct: r.correct,
      });
      continue;
    }
    const now = r.correct === true, before = b.correct === true;
    const change: RowChange = now === before ? "unchanged" : now ? "improved" : "regressed";
    counts[change]++;
    if (change !== "unchanged") {
      changed.push({
        id: r.id,
        change,
        baselinePredicted: b.predicted ?? null,
        predicted: r.predicted ?? null,
        baselineCorrect: b.correct,
        correct: r.correct,
      });
    }
  }
  for (const b of baseline) {
    if (!seen.has(b.id)) {
      counts.removed++;
      changed.push({
        id: b.id,
        change: "removed",
        baselinePredicted: b.predicted ?? null,
        baselineCorrect: b.correct,
      });
    }
  }
  return { counts, changed };
}

/**
 * One row per id, for a comparison of repeated trials: correct when most trials were correct
 * (ties count as wrong), with the first trial's prediction.
 *
 * @example
 * ```ts
 * import { majorityRows } from "@evalkit/evalkit/evaluation";
 * const rows = majorityRows([{ id: "a", correct: true }, { id: "a", correct: false }]);
 * if (rows[0]?.correct !== false) throw new Error("unexpected");
 * ```
 */
export function majorityRows(rows: Iterable<ComparableRow>): ComparableRow[] {
  const acc = new Map<string, { ok: number; n: number; predicted: string | null }>();
  for (const r of rows) {
    const a = acc.get(r.id) ?? { ok: 0, n: 0, predicted: r.predicted ?? null };
    a.n++;
    if (r.correct === true) a.ok++;
    acc.set(r.id, a);
  }
  return [...acc].map(([id, a]) => ({ id, correct: a.ok * 2 > a.n, predicted: a.predicted }));
}
