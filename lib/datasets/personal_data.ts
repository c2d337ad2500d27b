/**
 * Protecting personal data before rows leave the machine (MLflow artifacts, tables, logs).
 *
 * @module
 */
import { sha256Hex } from "../_internal/digest.ts";
import type { DatasetSchema, Row } from "./types.ts";

/** Options for {@link protectPersonalData}. */
export interface ProtectOptions {
  /** A secret mixed into hashes so they cannot be matched against a list of names. Default none. */
  salt?: string;
}

/**
 * Hashes a personal-data value: `pd_` followed by 16 hex characters of SHA-256 of
 * `salt + value`. The same value gives the same hash, so joins and counts still work.
 *
 * @example
 * ```ts
 * import { hashPersonalValue } from "@evalkit/evalkit/datasets";
 * const h = hashPersonalValue("Ada Lovelace");
 * if (h !== hashPersonalValue("Ada Lovelace") || !/^pd_[0-9a-f]{16}$/.test(h)) throw new Error(h);
 * ```
 */
export function hashPersonalValue(value: unknown, salt = ""): string {
  return `pd_${sha256Hex(`${salt}${String(value)}`).slice(0, 16)}`;
}

/**
 * Returns a copy of the row with every column marked `personalData: "hash"` hashed and every
 * column marked `"drop"` removed. Null values stay null. The input row is not changed.
 *
 * @example
 * ```ts
 * import { protectPersonalData } from "@evalkit/evalkit/datasets";
 * const schema = { columns: [
 *   { name: "applicant_name", type: "string" as const, personalData: "hash" as const },
 *   { name: "email", type: "string" as const, personalData: "drop" as const },
 *   { name: "age", type: "integer" as const },
 * ] };
 * const out = protectPersonalData({ applicant_name: "Ada Lovelace", email: "a@x", age: 36 }, schema);
 * if (!String(out.applicant_name).startsWith("pd_") || "email" in out || out.age !== 36) throw new Error("pd");
 * ```
 */
export function protectPersonalData(
  row: Row,
  schema: DatasetSchema,
  options: ProtectOptions = {},
): Row {
  const out: Row = { ...row };
  for (const col of schema.columns) {
    if (col.personalData === "drop") delete out[col.name];
    else if (col.personalData === "hash") {
      const v = out[col.name];
      if (v !== null && v !== undefined) out[col.name] = hashPersonalValue(v, options.salt);
    }
  }
  return out;
}

/**
 * {@link protectPersonalData} over many rows.
 *
 * @example
 * ```ts
 * import { protectRows } from "@evalkit/evalkit/datasets";
 * const rows = protectRows([{ n: "x" }], { columns: [{ name: "n", type: "string", personalData: "drop" }] });
 * if ("n" in rows[0]!) throw new Error("dropped");
 * ```
 */
export function protectRows(
  rows: readonly Row[],
  schema: DatasetSchema,
  options: ProtectOptions = {},
): Row[] {
  if (!schema.columns.some((c) => c.personalData)) return rows.map((r) => ({ ...r }));
  return rows.map((r) => protectPersonalData(r, schema, options));
}

/**
 * The schema of protected rows: dropped columns removed, hashed ones typed as strings.
 *
 * @example
 * ```ts
 * import { protectedSchema } from "@evalkit/evalkit/datasets";
 * const s = protectedSchema({ columns: [{ name: "n", type: "string", personalData: "drop" }] });
 * if (s.columns.length !== 0) throw new Error("dropped");
 * ```
 */
export function protectedSchema(schema: DatasetSchema): DatasetSchema {
  return {
    ...schema,
    columns: schema.columns.filter((c) => c.personalData !== "drop").map((c) =>
      c.personalData === "hash" ? { ...c, type: "string" as const } : c
    ),
  };
}
