/**
 * Dataset schemas: inference from rows, conversion to and from zod.
 *
 * @module
 */
import { z } from "zod";
import type { ColumnSpec, ColumnType, DatasetSchema, Row } from "./types.ts";

/** The kind a single value looks like, for inference. */
export type ValueKind = "boolean" | "integer" | "number" | "string";

/**
 * Classifies a JS value; `null`/`undefined` give `undefined`.
 *
 * @example
 * ```ts
 * import { kindOf } from "./schema.ts";
 * if (kindOf(1.5) !== "number" || kindOf(null) !== undefined) throw new Error("kind");
 * ```
 */
export function kindOf(v: unknown): ValueKind | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return "string";
}

/**
 * Per-column counts of value kinds, fed value by value (used for JSON rows and CSV text).
 *
 * @example
 * ```ts
 * import { KindCounter } from "@evalkit/evalkit/datasets";
 * const c = new KindCounter();
 * for (const k of ["integer", "integer", "string"] as const) c.add(k);
 * if (c.type() !== "integer") throw new Error("majority");
 * ```
 */
export class KindCounter {
  /** Counts per kind. */
  readonly counts: Record<ValueKind, number> = { boolean: 0, integer: 0, number: 0, string: 0 };
  /** Values seen that were null/empty. */
  missing = 0;
  /** Adds one value's kind (`undefined` for missing). */
  add(kind: ValueKind | undefined): void {
    if (kind === undefined) this.missing++;
    else this.counts[kind]++;
  }
  /**
   * The inferred type: the kind most non-missing values have (integers and other numbers
   * together as numbers; integer when every numeric value is an integer). Values of another
   * kind are then reported by validation as `wrong_type`. No clear majority gives `string`.
   */
  type(): ColumnType {
    const { boolean, integer, number, string } = this.counts;
    const total = boolean + integer + number + string;
    if (total === 0) return "string";
    if (boolean * 2 > total) return "boolean";
    if ((integer + number) * 2 > total) return number === 0 ? "integer" : "number";
    return "string";
  }
}

/** Options for {@link inferSchema}. */
export interface InferSchemaOptions {
  /** The target column. Default `expected_outcome` when present. */
  target?: string;
  /** The id column. Default `request_id` when present. */
  id?: string;
  /** Personal data columns and what to do with them. */
  personalData?: Record<string, "hash" | "drop">;
}

/**
 * Infers a schema from rows: column order of first appearance, each column's type by majority
 * (see {@link KindCounter}), `required` when no row lacks it.
 *
 * @example
 * ```ts
 * import { inferSchema } from "@evalkit/evalkit/datasets";
 * const s = inferSchema([{ request_id: "a", x: 1, expected_outcome: "approve" }]);
 * if (s.columns[1]!.type !== "integer" || s.target !== "expected_outcome") throw new Error("infer");
 * ```
 */
export function inferSchema(rows: readonly Row[], options: InferSchemaOptions = {}): DatasetSchema {
  const counters = new Map<string, KindCounter>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      let c = counters.get(key);
      if (!c) counters.set(key, c = new KindCounter());
      c.add(kindOf(row[key]));
    }
  }
  const names = [...counters.keys()];
  return buildSchema(
    names.map((n) => {
      const c = counters.get(n)!;
      const present = c.missing + Object.values(c.counts).reduce((a, b) => a + b, 0);
      return { name: n, type: c.type(), required: present === rows.length && c.missing === 0 };
    }),
    options,
  );
}

/**
 * Adds roles, target, id and personal-data marks to inferred columns.
 *
 * @example
 * ```ts
 * import { buildSchema } from "@evalkit/evalkit/datasets";
 * const s = buildSchema([{ name: "id", type: "string" }, { name: "y", type: "string" }], { id: "id", target: "y" });
 * if (s.columns[1]!.role !== "target") throw new Error("role");
 * ```
 */
export function buildSchema(
  columns: ColumnSpec[],
  options: InferSchemaOptions = {},
): DatasetSchema {
  const names = new Set(columns.map((c) => c.name));
  const target = options.target ?? (names.has("expected_outcome") ? "expected_outcome" : undefined);
  const id = options.id ?? (names.has("request_id") ? "request_id" : undefined);
  const out: ColumnSpec[] = columns.map((c) => {
    const col: ColumnSpec = { ...c };
    if (c.name === target) col.role = "target";
    else if (c.name === id) col.role = "id";
    const pd = options.personalData?.[c.name];
    if (pd) col.personalData = pd;
    return col;
  });
  const schema: DatasetSchema = { columns: out };
  if (target !== undefined) schema.target = target;
  if (id !== undefined) schema.id = id;
  return schema;
}

/** One problem zod found in a row. */
export interface RowParseIssue {
  /** Zod's issue code, e.g. `invalid_type`. */
  code: string;
  /** Path inside the row; the first element is the field. */
  path: PropertyKey[];
  /** Zod's message. */
  message: string;
}

/** The result of {@link RowValidator.safeParse}. */
export type RowParseResult = { success: true } | {
  success: false;
  error: { issues: RowParseIssue[] };
};

