import assert from "node:assert/strict";
import { classificationReport, type ZeroDivision } from "../../lib/stats/mod.ts";
import { assertClose, loadStatsFixtures } from "./_stats_fixtures.ts";

const fixtures = loadStatsFixtures();
const TOL = 1e-12;

/** Compares every number in `expected` (a nested object) with the same path in `actual`. */
function assertNumbersClose(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${where} should be a number`);
    assertClose(actual as number, expected, TOL, where);
    return;
  }
  assert.ok(actual !== null && typeof actual === "object", `${where} should be an object`);
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    assertNumbersClose((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
  }
}

Deno.test("classificationReport() matches scikit-learn 1.9.1 to 1e-12 on every fixture case and zero_division", async (t) => {
  assert.equal(fixtures.versions["scikit-learn"], "1.9.1");
  for (const c of fixtures.classification) {
    for (const zd of ["0", "1", "nan"] as const) {
      await t.step(`${c.name}, zeroDivision ${zd}`, () => {
        const zeroDivision: ZeroDivision = zd === "nan" ? "nan" : Number(zd) as 0 | 1;
        const r = classificationReport(c.yTrue, c.yPred, {
          labels: c.labelsGiven ?? undefined,
          positiveLabel: c.positiveLabel ?? undefined,
          zeroDivision,
        });
        assert.deepEqual(r.labels, c.labels);
        assert.deepEqual(r.confusionMatrix, c.confusionMatrix);
        assertClose(r.accuracy, c.accuracy, TOL, "accuracy");
        const expected = c.byZeroDivision[zd]!;
        assertNumbersClose(r, expected, "report");
        assert.deepEqual(Object.keys(r.perClass), c.labels);
        assert.equal(r.binary === undefined, c.positiveLabel === null);
      });
    }
  }
});

Deno.test("the fixtures cover the zero-division cases they claim", () => {
  const names = fixtures.classification.map((c) => c.name);
  for (
    const n of [
      "class c never predicted",
      "class c predicted but never true",
      "labels include z, absent everywhere",
      "binary, positive never predicted",
    ]
  ) assert.ok(names.includes(n), n);
  const never = fixtures.classification.find((c) => c.name === "class c never predicted")!;
  const perClass = never.byZeroDivision["1"]!.perClass as Record<string, { precision: number }>;
  assert.equal(perClass.c!.precision, 1, "sklearn sets 0/0 precision to zero_division");
});

Deno.test("zeroDivision decides a 0/0 precision; NaN is skipped by macro and weighted averages", () => {
  const yTrue = ["a", "a", "b", "b", "c", "c", "c"];
  const yPred = ["a", "b", "b", "a", "a", "b", "b"];
  assert.equal(classificationReport(yTrue, yPred).perClass.c!.precision, 0);
  assert.equal(classificationReport(yTrue, yPred, { zeroDivision: 1 }).perClass.c!.precision, 1);
  const r = classificationReport(yTrue, yPred, { zeroDivision: "nan" });
  assert.ok(Number.isNaN(r.perClass.c!.precision));
  assert.equal(r.perClass.c!.f1, 0, "F1 is 0, not 0/0, when the class has support");
  assertClose(r.macro.precision, (1 / 3 + 1 / 4) / 2, 1e-15, "macro precision");
});

Deno.test("labels restrict the averages and confusion matrix but not accuracy", () => {
  const yTrue = ["p", "q", "r", "r", "q", "p", "p", "r"];
  const yPred = ["p", "r", "r", "q", "q", "q", "p", "p"];
  const r = classificationReport(yTrue, yPred, { labels: ["r", "p"] });
  assert.deepEqual(r.labels, ["r", "p"]);
  assert.deepEqual(r.confusionMatrix, [[1, 1], [0, 2]]);
  assert.equal(r.accuracy, 4 / 8);
  assert.equal(r.perClass.q, undefined);
  // p was predicted 3 times (once for a true r): precision 2/3 even though q rows are dropped
  assert.equal(r.perClass.p!.precision, 2 / 3);
});

Deno.test("binary metrics count one-vs-rest for the positive label", () => {
  const r = classificationReport(["x", "y", "z", "x"], ["x", "x", "x", "z"], {
    positiveLabel: "x",
  });
  assert.deepEqual(r.binary, {
    tp: 1,
    fp: 2,
    fn: 1,
    tn: 0,
    precision: 1 / 3,
    recall: 0.5,
    f1: 0.4,
  });
});

Deno.test("classificationReport() rejects mismatched lengths, bad labels and bad zeroDivision", () => {
  assert.throws(() => classificationReport(["a"], []), {
    name: "RangeError",
    message: "Expected yTrue and yPred to have the same length but found 1 and 0",
  });
  assert.throws(() => classificationReport(["a"], ["a"], { labels: ["a", "a"] }), RangeError);
  assert.throws(() => classificationReport(["a"], ["a"], { labels: [] }), RangeError);
  assert.throws(
    () => classificationReport(["a"], ["a"], { labels: ["a"], positiveLabel: "b" }),
    RangeError,
  );
  assert.throws(
    () => classificationReport(["a"], ["a"], { zeroDivision: 2 as never }),
    { name: "RangeError", message: 'Expected zeroDivision to be 0, 1 or "nan" but found 2' },
  );
});

Deno.test("an empty input gives NaN accuracy and zero-division averages", () => {
  const r = classificationReport([], []);
  assert.deepEqual(r.labels, []);
  assert.ok(Number.isNaN(r.accuracy));
  assert.equal(r.micro.precision, 0);
});
