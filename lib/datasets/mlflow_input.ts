/**
 * The MLflow dataset entity of a dataset (for `runs/log-inputs`) and its profile.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { DatasetEntity, DatasetInput } from "../mlflow/types.ts";
import type { ColumnType, Dataset, DatasetSchema, Row } from "./types.ts";

/**
 * A dataset as MLflow records it: lib/mlflow's `DatasetEntity` (name, 8-hex digest,
 * `local` source type, source/schema/profile as JSON strings), under the datasets module's name.
 */
export type MlflowDatasetEntity = DatasetEntity;

/** A dataset input of a run: lib/mlflow's `DatasetInput` (entity plus input tags). */
export type MlflowDatasetInput = DatasetInput;

/** Statistics of one column in a {@link DatasetProfile}. */
export interface ColumnProfile {
  /** Column type. */
  type: ColumnType;
  /** Non-null values. */
  count: number;
  /** Null or absent values. */
  missing: number;
  /** Numeric columns: smallest value. */
  min?: number;
  /** Numeric columns: largest value. */
  max?: number;
  /** Numeric columns: mean. */
  mean?: number;
  /** Numeric columns: sample standard deviation. */
  std?: number;
  /** String and boolean columns: number of distinct values. */
  distinct?: number;
  /** String and boolean columns (not personal data): the most frequent values and their counts (≤ 10). */
  top?: [string, number][];
}

/** A dataset profile as logged to MLflow. */
export interface DatasetProfile {
  /** Row count. */
  num_rows: number;
  /** Rows × columns. */
  num_elements: number;
  /** Target column(s), when the dataset has one. */
  targets?: string | string[];
  /** Full SHA-256 content digest (the entity's digest is the 8-hex short one). */
  sha256: string;
  /** Dataset version. */
  version: string;
  /** Per-column statistics. */
  columns: Record<string, ColumnProfile>;
}

/**
 * Profiles rows: per-column count, missing, and min/max/mean/std for numbers or distinct/top
 * values for strings and booleans (no values shown for personal-data columns).
 *
 * @example
 * ```ts
 * import { profileColumns } from "@evalkit/evalkit/datasets";
 * const p = profileColumns([{ x: 1 }, { x: 3 }], { columns: [{ name: "x", type: "number" }] });
 * if (p.x!.mean !== 2 || p.x!.max !== 3) throw new Error("profile");
 * ```
 */
export function profileColumns(
  rows: readonly Row[],
  schema: DatasetSchema,
): Record<string, ColumnProfile> {
  const out: Record<string, ColumnProfile> = {};
  for (const col of schema.columns) {
    let count = 0, missing = 0;
    if (col.type === "number" || col.type === "integer") {
      let min = Infinity, max = -Infinity, mean = 0, m2 = 0;
      for (const r of rows) {
        const v = r[col.name];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          missing++;
          continue;
        }
        count++;
        if (v < min) min = v;
        if (v > max) max = v;
        const d = v - mean;
        mean += d / count;
        m2 += d * (v - mean);
      }
      const p: ColumnProfile = { type: col.type, count, missing };
      if (count > 0) {
        p.min = min;
        p.max = max;
        p.mean = Number(mean.toPrecision(12));
        p.std = count > 1 ? Number(Math.sqrt(m2 / (count - 1)).toPrecision(12)) : 0;
      }
      out[col.name] = p;
    } else {
      const freq = new Map<string, number>();
      for (const r of rows) {
        const v = r[col.name];
        if (v === null || v === undefined) {
          missing++;
          continue;
        }
        count++;
        const k = String(v);
        freq.set(k, (freq.get(k) ?? 0) + 1);
      }
      const p: ColumnProfile = { type: col.type, count, missing, distinct: freq.size };
      if (!col.personalData) {
        p.top = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(
          0,
          10,
        );
      }
      out[col.name] = p;
    }
  }
  return out;
}

const MLFLOW_TYPES: Record<ColumnType, string> = {
  number: "double",
  integer: "long",
  string: "string",
  boolean: "boolean",
};

