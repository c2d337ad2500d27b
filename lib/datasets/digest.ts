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
 * import { canonicalRow } from "./digest.ts";
 * if (canonicalRow({ b: 1, a: "x" }) !== '{"a":"x","b":1}') throw new Error("canonical");
 * ```
 */
export function canonicalRow(row: Row): string {
  return canonicalJson(row);
}

/**
 * A faster `canonicalJson` for flat rows (primitive values) that share their keys: the sorted
 * key order is computed once per key set. Rows with nested values fall back to `canonicalJson`,
 * so the output is always identical to it.
 */
function flatRowCanonicalizer(): (row: Row) => string {
  let lastKeys: string[] = [];
  let sorted: string[] = [];
  let prefixes: string[] = [];
  return (row: Row): string => {
    const keys = Object.keys(row);
    let same = keys.length === lastKeys.length;
    for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
    if (!same) {
      lastKeys = keys;
      sorted = [...keys].sort();
      prefixes = sorted.map((k) => `${JSON.stringify(k)}:`);
    }
    let out = "{";
    let first = true;
    for (let i = 0; i < sorted.length; i++) {
      const v = row[sorted[i]!];
      if (v === undefined) continue;
      const t = typeof v;
      let text: string;
      if (t === "string") text = JSON.stringify(v);
      else if (t === "number") {
        if (!Number.isFinite(v)) return canonicalJson(row); // throws the TypeError
        text = String(v);
      } else if (t === "boolean") text = v ? "true" : "false";
      else if (v === null) text = "null";
      else return canonicalJson(row);
      out += first ? prefixes[i]! + text : "," + prefixes[i]! + text;
      first = false;
    }
    return out + "}";
  };
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
  const canonical = flatRowCanonicalizer();
  for (const row of rows) {
    batch.push(canonical(row) + "\n");
    if (batch.length >= 2048) flush();
  }
  flush();
  return { sha256: sha.hex(), mlflow: md5.hex().slice(0, 8) };
}
