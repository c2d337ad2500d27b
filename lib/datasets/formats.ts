/**
 * Reading dataset files: a JSON array of objects, JSON Lines, and CSV (streamed), with type
 * inference or a declared schema. Syntax and encoding problems throw a {@link DatasetError}
 * whose issues carry the file and line.
 *
 * @module
 */
import { DatasetError, type Issue } from "../_internal/errors.ts";
import { CSV_ERROR_KINDS, CsvSyntaxError, parseCsvRecords } from "../_internal/csv.ts";
import {
  buildSchema,
  inferSchema,
  type InferSchemaOptions,
  KindCounter,
  type ValueKind,
} from "./schema.ts";
import type { ColumnSpec, ColumnType, DatasetSchema, Row } from "./types.ts";
import { JsonScanError, scanJson } from "./_json_scan.ts";

/** Supported file formats. */
export type DatasetFormat = "json" | "jsonl" | "csv";

/** Options for {@link readDatasetFile} and {@link parseDatasetBytes}. */
export interface ReadDatasetOptions extends InferSchemaOptions {
  /** The format; by default taken from the extension (`.json`, `.jsonl`/`.ndjson`, `.csv`/`.tsv`). */
  format?: DatasetFormat;
  /** A declared schema: values are converted to its types and checked against it. */
  schema?: DatasetSchema;
  /** CSV delimiter. Default `,` (tab for `.tsv`). */
  delimiter?: string;
  /** The name shown in issues. Default: the path. */
  file?: string;
  /** CSV: refuse a value longer than this many characters (an `invalid_csv` issue). Default: no limit. */
  maxRecordSize?: number;
}

/** What {@link readDatasetFile} returns: rows not yet validated, and their schema. */
export interface ReadDatasetResult {
  /** The rows. */
  rows: Row[];
  /** The declared schema (plus any extra columns), or the inferred one. */
  schema: DatasetSchema;
  /** The format read. */
  format: DatasetFormat;
  /**
   * Maps a 0-based row index (and optionally a field) to its 1-based physical line in the file:
   * blank lines, comments-free multi-line JSON and newlines inside quoted CSV values counted.
   */
  lineOf: (row: number, field?: string) => number | undefined;
}

const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_RE = /^[+-]?\d+$/;
const NON_FINITE: Record<string, number> = {
  "nan": Number.NaN,
  "inf": Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  "infinity": Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};

function fail(file: string, issue: Omit<Issue, "file">, message?: string): never {
  const i: Issue = { ...issue, file };
  throw new DatasetError(message ?? `Cannot read ${file}`, [i]);
}

/**
 * Guesses the format from a file name, or throws a {@link DatasetError}.
 *
 * @example
 * ```ts
 * import { formatFromPath } from "@evalkit/evalkit/datasets";
 * if (formatFromPath("data/apps.ndjson") !== "jsonl") throw new Error("format");
 * ```
 */
export function formatFromPath(path: string, file = path): DatasetFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv") || lower.endsWith(".tsv")) return "csv";
  return fail(file, {
    code: "unknown_format",
    path: [],
    message:
      "Unknown file format: use a .json, .jsonl, .ndjson, .csv or .tsv file, or pass a format",
  });
}

/**
 * The index of the first byte that is not valid UTF-8, or -1. An incomplete sequence at the very end counts as valid when `partialEndOk`.
 *
 * @example
 * ```ts
 * import { firstInvalidUtf8 } from "./formats.ts";
 * if (firstInvalidUtf8(new Uint8Array([0x61, 0xc3, 0x28])) !== 1) throw new Error("utf8");
 * ```
 */
export function firstInvalidUtf8(b: Uint8Array, partialEndOk = false): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number, min: number;
    if (c >= 0xc2 && c <= 0xdf) need = 1, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) need = 2, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, min = 0x10000;
    else return i;
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return partialEndOk ? -1 : i;
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countLines(b: Uint8Array, end = b.length): number {
  let lines = 0;
  let i = b.indexOf(0x0a);
  while (i !== -1 && i < end) {
    lines++;
    i = b.indexOf(0x0a, i + 1);
  }
  return lines;
}

function checkStart(bytes: Uint8Array, file: string): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail(file, {
      code: "unsupported_encoding",
      path: [],
      line: 1,
      message: "The file starts with a UTF-16 byte order mark: save it as UTF-8",
    });
  }
}