/** Options for {@link toMlflowDatasetInput}. */
export interface MlflowDatasetInputOptions {
  /** The `mlflow.data.context` tag, e.g. `evaluation`, `training`, `reference`. */
  context: string;
  /**
   * Where the data lives: a URL, an absolute path or a path relative to the working folder
   * (made absolute, as a `file://` URI). Default the dataset's `location` (set when a
   * `DatasetManager` loaded or saved it); a dataset that lives nowhere but in memory is
   * recorded as MLflow's `code` source, named by its name and version.
   */
  sourceUri?: string;
  /** Target column(s), recorded in the profile. Default the schema's target. */
  targets?: string | string[];
  /** Extra input tags. */
  tags?: Record<string, string>;
}

/** What {@link toMlflowDatasetInput} reads of a dataset (a `Dataset` fits). */
export type MlflowInputDataset =
  & Pick<Dataset, "name" | "version" | "rows" | "schema" | "digest" | "mlflowDigest">
  & { readonly location?: string };

/** A dataset source as an absolute URI: URLs as they are, paths as `file://` URIs. */
function absoluteSourceUri(source: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return source;
  return pathToFileURL(isAbsolute(source) ? source : resolve(source)).href;
}

/**
 * The MLflow `DatasetInput` for a dataset: the 8-hex short digest as the entity digest
 * (MLflow allows ≤ 36 characters); the source as an absolute URI (`source_type` `local` with
 * `{"uri": "file:///…"}`, `http` with `{"url": …}` for web URLs, or `code` with the dataset's
 * name and version for a dataset that lives only in memory); schema `{"mlflow_colspec": […]}`
 * and a profile with row count, element count, targets, full SHA-256 and per-column
 * statistics. Personal-data columns are described but none of their values appear. This is
 * the one place the MLflow dataset entity is made (`RunHandle.logDataset`,
 * `DatasetManager.logToMlflow` and the evaluator call it).
 *
 * @example
 * ```ts
 * import { createDataset, toMlflowDatasetInput } from "@evalkit/evalkit/datasets";
 * const ds = createDataset([{ request_id: "a", age: 30, expected_outcome: "approve" }], {
 *   name: "tiny",
 *   version: "1.0.0",
 * });
 * const input = toMlflowDatasetInput(ds, { context: "evaluation" });
 * if (input.dataset.digest !== ds.mlflowDigest) throw new Error("digest");
 * if (JSON.parse(input.dataset.profile!).num_rows !== 1) throw new Error("profile");
 * // await client.runs.logInputs(runId, { datasets: [input] });
 * ```
 */
export function toMlflowDatasetInput(
  ds: MlflowInputDataset,
  options: MlflowDatasetInputOptions,
): MlflowDatasetInput {
  const colspec = ds.schema.columns.map((c) => ({
    type: c.personalData === "hash" ? "string" : MLFLOW_TYPES[c.type],
    name: c.name,
    required: c.required ?? true,
  }));
  const targets = options.targets ?? ds.schema.target;
  const profile: DatasetProfile = {
    num_rows: ds.rows.length,
    num_elements: ds.rows.length * ds.schema.columns.length,
    ...(targets !== undefined ? { targets } : {}),
    sha256: ds.digest,
    version: ds.version,
    columns: profileColumns(ds.rows, ds.schema),
  };
  const given = options.sourceUri ?? ds.location;
  const uri = given === undefined ? undefined : absoluteSourceUri(given);
  const version: Record<string, string> = ds.version === ""
    ? {}
    : { "evalkit.dataset.version": ds.version };
  const [sourceType, source] = uri === undefined
    ? ["code", { tags: { "evalkit.dataset": ds.name, ...version } }]
    : /^https?:/i.test(uri)
    ? ["http", { url: uri }]
    : ["local", { uri }];
  return {
    dataset: {
      name: ds.name,
      digest: ds.mlflowDigest,
      sourceType,
      source: JSON.stringify(source),
      schema: JSON.stringify({ mlflow_colspec: colspec }),
      profile: JSON.stringify(profile),
    },
    tags: {
      "mlflow.data.context": options.context,
      ...version,
      "evalkit.dataset.sha256": ds.digest,
      ...options.tags,
    },
  };
}
