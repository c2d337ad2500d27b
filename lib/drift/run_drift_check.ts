/**
 * Drift between two versioned datasets, driven by their schemas: the entry the
 * `evaluate --drift-detection` CLI calls.
 *
 * @module
 */
import { type ColumnDriftOptions, type DataDriftOptions, detectDataDrift } from "./data_drift.ts";
import type { DriftReport } from "./drift_report.ts";
import type { ColumnKind } from "./summaries.ts";

/** The part of a dataset schema (lib/datasets `DatasetSchema`) that drift detection reads. */
export interface DriftSchema {
  /** Columns with their types, roles and personal-data handling. */
  columns: readonly {
    name: string;
    type: "number" | "integer" | "string" | "boolean";
    role?: "id" | "target" | "feature";
    personalData?: "hash" | "drop";
  }[];
  /** Target column. */
  target?: string;
  /** Id column. */
  id?: string;
}

/** The part of a `Dataset` (lib/datasets) that drift detection reads. */
export interface DriftDataset {
  /** Dataset name. */
  name: string;
  /** Version. */
  version: string;
  /** Rows. */
  rows: readonly Record<string, unknown>[];
  /** Schema. */
  schema: DriftSchema;
}

/** Options for {@linkcode runDriftCheck}. */
export interface RunDriftCheckOptions
  extends Omit<DataDriftOptions, "target" | "referenceName" | "currentName"> {
  /** The baseline dataset. */
  reference: DriftDataset;
  /** The dataset to check. */
  current: DriftDataset;
  /** Test target drift on the schema's target column (default true). */
  includeTarget?: boolean;
}

/**
 * Picks the features from the reference schema — every column except the id, the target,
 * columns with role "id"/"target", and personal-data columns (hashed or dropped) — with
 * numeric kinds for "number"/"integer" and categorical for "string"/"boolean".
 *
 * @example
 * ```ts
 * import { driftFeatures } from "./run_drift_check.ts";
 * import assert from "node:assert/strict";
 *
 * const features = driftFeatures({
 *   id: "request_id",
 *   target: "expected_outcome",
 *   columns: [
 *     { name: "request_id", type: "string" },
 *     { name: "applicant_name", type: "string", personalData: "hash" },
 *     { name: "credit_score", type: "integer" },
 *     { name: "loan_purpose", type: "string" },
 *     { name: "expected_outcome", type: "string" },
 *   ],
 * });
 * assert.deepEqual(features, [
 *   { name: "credit_score", kind: "numeric" },
 *   { name: "loan_purpose", kind: "categorical" },
 * ]);
 * ```
 */
export function driftFeatures(schema: DriftSchema): { name: string; kind: ColumnKind }[] {
  return schema.columns
    .filter((c) =>
      c.name !== schema.id && c.name !== schema.target && c.role !== "id" && c.role !== "target" &&
      c.personalData === undefined
    )
    .map((c) => ({
      name: c.name,
      kind: c.type === "number" || c.type === "integer" ? "numeric" : "categorical",
    }));
}

/**
 * Data drift between two datasets: features and their kinds come from the reference
 * schema (see {@linkcode driftFeatures}), the target column (schema `target`) is tested as
 * target drift, and `predictions` (e.g. the agent's outcomes on both datasets) as
 * prediction drift. Any {@linkcode DataDriftOptions} can be passed through.
 *
 * @example
 * ```ts
 * import { runDriftCheck } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const schema = { columns: [{ name: "age", type: "integer" as const }, { name: "y", type: "string" as const }], target: "y" };
 * const rows = (k: number) => Array.from({ length: 50 }, (_, i) => ({ age: 20 + (i % 40) + k, y: i % 2 ? "approve" : "reject" }));
 * const report = runDriftCheck({
 *   reference: { name: "baseline", version: "1", rows: rows(0), schema },
 *   current: { name: "current", version: "1", rows: rows(15), schema },
 * });
 * assert.equal(report.summary.driftedFeatures[0], "age");
 * ```
 */
export function runDriftCheck(options: RunDriftCheckOptions): DriftReport {
  const { reference, current, includeTarget = true, ...rest } = options;
  const features = driftFeatures(reference.schema);
  const perColumn: Record<string, ColumnDriftOptions> = {};
  for (const f of features) perColumn[f.name] = { kind: f.kind, ...rest.perColumn?.[f.name] };
  const target = includeTarget ? reference.schema.target : undefined;
  if (target !== undefined) {
    perColumn[target] = { kind: "categorical", ...rest.perColumn?.[target] };
  }
  const cols = [...features.map((f) => f.name), ...(target !== undefined ? [target] : [])];
  return detectDataDrift(pick(reference.rows, cols), pick(current.rows, cols), {
    ...rest,
    columns: rest.columns ?? features.map((f) => f.name),
    perColumn,
    ...(target !== undefined ? { target } : {}),
    referenceName: `${reference.name}@${reference.version}`,
    currentName: `${current.name}@${current.version}`,
  });
}

function pick(rows: readonly Record<string, unknown>[], cols: string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const c of cols) out[c] = rows.map((r) => r[c]);
  return out;
}

/**
 * A readable multi-line summary of a drift report for a terminal or a chat message: the
 * verdict, then one line per feature with the deciding test, score and threshold.
 *
 * @example
 * ```ts
 * import { detectDataDrift, summarizeDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const text = summarizeDrift(detectDataDrift({ a: ["x", "y"] }, { a: ["x", "y"] }));
 * assert.match(text, /no drift detected/);
 * ```
 */
export function summarizeDrift(report: DriftReport): string {
  return report.toText();
}