/** Decodes whole-file bytes as strict UTF-8 (a UTF-8 BOM is dropped) or throws with the line. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  checkStart(bytes, file);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    return fail(file, {
      code: "invalid_utf8",
      path: [],
      line: countLines(bytes, at) + 1,
      message: `Invalid UTF-8 at byte ${at}`,
    });
  }
}

function emptyFile(file: string): never {
  return fail(file, { code: "empty_file", path: [], line: 1, message: "The file is empty" });
}

function asRow(v: unknown, file: string, index: number, line: number | undefined): Row {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return fail(file, {
      code: "not_an_object",
      path: [index],
      ...(line !== undefined ? { line } : {}),
      message: `Row ${index} is ${
        Array.isArray(v) ? "an array" : v === null ? "null" : typeof v
      }, expected an object`,
    });
  }
  return v as Row;
}

type ParsedJson = { rows: Row[]; lineOf: (r: number, field?: string) => number | undefined };

function scanOrFail(
  text: string,
  file: string,
  options: Parameters<typeof scanJson>[1],
): ReturnType<typeof scanJson> {
  try {
    return scanJson(text, options);
  } catch (err) {
    if (!(err instanceof JsonScanError)) throw err;
    const p = err.problem;
    return fail(file, { code: p.code, path: p.path, line: p.line, message: p.message });
  }
}

function parseJson(text: string, file: string): ParsedJson {
  // The strict scan first: duplicated keys, depth, comments and syntax, with physical lines.
  const scan = scanOrFail(text, file, { rowsAreElements: true });
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) {
    return fail(file, {
      code: "not_an_array",
      path: [],
      line: scan.rowLines[0] ?? 1,
      message: "Expected a JSON array of row objects",
    });
  }
  const rowLines = scan.rowLines;
  const rows = data.map((v, i) => asRow(v, file, i, rowLines[i]));
  const fields = scan.fieldLines;
  return {
    rows,
    lineOf: (r, field) =>
      (field !== undefined ? fields.get(r)?.get(field) : undefined) ?? rowLines[r],
  };
}

function parseJsonl(text: string, file: string): ParsedJson {
  const rows: Row[] = [];
  const lines: number[] = [];
  let start = 0, lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    scanOrFail(line, file, { rowsAreElements: false, firstLine: lineNo, rowIndex: rows.length });
    rows.push(asRow(JSON.parse(line), file, rows.length, lineNo));
    lines.push(lineNo);
  }
  return { rows, lineOf: (r) => lines[r] };
}

/**
 * Converts one CSV text value to a column type; values that do not fit stay strings (validation reports them).
 *
 * @example
 * ```ts
 * import { convertCsvValue } from "./formats.ts";
 * if (convertCsvValue("42", "integer") !== 42) throw new Error("int");
 * if (convertCsvValue("n/a", "number") !== "n/a") throw new Error("kept for validation");
 * if (convertCsvValue("", "string") !== null) throw new Error("empty is missing");
 * ```
 */
export function convertCsvValue(raw: string, type: ColumnType): unknown {
  if (raw === "") return null;
  switch (type) {
    case "string":
      return raw;
    case "number":
    case "integer": {
      const n = +raw;
      // Fast path: plain decimal text. `+` also accepts hex, binary and blanks, so check those.
      if (n === n && raw.charCodeAt(0) > 32) {
        const c1 = raw.charCodeAt(1);
        if (c1 !== 120 && c1 !== 88 && c1 !== 98 && c1 !== 66 && c1 !== 111 && c1 !== 79) {
          if (raw.charCodeAt(raw.length - 1) > 32 && n !== Infinity && n !== -Infinity) return n;
        }
      }
      const s = raw.trim();
      if (NUMERIC_RE.test(s)) return Number(s);
      const nf = s.length <= 9 ? NON_FINITE[s.toLowerCase()] : undefined;
      return nf !== undefined ? nf : raw;
    }
    case "boolean": {
      const s = raw.trim().toLowerCase();
      if (s === "true" || s === "1" || s === "yes") return true;
      if (s === "false" || s === "0" || s === "no") return false;
      return raw;
    }
  }
}

function kindOfCsv(raw: string): ValueKind | undefined {
  if (raw === "") return undefined;
  let s = raw;
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32) s = s.trim();
  const c = s.charCodeAt(0);
  // Digits, sign or dot: a number candidate.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT_RE.test(s)) return "integer";
    if (NUMERIC_RE.test(s)) return "number";
  }
  if (s.length <= 9) {
    const l = s.toLowerCase();
    if (NON_FINITE[l] !== undefined) return "number";
    if (l === "true" || l === "false") return "boolean";
  }
  return "string";
}

