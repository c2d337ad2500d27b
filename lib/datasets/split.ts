/**
 * Reproducible train/test splits from the project's seeded generator.
 *
 * @module
 */
import { createRng } from "../_internal/rng.ts";
import type { Row } from "./types.ts";

/** Options for {@link splitRows}. */
export interface SplitOptions {
  /** Share of rows in the train part, in (0, 1). Default 0.8. */
  trainRatio?: number;
  /** Seed of the generator. Default 42. */
  seed?: number;
  /** Column whose classes keep their shares in both parts (e.g. `expected_outcome`). */
  stratifyBy?: string;
}

/** The two parts of a split, as row indices and rows (both in original order). */
export interface SplitResult {
  /** Row indices (0-based, ascending) in the train part. */
  trainIndices: number[];
  /** Row indices (0-based, ascending) in the test part. */
  testIndices: number[];
  /** Train rows. */
  train: Row[];
  /** Test rows. */
  test: Row[];
}

/**
 * Splits rows into train and test deterministically: the same rows, seed and options give the
 * same split on every machine (xoshiro128** seeded via splitmix32, never `Math.random`).
 * The train part has `round(n × trainRatio)` rows. When stratified, each class gets its quota
 * by largest remainder, so each class's count in each part is within one row of its exact
 * share. Rows keep their original order inside each part.
 *
 * @example
 * ```ts
 * import { splitRows } from "@evalkit/evalkit/datasets";
 * const rows = Array.from({ length: 10 }, (_, i) => ({ id: i, y: i < 4 ? "a" : "b" }));
 * const s = splitRows(rows, { trainRatio: 0.5, seed: 1, stratifyBy: "y" });
 * if (s.train.length !== 5 || s.train.filter((r) => r.y === "a").length !== 2) throw new Error("split");
 * ```
 */
export function splitRows(rows: readonly Row[], options: SplitOptions = {}): SplitResult {
  const ratio = options.trainRatio ?? 0.8;
  const seed = options.seed ?? 42;
  if (!(ratio > 0 && ratio < 1)) {
    throw new RangeError(`Expected trainRatio to be in (0, 1) but found ${ratio}`);
  }
  const rng = createRng(seed);
  const n = rows.length;
  const trainTotal = Math.round(n * ratio);
  const groups = new Map<string, number[]>();
  if (options.stratifyBy !== undefined) {
    const col = options.stratifyBy;
    for (let i = 0; i < n; i++) {
      const key = JSON.stringify(rows[i]![col] ?? null);
      let g = groups.get(key);
      if (!g) groups.set(key, g = []);
      g.push(i);
    }
  } else {
    groups.set("all", Array.from({ length: n }, (_, i) => i));
  }
  // Classes in a fixed order (sorted keys), quotas by largest remainder.
  const keys = [...groups.keys()].sort();
  const quotas = keys.map((k) => {
    const exact = groups.get(k)!.length * ratio;
    return { k, base: Math.floor(exact), frac: exact - Math.floor(exact) };
  });
  let remaining = trainTotal - quotas.reduce((a, q) => a + q.base, 0);
  const order = quotas.map((q, i) => ({ i, frac: q.frac })).sort((a, b) =>
    b.frac - a.frac || a.i - b.i
  );
  for (const o of order) {
    if (remaining <= 0) break;
    quotas[o.i]!.base++;
    remaining--;
  }
  const inTrain = new Uint8Array(n);
  quotas.forEach((q) => {
    const idx = rng.shuffle(groups.get(q.k)!.slice());
    for (let j = 0; j < q.base; j++) inTrain[idx[j]!] = 1;
  });
  const trainIndices: number[] = [], testIndices: number[] = [];
  for (let i = 0; i < n; i++) (inTrain[i] ? trainIndices : testIndices).push(i);
  return {
    trainIndices,
    testIndices,
    train: trainIndices.map((i) => rows[i]!),
    test: testIndices.map((i) => rows[i]!),
  };
}
