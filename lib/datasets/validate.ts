/**
 * Dataset validation: issues as data, plus a throwing variant.
 *
 * @module
 */
import { DatasetError, type Issue, type IssueCode } from "../_internal/errors.ts";
import { rowZodSchema } from "./schema.ts";
import { MAX_NESTING_DEPTH } from "./_json_scan.ts";
import type { DatasetSchema, Row } from "./types.ts";

/** The result of {@link validateRows}. */
export interface ValidationResult {
  /** True when no issue was found. */
  ok: boolean;
  /** The issues, at most `maxIssues` of them. */
  issues: Issue[];
  /** True when more issues existed than were kept. */
  truncated: boolean;
}

/** Options for {@link validateRows}. */
export interface ValidateOptions {
  /** Stop collecting after this many issues. Default 100. */
  maxIssues?: number;
  /** Added to each issue (the file the rows came from). */
  file?: string;
  /** Maps a row index (and the field, when the issue has one) to its 1-based line in the file. */
  lineOf?: (row: number, field?: string) => number | undefined;
}

function preview(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/**
 * Validates rows against a schema. Issue codes: `empty_dataset`, `missing_target`,
 * `missing_field`, `wrong_type`, `non_finite` (NaN or ±Infinity in a numeric field),
 * `out_of_range` (outside the column's `minimum`/`maximum`, or an integer beyond the safe range), `invalid_value` (not one of the column's
 * values), `duplicate_id`. Paths are `[row, field]` with 0-based rows.
 *
 * @example
 * ```ts
 * import { validateRows } from "@evalkit/evalkit/datasets";
 * const schema = { columns: [{ name: "id", type: "string" as const }, { name: "x", type: "number" as const }], id: "id" };
 * const r = validateRows([{ id: "a", x: 1 }, { id: "a", x: Number.NaN }], schema);
 * if (r.issues.map((i) => i.code).join() !== "non_finite,duplicate_id") throw new Error(JSON.stringify(r.issues));
 * ```
 */
export function validateRows(
  rows: readonly Row[],
  schema: DatasetSchema,
  options: ValidateOptions = {},
): ValidationResult {
  const max = options.maxIssues ?? 100;
  const issues: Issue[] = [];
  let truncated = false;
  const push = (issue: Issue): boolean => {
    if (issues.length >= max) {
      truncated = true;
      return false;
    }
    const row = typeof issue.path[0] === "number" ? issue.path[0] : undefined;
    const field = typeof issue.path[1] === "string" ? issue.path[1] : undefined;
    const line = row !== undefined ? options.lineOf?.(row, field) : undefined;
    issues.push({
      ...issue,
      ...(options.file !== undefined ? { file: options.file } : {}),
      ...(line !== undefined ? { line } : {}),
    });
    return true;
  };
  if (rows.length === 0) {
    push({ code: "empty_dataset", path: [], message: "The dataset has no rows" });
    return { ok: false, issues, truncated };
  }
  const target = schema.target;
  if (target !== undefined) {
    if (!schema.columns.some((c) => c.name === target)) {
      push({
        code: "missing_target",
        path: [target],
        message: `The target column ${JSON.stringify(target)} is not in the schema`,
      });
    } else if (!rows.some((r) => r[target] !== undefined && r[target] !== null)) {
      push({
        code: "missing_target",
        path: [target],
        message: `No row has the target field ${JSON.stringify(target)}`,
      });
      return { ok: false, issues, truncated };
    }
  }
  const zod = rowZodSchema(schema);
  const types = new Map(schema.columns.map((c) => [c.name, c]));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (const issue of valueIssues(row, i, schema.id)) {
      if (!push(issue)) return { ok: false, issues, truncated };
    }
    const parsed = zod.safeParse(row);
    if (parsed.success) continue;
    for (const zi of parsed.error.issues) {
      const field = String(zi.path[0] ?? "");
      const col = types.get(field);
      const value = row[field];
      let code: IssueCode, message: string;
      if (value === undefined || value === null) {
        code = field === target ? "missing_target" : "missing_field";
        message = `Missing required field ${field}`;
      } else if (typeof value === "number" && !Number.isFinite(value)) {
        code = "non_finite";
        message = `Expected ${field} to be a finite number but found ${value}`;
      } else if (zi.code === "too_big" || zi.code === "too_small") {
        code = "out_of_range";
        const min = col?.minimum, max = col?.maximum;
        const declared = zi.code === "too_big"
          ? max !== undefined && Number(value) > max
          : min !== undefined && Number(value) < min;
        const range = min !== undefined && max !== undefined
          ? `between ${min} and ${max}`
          : min !== undefined
          ? `at least ${min}`
          : `at most ${max}`;
        message = `Expected ${field} to be ${declared ? range : "a safe integer"} but found ${
          preview(value)
        }`;
      } else if (zi.code === "invalid_value") {
        code = "invalid_value";
        message = `Expected ${field} to be one of ${
          (col?.values ?? []).map((v) => JSON.stringify(v)).join(", ")
        } but found ${preview(value)}`;
      } else {
        code = "wrong_type";
        message = `Expected ${field} to be ${
          col?.type === "integer" ? "an integer" : `a ${col?.type ?? "value"}`
        } but found ${preview(value)}`;
      }
      if (!push({ code, path: [i, field], message })) return { ok: false, issues, truncated };
    }
  }
  const id = schema.id;
  if (id !== undefined) {
    const seen = new Map<unknown, number>();
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![id];
      if (v === undefined || v === null) continue;
      if (typeof v === "string") {
        const bad = badIdCharacter(v);
        if (bad !== undefined) {
          const ok = push({
            code: "invalid_id",
            path: [i, id],
            message: `The ${id} ${preview(v)} contains ${bad}: ids must be printable text`,
          });
          if (!ok) break;
          continue;
        }
      }
      // Ids that differ only in their Unicode form ("é" as one or two code points) are one id.
      const key = typeof v === "string" && !ASCII_RE.test(v) ? v.normalize("NFC") : v;
      const first = seen.get(key);
      if (first !== undefined) {
        const ok = push({
          code: "duplicate_id",
          path: [i, id],
          message: `Duplicate ${id} ${preview(v)} (first seen at row ${first}${
            key !== v || rows[first]![id] !== v ? ", in another Unicode form" : ""
          })`,
        });
        if (!ok) break;
      } else seen.set(key, i);
    }
  }
  return { ok: issues.length === 0, issues, truncated };
}

