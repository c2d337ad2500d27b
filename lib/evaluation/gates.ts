/**
 * Quality gates: absolute thresholds and comparison with a baseline run, with MLflow's
 * `MetricThreshold` meaning, plus an allowed regression for "no worse than baseline by X".
 *
 * @module
 */

/**
 * A gate on one metric. `threshold`, `minAbsoluteChange`, `minRelativeChange` and
 * `greaterIsBetter` mean exactly what they mean in `mlflow.models.MetricThreshold`:
 * - `threshold`: the value must be ≥ it (≤ when lower is better);
 * - `minAbsoluteChange` (> 0): the value must beat the baseline by at least this much;
 * - `minRelativeChange` (0..1): … by at least this share of |baseline| (when the baseline is 0,
 *   by 1e-10).
 *
 * `maxRegression` / `maxRelativeRegression` are evalkit's allowance the other way: the value
 * may be worse than the baseline by at most this much (absolute, or share of |baseline|).
 */
export interface MetricThreshold {
  /** Absolute bound. */
  threshold?: number;
  /** Required improvement over the baseline (absolute, > 0). */
  minAbsoluteChange?: number;
  /** Required improvement over the baseline (share of |baseline|, 0..1). */
  minRelativeChange?: number;
  /** Allowed regression against the baseline (absolute, ≥ 0). */
  maxRegression?: number;
  /** Allowed regression against the baseline (share of |baseline|, ≥ 0). */
  maxRelativeRegression?: number;
  /** Whether a greater value is better. */
  greaterIsBetter: boolean;
}

/** The result of one check. */
export interface GateCheck {
  /** Metric name. */
  metric: string;
  /** Which bound was checked. */
  kind:
    | "threshold"
    | "min_absolute_change"
    | "min_relative_change"
    | "max_regression"
    | "max_relative_regression"
    | "missing_candidate"
    | "missing_baseline";
  /** Whether it passed. */
  passed: boolean;
  /** The candidate value (NaN when missing). */
  value: number;
  /** The baseline value, for baseline checks. */
  baseline?: number;
  /** The bound the value was compared with. */
  bound?: number;
  /** A sentence for humans. */
  message: string;
}

/** All checks of a gate. */
export interface GateResult {
  /** Whether every check passed. */
  passed: boolean;
  /** Every check, in the order the thresholds were given. */
  checks: GateCheck[];
  /** The failed checks. */
  failures: GateCheck[];
}

const LOWER_IS_BETTER =
  /(latency|_ms$|wall_time|error|cost|tokens|false_positives|false_negatives|duration|log_loss)/;

/**
 * Whether greater is better for a metric, from its name: latency, error, cost, token, false
 * positive/negative and loss metrics are lower-is-better; everything else greater-is-better.
 *
 * @example
 * ```ts
 * import { greaterIsBetter } from "@evalkit/evalkit/evaluation";
 * if (!greaterIsBetter("f1_score") || greaterIsBetter("latency_p99_ms")) throw new Error("unexpected");
 * ```
 */
export function greaterIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.test(metric);
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

/**
 * Checks candidate metrics against thresholds and, for relative bounds, a baseline's metrics.
 * A metric missing from the candidate fails; a missing baseline fails the relative checks
 * (as `mlflow.validate_evaluation_results`).
 *
 * @example
 * ```ts
 * import { validateMetrics } from "@evalkit/evalkit/evaluation";
 * const r = validateMetrics(
 *   { accuracy_score: 0.88, f1_score: 0.80 },
 *   { accuracy_score: { threshold: 0.9, greaterIsBetter: true }, f1_score: { maxRegression: 0.02, greaterIsBetter: true } },
 *   { f1_score: 0.85 },
 * );
 * if (r.passed || r.failures.length !== 2) throw new Error("unexpected");
 * ```
 */
export function validateMetrics(
  candidate: Readonly<Record<string, number>>,
  thresholds: Readonly<Record<string, MetricThreshold>>,
  baseline?: Readonly<Record<string, number>>,
): GateResult {
  const checks: GateCheck[] = [];
  for (const [metric, t] of Object.entries(thresholds)) {
    const value = candidate[metric];
    const gib = t.greaterIsBetter;
    const better = (a: number, b: number) => (gib ? a >= b : a <= b);
    const dir = gib ? ">=" : "<=";
    if (value === undefined || Number.isNaN(value)) {
      checks.push({
        metric,
        kind: "missing_candidate",
        passed: false,
        value: NaN,
        message: `${metric} is missing from the candidate's metrics`,
      });
      continue;
    }
    if (t.threshold !== undefined) {
      const passed = better(value, t.threshold);
      checks.push({
        metric,
        kind: "threshold",
        passed,
        value,
        bound: t.threshold,
        message: `${metric} = ${fmt(value)}, required ${dir} ${fmt(t.threshold)}`,
      });
    }
    const relative: [GateCheck["kind"], number | undefined][] = [
      ["min_absolute_change", t.minAbsoluteChange],
      ["min_relative_change", t.minRelativeChange],
      ["max_regression", t.maxRegression],
      ["max_relative_regression", t.maxRelativeRegression],
    ];
    for (const [kind, amount] of relative) {
      if (amount === undefined) continue;
      const base = baseline?.[metric];
      if (base === undefined || Number.isNaN(base)) {
        checks.push({
          metric,
          kind: "missing_baseline",
          passed: false,
          value,
          message: `${metric}: no baseline value to compare with (${kind})`,
        });
        continue;
      }
      const sign = gib ? 1 : -1;
      let bound: number;
      let what: string;
      if (kind === "min_absolute_change") {
        bound = base + sign * amount;
        what = `an improvement of at least ${fmt(amount)} over the baseline ${fmt(base)}`;
      } else if (kind === "min_relative_change") {
        bound = base === 0 ? base + sign * 1e-10 : base + sign * amount * Math.abs(base);
        what = `an improvement of at least ${fmt(amount * 100)}% over the baseline ${fmt(base)}`;
      } else if (kind === "max_regression") {
        bound = base - sign * amount;
        what = `at most ${fmt(amount)} worse than the baseline ${fmt(base)}`;
      } else {
        bound = base - sign * amount * Math.abs(base);
        what = `at most ${fmt(amount * 100)}% worse than the baseline ${fmt(base)}`;
      }
      const passed = better(value, bound);
      checks.push({
        metric,
        kind,
        passed,
        value,
        baseline: base,
        bound,
        message: `${metric} = ${fmt(value)}, required ${what} (${dir} ${fmt(bound)}; change ${
          value - base >= 0 ? "+" : ""
        }${fmt(value - base)})`,
      });
    }
  }
  const failures = checks.filter((c) => !c.passed);
  return { passed: failures.length === 0, checks, failures };
}