function utf8Guard(file: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let first = true;
  let offset = 0;
  let lines = 0;
  let sawData = false;
  return new TransformStream({
    transform(chunk, controller) {
      if (first && chunk.length > 0) {
        checkStart(chunk, file);
        first = false;
      }
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        const at = Math.max(0, firstInvalidUtf8(chunk, true));
        fail(file, {
          code: "invalid_utf8",
          path: [],
          line: lines + countLines(chunk, at) + 1,
          message: `Invalid UTF-8 at byte ${offset + at}`,
        });
      }
      if (!sawData) {
        for (const b of chunk) {
          if (
            b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb &&
            b !== 0xbf
          ) {
            sawData = true;
            break;
          }
        }
      }
      lines += countLines(chunk);
      offset += chunk.length;
      controller.enqueue(chunk);
    },
    flush() {
      try {
        decoder.decode();
      } catch {
        fail(file, {
          code: "invalid_utf8",
          path: [],
          line: lines + 1,
          message: `Invalid UTF-8: the file ends inside a multi-byte character`,
        });
      }
      if (!sawData) emptyFile(file);
    },
  });
}

/**
 * Returns one shared instance per distinct text of a column (categories such as
 * `loan_purpose` repeat), so a million rows do not keep a million copies. Stops adding after
 * 4,096 distinct values (an id column), keeping memory bounded.
 */
function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  let full = false;
  return (s) => {
    if (full) return s;
    const v = seen.get(s);
    if (v !== undefined) return v;
    if (seen.size < 4096) seen.set(s, s);
    else {
      // A high-cardinality column (ids): stop paying for lookups.
      full = true;
      seen.clear();
    }
    return s;
  };
}

/**
 * Reads a CSV byte stream (streaming: the text is never held whole) into rows.
 *
 * @example
 * ```ts
 * import { readCsvStream } from "@evalkit/evalkit/datasets";
 * const bytes = new TextEncoder().encode("request_id,x\na,1\nb,2\n");
 * const r = await readCsvStream(ReadableStream.from([bytes]), { file: "inline.csv" });
 * if (r.rows.length !== 2 || r.schema.id !== "request_id") throw new Error("csv");
 * ```
 */
export async function readCsvStream(
  stream: ReadableStream<Uint8Array>,
  options: ReadDatasetOptions & { file: string },
): Promise<ReadDatasetResult> {
  const file = options.file;
  const delimiter = options.delimiter ?? ",";
  let header: string[] | undefined;
  let types: (ColumnType | undefined)[] = [];
  const rowsTyped: Row[] = [];
  const rowsRaw: string[][] = [];
  let counters: KindCounter[] = [];
  let extraInfer = false;
  let interns: ((s: string) => string)[] = [];
  const lines: number[] = [];
  checkDelimiter(delimiter, file);
  try {
    const records = parseCsvRecords(stream.pipeThrough(utf8Guard(file)), {
      delimiter,
      ...(options.maxRecordSize !== undefined ? { maxRecordSize: options.maxRecordSize } : {}),
    });
    for await (const { fields: rec, line } of records) {
      if (header === undefined) {
        header = checkHeader(rec, file, delimiter, options);
        const declared = new Map((options.schema?.columns ?? []).map((c) => [c.name, c.type]));
        types = header.map((h) => declared.get(h));
        extraInfer = types.some((t) => t === undefined);
        counters = header.map(() => new KindCounter());
        interns = header.map(() => interner());
        continue;
      }
      lines.push(line);
      if (options.schema === undefined) {
        for (let j = 0; j < rec.length; j++) counters[j]!.add(kindOfCsv(rec[j]!));
        rowsRaw.push(rec);
      } else {
        const o: Row = {};
        for (let j = 0; j < header.length; j++) {
          const t = types[j];
          const raw = rec[j] ?? "";
          if (t === undefined) {
            counters[j]!.add(kindOfCsv(raw));
            o[header[j]!] = raw;
          } else if (t === "string") o[header[j]!] = raw === "" ? null : interns[j]!(raw);
          else o[header[j]!] = convertCsvValue(raw, t);
        }
        rowsTyped.push(o);
      }
    }
  } catch (err) {
    if (err instanceof CsvSyntaxError) csvFail(err, file, header);
    throw err;
  }
  if (header === undefined) emptyFile(file);
  const lineOf = (r: number): number | undefined => lines[r];
  if (options.schema === undefined) {
    const columns: ColumnSpec[] = header.map((name, j) => ({
      name,
      type: counters[j]!.type(),
      required: counters[j]!.missing === 0,
    }));
    const rows: Row[] = new Array(rowsRaw.length);
    for (let i = 0; i < rowsRaw.length; i++) {
      const rec = rowsRaw[i]!;
      const o: Row = {};
      for (let j = 0; j < columns.length; j++) {
        const raw = rec[j] ?? "";
        o[columns[j]!.name] = columns[j]!.type === "string" && raw !== ""
          ? interns[j]!(raw)
          : convertCsvValue(raw, columns[j]!.type);
      }
      rows[i] = o;
      rowsRaw[i] = undefined as unknown as string[]; // let the text go as we convert
    }
    return { rows, schema: buildSchema(columns, options), format: "csv", lineOf };
  }
  const schema = options.schema;
  if (extraInfer) {
    const extra: ColumnSpec[] = [];
    header.forEach((name, j) => {
      if (types[j] !== undefined) return;
      const type = counters[j]!.type();
      extra.push({ name, type, required: false });
      for (const row of rowsTyped) row[name] = convertCsvValue(row[name] as string, type);
    });
    return {
      rows: rowsTyped,
      schema: { ...schema, columns: [...schema.columns, ...extra] },
      format: "csv",
      lineOf,
    };
  }
  return { rows: rowsTyped, schema, format: "csv", lineOf };
}