const ASCII_RE = /^[\x20-\x7e]*$/;

/**
 * What makes a string unusable as an id, or undefined: control characters (C0 including NUL,
 * DEL, C1), lone UTF-16 surrogates, and Unicode non-characters. `T-1` and `T-1\0` print alike
 * but would be two ids.
 */
function badIdCharacter(v: string): string | undefined {
  if (ASCII_RE.test(v)) return undefined;
  if (!v.isWellFormed()) return "a lone UTF-16 surrogate (not valid Unicode)";
  // deno-lint-ignore no-control-regex
  const m = /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]/.exec(v);
  if (m === null) return undefined;
  const cp = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  return `the ${m[0] === "\0" ? "NUL " : ""}character U+${cp}`;
}

/**
 * Problems inside one row's values that the per-column checks do not see: a string that is not
 * valid Unicode (a lone surrogate, which UTF-8 cannot carry: it would be digested as U+FFFD) and
 * nesting deeper than {@link MAX_NESTING_DEPTH}. An explicit stack, never recursion.
 */
function valueIssues(row: Row, index: number, id: string | undefined): Issue[] {
  let out: Issue[] | undefined;
  for (const key in row) {
    const v = row[key];
    if (typeof v === "string") {
      if (key !== id && !v.isWellFormed()) { // an id's text is checked as invalid_id
        (out ??= []).push({
          code: "invalid_text",
          path: [index, key],
          message: `${key} contains a lone UTF-16 surrogate: not valid Unicode text`,
        });
      }
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [
      { value: v, depth: 1, path: [] },
    ];
    while (stack.length > 0) {
      const { value, depth, path } = stack.pop()!;
      if (typeof value === "string") {
        if (!value.isWellFormed()) {
          (out ??= []).push({
            code: "invalid_text",
            path: [index, key, ...path],
            message: `${key} contains a lone UTF-16 surrogate: not valid Unicode text`,
          });
          break;
        }
        continue;
      }
      if (value === null || typeof value !== "object") continue;
      if (depth > MAX_NESTING_DEPTH) {
        (out ??= []).push({
          code: "too_deep",
          path: [index, key],
          message:
            `${key} holds a value nested more than ${MAX_NESTING_DEPTH} levels deep (the limit is ${MAX_NESTING_DEPTH})`,
        });
        break;
      }
      const entries = Array.isArray(value)
        ? value.map((x, j) => [j, x] as const)
        : Object.entries(value as Record<string, unknown>);
      for (const [k, x] of entries) stack.push({ value: x, depth: depth + 1, path: [...path, k] });
    }
  }
  return out ?? [];
}

/**
 * Validates and throws a {@link DatasetError} carrying every issue when invalid.
 *
 * @example
 * ```ts
 * import { assertValidRows, DatasetError } from "@evalkit/evalkit/datasets";
 * try {
 *   assertValidRows([], { columns: [] });
 *   throw new Error("should throw");
 * } catch (e: unknown) {
 *   if (!(e instanceof DatasetError) || e.issues[0]!.code !== "empty_dataset") throw e;
 * }
 * ```
 */
export function assertValidRows(
  rows: readonly Row[],
  schema: DatasetSchema,
  options: ValidateOptions = {},
): void {
  const r = validateRows(rows, schema, options);
  if (!r.ok) {
    const where = options.file !== undefined ? ` in ${options.file}` : "";
    throw new DatasetError(
      `Invalid dataset${where}: ${r.issues.length}${r.truncated ? "+" : ""} issue(s)`,
      r.issues,
    );
  }
}
