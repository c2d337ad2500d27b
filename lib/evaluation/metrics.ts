/**
 * Classification metrics of an evaluation, named as `mlflow.models.evaluate` names them, built
 * on lib/stats.
 *
 * @module
 */
import { averagePrecision, classificationReport, type ClassMetrics, rocAuc } from "../stats/mod.ts";

/** Input of {@link classificationMetrics}. */
export interface ClassificationMetricsInput {
  /** Expected labels. */
  yTrue: readonly string[];
  /** Predicted labels (same length). */
  yPred: readonly string[];
  /** Per-row scores (e.g. the agent's risk score); AUCs need one for every row. */
  scores?: readonly (number | undefined)[];
  /** The label list; labels seen in the data are added. Default: the sorted labels seen. */
  labels?: readonly string[];
  /** The positive label of a binary task. Default as MLflow: the last label after sorting. */
  positiveLabel?: string;
  /** The label the scores point to (a risk score points to `reject`). Default `positiveLabel`. */
  scoreLabel?: string;
}

export type { ClassMetrics };

/** Output of {@link classificationMetrics}. */
export interface ClassificationSummary {
  /** The labels, sorted; the confusion matrix follows this order. */
  labels: string[];
  /** The positive label when the task is binary. */
  positiveLabel?: string;
  /** `confusionMatrix[true][predicted]`. */
  confusionMatrix: number[][];
  /** Per class. */
  perClass: Record<string, ClassMetrics>;
  /** Flat metrics ready to log. */
  metrics: Record<string, number>;
}

/**
 * Makes a label safe inside an MLflow metric key.
 *
 * @example
 * ```ts
 * import { metricKeyPart } from "@evalkit/evalkit/evaluation";
 * if (metricKeyPart("a+b") !== "a_b") throw new Error("unexpected");
 * ```
 */
export function metricKeyPart(label: string): string {
  return label.replace(/[^A-Za-z0-9_.\- ]/g, "_");
}

/**
 * Computes the classification metrics of an evaluation. Names follow `mlflow.models.evaluate`:
 * `example_count`, `accuracy_score`, `precision_score`, `recall_score`, `f1_score` (binary: of the
 * positive label; multiclass: `weighted`), `true_positives`, `false_positives`, `false_negatives`,
 * `true_negatives` (binary), `roc_auc` and `precision_recall_auc` (binary, when every row has a
 * score; PR AUC is average precision, as MLflow computes it). evalkit adds
 * `{precision,recall,f1}_score_{macro,micro,weighted}` and per class `precision_score/<label>`,
 * `recall_score/<label>`, `f1_score/<label>`, `support/<label>`. Zero divisions count as 0
 * (scikit-learn's default).
 *
 * @example
 * ```ts
 * import { classificationMetrics } from "@evalkit/evalkit/evaluation";
 * const s = classificationMetrics({ yTrue: ["a", "b", "b"], yPred: ["a", "b", "a"] });
 * if (s.positiveLabel !== "b" || s.metrics.true_positives !== 1) throw new Error("unexpected");
 * ```
 */
export function classificationMetrics(input: ClassificationMetricsInput): ClassificationSummary {
  const { yTrue, yPred } = input;
  if (yTrue.length !== yPred.length) {
    throw new RangeError(
      `Expected as many predictions as labels but found ${yPred.length} and ${yTrue.length}`,
    );
  }
  const set = new Set<string>(input.labels ?? []);
  for (const y of yTrue) set.add(y);
  for (const y of yPred) set.add(y);
  if (input.positiveLabel !== undefined) set.add(input.positiveLabel);
  const labels = [...set].sort();
  const binary = labels.length <= 2 && labels.length > 0;
  const positiveLabel = binary ? (input.positiveLabel ?? labels[labels.length - 1]!) : undefined;
  const n = yTrue.length;
  const metrics: Record<string, number> = { example_count: n };
  if (n === 0) {
    return {
      labels,
      confusionMatrix: labels.map(() => labels.map(() => 0)),
      perClass: {},
      metrics,
      ...(positiveLabel !== undefined ? { positiveLabel } : {}),
    };
  }
  const rep = classificationReport([...yTrue], [...yPred], {
    labels,
    ...(positiveLabel !== undefined ? { positiveLabel } : {}),
    zeroDivision: 0,
  });
  metrics.accuracy_score = rep.accuracy;
  if (binary && rep.binary) {
    metrics.true_negatives = rep.binary.tn;
    metrics.false_positives = rep.binary.fp;
    metrics.false_negatives = rep.binary.fn;
    metrics.true_positives = rep.binary.tp;
    metrics.precision_score = rep.binary.precision;
    metrics.recall_score = rep.binary.recall;
    metrics.f1_score = rep.binary.f1;
  } else {
    metrics.precision_score = rep.weighted.precision;
    metrics.recall_score = rep.weighted.recall;
    metrics.f1_score = rep.weighted.f1;
  }
  for (const avg of ["macro", "micro", "weighted"] as const) {
    metrics[`precision_score_${avg}`] = rep[avg].precision;
    metrics[`recall_score_${avg}`] = rep[avg].recall;
    metrics[`f1_score_${avg}`] = rep[avg].f1;
  }
  const perClass: Record<string, ClassMetrics> = {};
  for (const label of labels) {
    const c = rep.perClass[label];
    if (!c) continue;
    perClass[label] = { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support };
    const k = metricKeyPart(label);
    metrics[`precision_score/${k}`] = c.precision;
    metrics[`recall_score/${k}`] = c.recall;
    metrics[`f1_score/${k}`] = c.f1;
    metrics[`support/${k}`] = c.support;
  }
  const scores = input.scores;
  if (
    binary && positiveLabel !== undefined && scores && scores.length === n &&
    scores.every((s) => typeof s === "number")
  ) {
    const flip = input.scoreLabel !== undefined && input.scoreLabel !== positiveLabel;
    const s = (scores as number[]).map((x) => (flip ? 1 - x : x));
    const truth = yTrue.map((y) => y === positiveLabel);
    const pos = truth.filter(Boolean).length;
    if (pos > 0 && pos < n) {
      metrics.roc_auc = rocAuc(truth, s);
      metrics.precision_recall_auc = averagePrecision(truth, s);
    }
  }
  return {
    labels,
    confusionMatrix: rep.confusionMatrix,
    perClass,
    metrics,
    ...(positiveLabel !== undefined ? { positiveLabel } : {}),
  };
}
