/**
 * The data types of an evaluation result: one evaluated row, the result's fields (listed once,
 * here) and the per-row table.
 *
 * @module
 */
import type { ClassMetrics } from "./metrics.ts";
import type { GateResult } from "./gates.ts";
import type { RowDiff } from "./compare.ts";
import type { UsageSummary } from "./cost.ts";
import type { MetricSummary } from "./summary.ts";

/** One evaluated row (per trial). */
export interface EvalRow {
  /** Trial number, 1-based. */
  trial: number;
  /** Row index in the dataset. */
  index: number;
  /** Row id (the schema's id column, or the index). */
  id: string;
  /** The request's fields with personal data protected per the dataset schema. */
  input: Record<string, unknown>;
  /** Expected label. */
  expected: string | null;
  /** Predicted label; `null` when the call failed. */
  predicted: string | null;
  /** Whether the prediction matched; `null` when the call failed. */
  correct: boolean | null;
  /** The agent's risk score. */
  riskScore: number | null;
  /** Latency of the (last) call in ms. */
  latencyMs: number;
  /** Tokens used (all models). */
  tokens: number;
  /** USD of the call. */
  costUsd: number;
  /** Attempts made. */
  attempts: number;
  /** Error type when the call failed. */
  errorType: string | null;
  /** Error message when the call failed. */
  error: string | null;
  /** Reasons the agent gave, joined by `; `. */
  reasons: string | null;
}

/** The fields of an {@link EvalResult}. */
export interface EvalResultData {
  /** The agent evaluated. */
  agent: { name: string; version: string; config: Record<string, unknown> };
  /** The dataset. */
  dataset: {
    name: string;
    version: string;
    digest: string;
    mlflowDigest: string;
    rowCount: number;
  };
  /** The target field. */
  targetField: string;
  /** FINISHED, or KILLED when cancelled (partial results). */
  status: "FINISHED" | "KILLED";
  /** Flat metrics (means across trials when repeated), as logged. */
  metrics: Record<string, number>;
  /** Metrics of each trial. */
  trials: Record<string, number>[];
  /** Mean/std/CI per metric when `repeat > 1`. */
  summary?: Record<string, MetricSummary>;
  /** Labels, confusion matrix (summed over trials) and per-class figures (of the last trial). */
  classification: {
    labels: string[];
    positiveLabel?: string;
    confusionMatrix: number[][];
    perClass: Record<string, ClassMetrics>;
  };
  /** Errors by type (all trials). */
  errors: { total: number; byType: Record<string, number> };
  /** Tokens and cost (all trials). */
  usage: UsageSummary;
  /** Per-row results. */
  rows: EvalRow[];
  /** Names of the input columns shown in the table. */
  inputColumns: string[];
  /** MLflow run id, when logged. */
  runId?: string;
  /** MLflow experiment id, when logged. */
  experimentId?: string;
  /** The gate's verdict, when thresholds were given. */
  gate?: GateResult;
  /** The baseline comparison, when a baseline run was given. */
  baseline?: { runId: string; metrics: Record<string, number>; rowDiff?: RowDiff };
}

/** An evaluation table in MLflow's table format (`{columns, data}`). */
export interface EvalTable {
  /** Column names. */
  columns: string[];
  /** Rows, one value per column. */
  data: unknown[][];
}
