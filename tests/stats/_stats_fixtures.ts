/** Loads tests/fixtures/stats/classification_fixtures.json, turning "NaN" strings into NaN. */
export function loadStatsFixtures(): StatsFixtures {
  const url = new URL("../fixtures/stats/classification_fixtures.json", import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url), (_k, v) => (v === "NaN" ? NaN : v));
}

export interface ReportFixture {
  name: string;
  yTrue: string[];
  yPred: string[];
  labelsGiven: string[] | null;
  positiveLabel: string | null;
  labels: string[];
  confusionMatrix: number[][];
  accuracy: number;
  byZeroDivision: Record<"0" | "1" | "nan", Record<string, unknown>>;
}

export interface StatsFixtures {
  versions: Record<string, string>;
  classification: ReportFixture[];
  ranking: {
    name: string;
    yTrue: boolean[];
    scores: number[];
    rocAuc?: number;
    prAuc?: number;
    averagePrecision?: number;
  }[];
  tQuantiles: { df: number; p: number; q: number }[];
  meanStdCi: {
    values: number[];
    level: number;
    mean: number;
    std: number;
    ciLow: number;
    ciHigh: number;
    n: number;
  }[];
}

/** Asserts |actual − expected| ≤ tol (NaN equals NaN), with a readable path on failure. */
export function assertClose(actual: number, expected: number, tol: number, where: string): void {
  if (Number.isNaN(expected)) {
    if (!Number.isNaN(actual)) throw new Error(`${where}: expected NaN but found ${actual}`);
    return;
  }
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${where}: expected ${expected} but found ${actual} (tolerance ${tol})`);
  }
}

/**
 * Loads tests/fixtures/stats/drift_fixtures.json (SciPy/NumPy reference values written by
 * generate_drift_fixtures.py), keyed by function: ks_2samp, chisquare, psi_numeric, …
 */
export function loadDriftFixtures(): ReturnType<typeof JSON.parse> {
  const url = new URL("../fixtures/stats/drift_fixtures.json", import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url));
}
