/**
 * Content digests of datasets.
 *
 * @module
 */
import { canonicalJson, createIncrementalHash } from "../_internal/digest.ts";
import type { Row } from "./types.ts";

/** The two digests of a dataset's content. */
export interface DatasetDigest {
  /** SHA-256 hex (64 characters) of the canonical form. */
  sha256: string;
  /** MLflow-style short digest: the first 8 hex characters of an MD5 of the canonical form. */
  mlflow: string;
}

/**
 * The canonical form of one row: JSON with sorted keys, no whitespace, `undefined` fields
 * left out. Throws `TypeError` for NaN or ±Infinity (validation reports those first).
 *
 * @example
 * ```ts
 * import { canonicalRow } from "@evalkit/evalkit/datasets";
 * if (canonicalRow({ b: 1, a: "x" }) !== '{"a":"x","b":1}') throw new Error("canonical");
 * ```
 */
export function canonicalRow(row: Row): string {
  return canonicalJson(row);
}

/**
 * Digests rows: SHA-256 (and MD5 for MLflow's short digest) over the canonical form, one
 * canonical JSON object per row followed by `\n`, in row order. Key order, whitespace and
 * number spelling (`1.0` vs `1`) in the source do not change it; row order and values do.
 *
 * @example
 * ```ts
 * import { datasetDigest } from "@evalkit/evalkit/datasets";
 * const a = datasetDigest([{ x: 1, y: "a" }]);
 * const b = datasetDigest([{ y: "a", x: 1.0 }]);
 * if (a.sha256 !== b.sha256 || a.mlflow.length !== 8) throw new Error("digest");
 * ```
 */
export function datasetDigest(rows: Iterable<Row>): DatasetDigest {
  const sha = createIncrementalHash("sha256");
  const md5 = createIncrementalHash("md5");
  let batch: string[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const text = batch.join("");
    sha.update(text);
    md5.update(text);
    batch = [];
  };
  for (const row of rows) {
    batch.push(canonicalJson(row) + "\n");
    if (batch.length >= 2048) flush();
  }
  flush();
  return { sha256: sha.hex(), mlflow: md5.hex().slice(0, 8) };
}