function checkDelimiter(delimiter: string, file: string): void {
  if (delimiter === "" || /["\r\n]/.test(delimiter)) {
    fail(file, {
      code: "invalid_option",
      path: ["delimiter"],
      message:
        `Expected the CSV delimiter to be a character other than a quote or a line break but found ${
          JSON.stringify(delimiter)
        }`,
    });
  }
}

/** Every csv-parse error as a located issue: file, physical line, row and field. */
function csvFail(err: CsvSyntaxError, file: string, header: string[] | undefined): never {
  const kind = CSV_ERROR_KINDS[err.code as keyof typeof CSV_ERROR_KINDS] ?? "quote";
  const row = err.record !== undefined && err.record >= 1 ? err.record - 1 : undefined;
  const field = err.column === undefined
    ? undefined
    : header !== undefined
    ? header[err.column] ?? `column ${err.column + 1}`
    : err.column;
  const path: (string | number)[] = row !== undefined
    ? [row, ...(field !== undefined ? [field] : [])]
    : field !== undefined
    ? [field]
    : [];
  const inField = field !== undefined && typeof field === "string" ? ` in field ${field}` : "";
  const where = err.line !== undefined ? { line: err.line } : {};
  switch (kind) {
    case "ragged":
      return fail(file, {
        code: "ragged_row",
        path: row !== undefined ? [row] : [],
        ...where,
        message: `Row has a different number of fields than the header (${err.message})`,
      });
    case "quote":
      return fail(file, {
        code: "invalid_csv",
        path,
        ...where,
        message: err.code === "INVALID_OPENING_QUOTE"
          ? `Malformed CSV: a quote inside an unquoted value${inField}: quote the whole value and double the quotes inside it ("Alan ""The"" Turing") (${err.message})`
          : `Malformed CSV: a quoted value${inField} must end with its closing quote followed by the delimiter or the end of the line (${err.message})`,
      });
    case "unclosed":
      return fail(file, {
        code: "invalid_csv",
        path,
        ...where,
        message:
          `Malformed CSV: a quote opened in the record starting on this line${inField} is never closed (${err.message})`,
      });
    case "size":
      return fail(file, {
        code: "invalid_csv",
        path,
        ...where,
        message: `Malformed CSV: the record is longer than the limit (${err.message})`,
      });
    case "option":
      return fail(file, {
        code: "invalid_option",
        path: [],
        message: `The CSV reader refused its options (${err.message})`,
      });
  }
}

function checkHeader(
  rec: string[],
  file: string,
  delimiter: string,
  options: ReadDatasetOptions,
): string[] {
  const header = rec.map((h) => h.trim());
  if (header.length === 1 && delimiter === ",") {
    const h = header[0]!;
    const other = [";", "\t", "|"].find((d) => h.includes(d));
    if (other !== undefined) {
      fail(file, {
        code: "wrong_delimiter",
        path: [],
        line: 1,
        message: `The header is one column ${
          JSON.stringify(h.slice(0, 60))
        }: the file seems to use ${JSON.stringify(other)} as delimiter, not ","`,
      });
    }
  }
  const seen = new Set<string>();
  header.forEach((h, j) => {
    if (h === "") {
      fail(file, {
        code: "invalid_header",
        path: [j],
        line: 1,
        message: `Header column ${j + 1} is empty`,
      });
    }
    if (seen.has(h)) {
      fail(file, {
        code: "invalid_header",
        path: [h],
        line: 1,
        message: `Header column ${JSON.stringify(h)} appears twice`,
      });
    }
    seen.add(h);
  });
  const target = options.schema?.target ?? options.target;
  if (target !== undefined && !seen.has(target)) {
    fail(file, {
      code: "missing_target",
      path: [target],
      line: 1,
      message: `The header has no target column ${JSON.stringify(target)}`,
    });
  }
  for (const col of options.schema?.columns ?? []) {
    if ((col.required ?? true) && !seen.has(col.name)) {
      fail(file, {
        code: "missing_column",
        path: [col.name],
        line: 1,
        message: `The header has no column ${JSON.stringify(col.name)} that the schema requires`,
      });
    }
  }
  return header;
}

function finishJsonRows(
  parsed: ParsedJson,
  format: DatasetFormat,
  options: ReadDatasetOptions,
): ReadDatasetResult {
  const schema = options.schema ?? inferSchema(parsed.rows, options);
  return { rows: parsed.rows, schema, format, lineOf: parsed.lineOf };
}

/**
 * Parses dataset bytes already in memory.
 *
 * @example
 * ```ts
 * import { parseDatasetBytes } from "@evalkit/evalkit/datasets";
 * const bytes = new TextEncoder().encode('{"request_id":"a","x":1}\n{"request_id":"b","x":2.5}\n');
 * const r = await parseDatasetBytes(bytes, { format: "jsonl" });
 * if (r.rows.length !== 2 || r.schema.columns[1]!.type !== "number") throw new Error("parse");
 * ```
 */
export async function parseDatasetBytes(
  bytes: Uint8Array,
  options: ReadDatasetOptions & { format: DatasetFormat },
): Promise<ReadDatasetResult> {
  const file = options.file ?? `<${options.format}>`;
  if (options.format === "csv") {
    return await readCsvStream(ReadableStream.from([bytes]), { ...options, file });
  }
  const text = decodeUtf8(bytes, file);
  if (text.trim() === "") emptyFile(file);
  const parsed = options.format === "json" ? parseJson(text, file) : parseJsonl(text, file);
  return finishJsonRows(parsed, options.format, options);
}

/** A file's bytes in 1 MiB chunks (fewer reads than the default 64 KiB stream); closes the file. */
function fileStream(file: Deno.FsFile, chunkSize = 1 << 20): ReadableStream<Uint8Array> {
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      file.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(chunkSize);
      let filled = 0;
      while (filled < chunkSize) {
        const n = await file.read(buf.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      if (filled > 0) controller.enqueue(filled === chunkSize ? buf : buf.slice(0, filled));
      if (filled < chunkSize) {
        close();
        controller.close();
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}

/**
 * Reads a dataset file (JSON array, JSON Lines or CSV). CSV is streamed from disk. Rows are
 * not validated here: pass them to `validateRows` with `lineOf` for file locations.
 *
 * @example
 * ```ts
 * import { readDatasetFile, validateRows } from "@evalkit/evalkit/datasets";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "request_id,score,expected_outcome\na,700,approve\nb,640,reject\n");
 * const r = await readDatasetFile(path, { target: "expected_outcome" });
 * const v = validateRows(r.rows, r.schema, { file: path, lineOf: r.lineOf });
 * await Deno.remove(path);
 * if (r.rows[0]!.score !== 700 || !v.ok) throw new Error("numbers are inferred; rows are valid");
 * ```
 */
export async function readDatasetFile(
  path: string,
  options: ReadDatasetOptions = {},
): Promise<ReadDatasetResult> {
  const file = options.file ?? path;
  const format = options.format ?? formatFromPath(path, file);
  const delimiter = options.delimiter ?? (path.toLowerCase().endsWith(".tsv") ? "\t" : undefined);
  let f: Deno.FsFile;
  try {
    f = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return fail(file, { code: "not_found", path: [], message: "No such file" });
    }
    throw err;
  }
  if (format === "csv") {
    return await readCsvStream(fileStream(f), {
      ...options,
      file,
      ...(delimiter !== undefined ? { delimiter } : {}),
    });
  }
  const bytes = await new Response(f.readable).bytes();
  return await parseDatasetBytes(bytes, { ...options, file, format });
}
