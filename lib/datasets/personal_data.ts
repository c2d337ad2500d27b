/**
 * Protecting personal data before rows leave the machine (MLflow artifacts, tables, logs).
 *
 * @module
 */
import { createProtector, pseudonymize } from "../_internal/personal_data.ts";
import type { DatasetSchema, Row } from "./types.ts";

/** Options for {@link protectPersonalData}. */
export interface ProtectOptions {
  /** A secret mixed into hashes so they cannot be matched against a list of names. Default none. */
  salt?: string;
}

/**
 * Hashes a personal-data value: `pd_` followed by 16 hex characters of SHA-256 of
 * `salt + value`, the value Unicode-NFC-normalised (non-strings as JSON). The same value gives
 * the same hash, so joins and counts still work, and it is the same pseudonym the decision log
 * of `@evalkit/evalkit/tracking` writes (`protectRecord`).
 *
 * @example
 * ```ts
 * import { hashPersonalValue } from "@evalkit/evalkit/datasets";
 * const h = hashPersonalValue("Ada Lovelace");
 * if (h !== hashPersonalValue("Ada Lovelace") || !/^pd_[0-9a-f]{16}$/.test(h)) throw new Error(h);
 * ```
 */
export function hashPersonalValue(value: unknown, salt = ""): string {
  return pseudonymize(value, salt);
}

/** The shared protector for a schema's `personalData` columns. */
function protectorFor(schema: DatasetSchema, options: ProtectOptions): <T>(value: T) => T {
  return createProtector({
    hash: schema.columns.filter((c) => c.personalData === "hash").map((c) => c.name),
    drop: schema.columns.filter((c) => c.personalData === "drop").map((c) => c.name),
    salt: options.salt ?? "",
  });
}

/**
 * Returns a copy of the row with every column marked `personalData: "hash"` hashed and every
 * column marked `"drop"` removed, wherever that field name occurs (a JSON value nested in a
 * row is protected too). Null values stay null. The input row is not changed.
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
  return { ...protectorFor(schema, options)(row) };
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
  const protect = protectorFor(schema, options);
  return rows.map((r) => protect(r));
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