/** A row validator: the zod object schema built by {@link rowZodSchema}, typed structurally. */
export interface RowValidator {
  /** Validates one row without throwing. */
  safeParse(value: unknown): RowParseResult;
}

/** A zod object schema such as `z.object({...})`, typed structurally for the docs. */
export interface ZodObjectLike {
  /** The field schemas. */
  readonly shape: Record<string, unknown>;
}

/**
 * The zod object schema for one row of a dataset schema (extra fields pass through).
 *
 * @example
 * ```ts
 * import { rowZodSchema } from "@evalkit/evalkit/datasets";
 * const s = rowZodSchema({ columns: [{ name: "age", type: "integer" }] });
 * if (s.safeParse({ age: 1.5 }).success) throw new Error("1.5 is not an integer");
 * ```
 */
export function rowZodSchema(schema: DatasetSchema): RowValidator {
  const shape: Record<string, z.ZodType> = {};
  for (const col of schema.columns) {
    const t = columnZodType(col);
    const required = col.required ?? true;
    shape[col.name] = required ? t : t.nullable().optional();
  }
  return z.looseObject(shape) as unknown as RowValidator;
}

/**
 * The zod type of one column's non-missing values: its type, its allowed `values` (a string
 * column) and its `minimum`/`maximum` (a numeric column), with its description. Row
 * validation and the Loan Agent API's request schema are both built from it, so a dataset
 * schema and an API refuse the same values. (Not re-exported by the datasets module: it
 * returns a zod type.)
 *
 * @example
 * ```ts
 * import { columnZodType } from "./schema.ts";
 * const score = columnZodType({ name: "credit_score", type: "integer", minimum: 300, maximum: 850 });
 * if (score.safeParse(900).success || !score.safeParse(720).success) throw new Error("range");
 * ```
 */
export function columnZodType(col: ColumnSpec): z.ZodType {
  let t: z.ZodType;
  if (col.values && col.values.length > 0 && col.type === "string") {
    t = z.enum(col.values as [string, ...string[]]);
  } else if (col.type === "number" || col.type === "integer") {
    let n = col.type === "integer" ? z.int() : z.number();
    if (col.minimum !== undefined) n = n.min(col.minimum);
    if (col.maximum !== undefined) n = n.max(col.maximum);
    t = n;
  } else {
    t = col.type === "boolean" ? z.boolean() : z.string();
  }
  return col.description === undefined ? t : t.describe(col.description);
}

/** Options for {@link schemaFromZod}. */
export interface SchemaFromZodOptions {
  /** The target column. */
  target?: string;
  /** The id column. */
  id?: string;
  /** Personal data columns and what to do with them. */
  personalData?: Record<string, "hash" | "drop">;
}

function columnFromZod(name: string, t: z.ZodType): ColumnSpec {
  let inner = t;
  let required = true;
  // Unwrap optional/nullable/default wrappers.
  for (let i = 0; i < 5; i++) {
    const def = (inner as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (
      (def.type === "optional" || def.type === "nullable" || def.type === "default") &&
      def.innerType
    ) {
      required = false;
      inner = def.innerType;
    } else break;
  }
  const def = (inner as unknown as {
    def: { type: string; format?: string; entries?: Record<string, string> };
  })
    .def;
  const col: ColumnSpec = { name, type: "string", required };
  if (def.type === "number" || def.type === "int") {
    col.type = def.type === "int" || (def.format && /int/.test(def.format)) ? "integer" : "number";
    const { minValue, maxValue } = inner as unknown as { minValue: number; maxValue: number };
    if (Number.isFinite(minValue) && minValue > Number.MIN_SAFE_INTEGER) col.minimum = minValue;
    if (Number.isFinite(maxValue) && maxValue < Number.MAX_SAFE_INTEGER) col.maximum = maxValue;
  } else if (def.type === "boolean") col.type = "boolean";
  else if (def.type === "enum" && def.entries) col.values = Object.values(def.entries);
  else if (def.type !== "string") {
    throw new TypeError(
      `Expected column ${name} to be a zod number, int, string, boolean or enum but found ${def.type}`,
    );
  }
  return col;
}

/**
 * Declares a dataset schema with zod: a `z.object` of `z.number()`, `z.int()`, `z.string()`,
 * `z.boolean()` and `z.enum([...])` fields (optionally `.optional()`/`.nullable()`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { schemaFromZod } from "@evalkit/evalkit/datasets";
 * const schema = schemaFromZod(
 *   z.object({ request_id: z.string(), age: z.int(), expected_outcome: z.enum(["approve", "reject"]) }),
 *   { target: "expected_outcome", id: "request_id" },
 * );
 * if (schema.columns[1]!.type !== "integer") throw new Error("int");
 * ```
 */
export function schemaFromZod(
  object: ZodObjectLike,
  options: SchemaFromZodOptions = {},
): DatasetSchema {
  const columns = Object.entries(object.shape).map(([k, t]) => columnFromZod(k, t as z.ZodType));
  return buildSchema(columns, options);
}