function parsePairs(specs: readonly string[], flag: string): [string, string][] {
  const out: [string, string][] = [];
  for (const spec of specs) {
    for (const part of spec.split(",")) {
      const s = part.trim();
      if (s === "") continue;
      const eq = s.lastIndexOf("=");
      if (eq <= 0 || eq === s.length - 1) {
        throw new TypeError(
          `Expected ${flag} as metric=value (e.g. ${flag} accuracy_score=0.9) but found '${s}'`,
        );
      }
      out.push([s.slice(0, eq).trim(), s.slice(eq + 1).trim()]);
    }
  }
  return out;
}

function parseNumber(text: string, flag: string, metric: string): number {
  const v = Number(text);
  if (text === "" || !Number.isFinite(v)) {
    throw new TypeError(`Expected a number for ${flag} ${metric} but found '${text}'`);
  }
  return v;
}

/** The gate flags of `deno task evaluate`, each a list of `metric=value`. */
export interface GateFlags {
  /** `--fail-under metric=value`: the metric must be ≥ value. */
  failUnder?: readonly string[];
  /** `--max metric=value`: the metric must be ≤ value. */
  max?: readonly string[];
  /** `--max-regression metric=value` (absolute) or `metric=value%` (relative to the baseline). */
  maxRegression?: readonly string[];
  /** `--min-improvement metric=value` (absolute) or `metric=value%` (MLflow's min changes). */
  minImprovement?: readonly string[];
}

/**
 * Turns gate flags into {@link MetricThreshold}s. Throws `TypeError` with a usage message on a
 * malformed flag.
 *
 * @example
 * ```ts
 * import { parseGateFlags } from "@evalkit/evalkit/evaluation";
 * const t = parseGateFlags({ failUnder: ["accuracy_score=0.9"], max: ["latency_p99_ms=500"], maxRegression: ["f1_score=2%"] });
 * if (t.f1_score?.maxRelativeRegression !== 0.02 || t.latency_p99_ms?.greaterIsBetter !== false) throw new Error("unexpected");
 * ```
 */
export function parseGateFlags(flags: GateFlags): Record<string, MetricThreshold> {
  const out: Record<string, MetricThreshold> = {};
  const get = (m: string, gib: boolean) => (out[m] ??= { greaterIsBetter: gib });
  for (const [m, v] of parsePairs(flags.failUnder ?? [], "--fail-under")) {
    get(m, true).threshold = parseNumber(v, "--fail-under", m);
  }
  for (const [m, v] of parsePairs(flags.max ?? [], "--max")) {
    const t = get(m, false);
    t.greaterIsBetter = false;
    t.threshold = parseNumber(v, "--max", m);
  }
  for (
    const [flag, list, abs, rel] of [
      ["--max-regression", flags.maxRegression, "maxRegression", "maxRelativeRegression"],
      ["--min-improvement", flags.minImprovement, "minAbsoluteChange", "minRelativeChange"],
    ] as const
  ) {
    for (const [m, v] of parsePairs(list ?? [], flag)) {
      const t = get(m, greaterIsBetter(m));
      if (v.endsWith("%")) {
        const x = parseNumber(v.slice(0, -1), flag, m) / 100;
        if (x < 0) throw new TypeError(`Expected ${flag} ${m} to be >= 0 but found '${v}'`);
        t[rel] = x;
      } else {
        const x = parseNumber(v, flag, m);
        if (x < 0) throw new TypeError(`Expected ${flag} ${m} to be >= 0 but found '${v}'`);
        t[abs] = x;
      }
    }
  }
  return out;
}

/**
 * The gate's verdict as a few lines for a terminal or CI log.
 *
 * @example
 * ```ts
 * import { formatGateResult, validateMetrics } from "@evalkit/evalkit/evaluation";
 * const text = formatGateResult(validateMetrics({ a: 1 }, { a: { threshold: 2, greaterIsBetter: true } }));
 * if (!text.startsWith("Quality gate FAILED")) throw new Error("unexpected");
 * ```
 */
export function formatGateResult(result: GateResult): string {
  if (result.checks.length === 0) return "No quality gate configured.";
  const head = result.passed
    ? `Quality gate passed (${result.checks.length} checks).`
    : `Quality gate FAILED: ${result.failures.length} of ${result.checks.length} checks failed.`;
  return [head, ...result.checks.map((c) => `  ${c.passed ? "ok  " : "FAIL"} ${c.message}`)].join(
    "\n",
  );
}
