import assert from "node:assert/strict";
import {
  formatGateResult,
  greaterIsBetter,
  parseGateFlags,
  validateMetrics,
} from "../../lib/evaluation/mod.ts";

Deno.test("validateMetrics() follows MLflow's MetricThreshold rules", async (t) => {
  const cases: [
    string,
    Record<string, number>,
    Parameters<typeof validateMetrics>[1],
    Record<string, number> | undefined,
    boolean,
  ][] = [
    [
      "threshold, greater is better: equal passes",
      { a: 0.9 },
      { a: { threshold: 0.9, greaterIsBetter: true } },
      undefined,
      true,
    ],
    [
      "threshold, greater is better: below fails",
      { a: 0.89 },
      { a: { threshold: 0.9, greaterIsBetter: true } },
      undefined,
      false,
    ],
    [
      "threshold, lower is better: above fails",
      { l: 501 },
      { l: { threshold: 500, greaterIsBetter: false } },
      undefined,
      false,
    ],
    [
      "min_absolute_change needs baseline + change",
      { a: 0.86 },
      { a: { minAbsoluteChange: 0.05, greaterIsBetter: true } },
      { a: 0.8 },
      true,
    ],
    [
      "min_absolute_change fails short of it",
      { a: 0.84 },
      { a: { minAbsoluteChange: 0.05, greaterIsBetter: true } },
      { a: 0.8 },
      false,
    ],
    [
      "min_relative_change uses |baseline|",
      { r: -0.45 },
      { r: { minRelativeChange: 0.1, greaterIsBetter: true } },
      { r: -0.5 },
      true,
    ],
    [
      "min_relative_change with a zero baseline needs a strict improvement",
      { a: 0 },
      { a: { minRelativeChange: 0.1, greaterIsBetter: true } },
      { a: 0 },
      false,
    ],
    [
      "lower is better: min_absolute_change subtracts",
      { l: 90 },
      { l: { minAbsoluteChange: 10, greaterIsBetter: false } },
      { l: 100 },
      true,
    ],
    [
      "max_regression allows a small drop",
      { f: 0.81 },
      { f: { maxRegression: 0.02, greaterIsBetter: true } },
      { f: 0.82 },
      true,
    ],
    [
      "max_regression fails a larger drop",
      { f: 0.79 },
      { f: { maxRegression: 0.02, greaterIsBetter: true } },
      { f: 0.82 },
      false,
    ],
    [
      "max_relative_regression on a lower-is-better metric",
      { l: 109 },
      { l: { maxRelativeRegression: 0.1, greaterIsBetter: false } },
      { l: 100 },
      true,
    ],
    [
      "a metric missing from the candidate fails",
      {},
      { a: { threshold: 0, greaterIsBetter: true } },
      undefined,
      false,
    ],
    [
      "a relative bound without a baseline fails",
      { a: 1 },
      { a: { maxRegression: 0.1, greaterIsBetter: true } },
      undefined,
      false,
    ],
  ];
  for (const [name, cand, th, base, passed] of cases) {
    await t.step(name, () => assert.equal(validateMetrics(cand, th, base).passed, passed));
  }
});

Deno.test("a failed gate explains itself in one line per check", () => {
  const r = validateMetrics(
    { accuracy_score: 0.88, latency_p99_ms: 120 },
    {
      accuracy_score: { threshold: 0.9, greaterIsBetter: true },
      latency_p99_ms: { threshold: 500, greaterIsBetter: false },
    },
  );
  assert.equal(
    formatGateResult(r),
    [
      "Quality gate FAILED: 1 of 2 checks failed.",
      "  FAIL accuracy_score = 0.88, required >= 0.9",
      "  ok   latency_p99_ms = 120, required <= 500",
    ].join("\n"),
  );
});

Deno.test("parseGateFlags() reads --fail-under, --max and --max-regression", () => {
  const t = parseGateFlags({
    failUnder: ["accuracy_score=0.9,f1_score=0.8"],
    max: ["latency_p99_ms=500"],
    maxRegression: ["f1_score=0.02", "error_rate=10%"],
  });
  assert.deepEqual(t, {
    accuracy_score: { greaterIsBetter: true, threshold: 0.9 },
    f1_score: { greaterIsBetter: true, threshold: 0.8, maxRegression: 0.02 },
    latency_p99_ms: { greaterIsBetter: false, threshold: 500 },
    error_rate: { greaterIsBetter: false, maxRelativeRegression: 0.1 },
  });
});

Deno.test("parseGateFlags() rejects malformed flags with a usage message", async (t) => {
  for (
    const [flags, message] of [
      [{ failUnder: ["accuracy_score"] }, /Expected --fail-under as metric=value/],
      [
        { max: ["latency_p99_ms=fast"] },
        /Expected a number for --max latency_p99_ms but found 'fast'/,
      ],
      [{ maxRegression: ["f1_score=-1"] }, /Expected --max-regression f1_score to be >= 0/],
    ] as const
  ) {
    await t.step(
      String(message),
      () => assert.throws(() => parseGateFlags(flags), { name: "TypeError", message }),
    );
  }
});

Deno.test("greaterIsBetter() knows latency, errors and cost are lower-is-better", () => {
  for (
    const m of ["accuracy_score", "f1_score", "roc_auc", "throughput_rows_per_s", "true_positives"]
  ) {
    assert.equal(greaterIsBetter(m), true, m);
  }
  for (
    const m of [
      "latency_p99_ms",
      "error_rate",
      "cost_usd_total",
      "tokens_total",
      "false_positives",
      "wall_time_s",
    ]
  ) {
    assert.equal(greaterIsBetter(m), false, m);
  }
});
