/**
 * The CSV adapter: the only module that imports `csv-parse` / `csv-stringify`, so a move to
 * `@std/csv` later is a one-file change. The stream parser is fed bytes (it silently drops
 * string chunks).
 *
 * @module
 */
import { type CsvErrorCode, parse } from "csv-parse/stream";
import { stringify } from "csv-stringify/sync";

/**
 * A CSV syntax problem with where it happened.
 *
 * @example
 * ```ts
 * import { CsvSyntaxError } from "@evalkit/evalkit/datasets";
 * import { parseCsvStream } from "./csv.ts";
 * const bytes = new TextEncoder().encode("a,b\n1\n");
 * try {
 *   for await (const _ of parseCsvStream(ReadableStream.from([bytes]))) {
 *     // rows
 *   }
 *   throw new Error("should fail");
 * } catch (e) {
 *   if (!(e instanceof CsvSyntaxError) || e.line !== 2) throw e;
 * }
 * ```
 */
export class CsvSyntaxError extends SyntaxError {
  /** The parser's code, e.g. `CSV_RECORD_INCONSISTENT_FIELDS_LENGTH` (see {@link CSV_ERROR_KINDS}). */
  readonly code: string;
  /** 1-based physical line in the file, when known (blank lines and quoted newlines counted). */
  readonly line: number | undefined;
  /** 0-based index of the record the problem is in (the header is record 0), when known. */
  readonly record: number | undefined;
  /** 0-based index of the field in that record, when known. */
  readonly column: number | undefined;
  /** Creates the error. */
  constructor(
    message: string,
    code: string,
    line: number | undefined,
    options?: ErrorOptions & { record?: number; column?: number },
  ) {
    super(message, options);
    this.name = "CsvSyntaxError";
    this.code = code;
    this.line = line;
    this.record = options?.record;
    this.column = options?.column;
  }
}

/** Codes csv-parse 7.0.3 raises (in `normalize_options.js`) that its `CsvErrorCode` type omits. */
type CsvUndeclaredCode =
  | "CSV_IGNORE_LAST_DELIMITERS_REQUIRES_COLUMNS"
  | "CSV_INVALID_OPTION_DELIMITER_AUTO"
  | "CSV_INVALID_OPTION_ENCODING"
  | "CSV_INVALID_OPTION_IGNORE_LAST_DELIMITERS"
  | "CSV_INVALID_OPTION_RECORD_DELIMITER";

/**
 * What each `csv-parse` error code means for a reader, for every code the parser declares
 * (a `Record` over its `CsvErrorCode` union and the codes its source raises beyond it; a code
 * added to the union by an upgrade fails the type check until it is placed here). `quote`: a quoting mistake at a character; `unclosed`: the file
 * ends inside a quoted field; `ragged`: a record with a different number of fields; `size`: a
 * record over `maxRecordSize`; `option`: an unusable parser option (a bad delimiter).
 */
export const CSV_ERROR_KINDS: Readonly<
  Record<CsvErrorCode | CsvUndeclaredCode, "quote" | "unclosed" | "ragged" | "size" | "option">
> = {
  CSV_IGNORE_LAST_DELIMITERS_REQUIRES_COLUMNS: "option",
  CSV_INVALID_OPTION_DELIMITER_AUTO: "option",
  CSV_INVALID_OPTION_ENCODING: "option",
  CSV_INVALID_OPTION_IGNORE_LAST_DELIMITERS: "option",
  CSV_INVALID_OPTION_RECORD_DELIMITER: "option",
  CSV_INVALID_ARGUMENT: "option",
  CSV_INVALID_CLOSING_QUOTE: "quote",
  CSV_INVALID_COLUMN_DEFINITION: "option",
  CSV_INVALID_COLUMN_MAPPING: "option",
  CSV_INVALID_OPTION_BOM: "option",
  CSV_INVALID_OPTION_CAST: "option",
  CSV_INVALID_OPTION_CAST_DATE: "option",
  CSV_INVALID_OPTION_COLUMNS: "option",
  CSV_INVALID_OPTION_COMMENT: "option",
  CSV_INVALID_OPTION_DELIMITER: "option",
  CSV_INVALID_OPTION_GROUP_COLUMNS_BY_NAME: "option",
  CSV_INVALID_OPTION_ON_RECORD: "option",
  CSV_MAX_RECORD_SIZE: "size",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "quote",
  CSV_OPTION_COLUMNS_MISSING_NAME: "option",
  CSV_QUOTE_NOT_CLOSED: "unclosed",
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: "ragged",
  CSV_RECORD_INCONSISTENT_COLUMNS: "ragged",
  CSV_UNKNOWN_ERROR: "option",
  INVALID_OPENING_QUOTE: "quote",
};

/** Options for {@link parseCsvStream}. */
export interface CsvParseOptions {
  /** Field delimiter. Default `,`. */
  delimiter?: string;
  /** Accept records whose field count differs from the first record. Default false. */
  relaxColumnCount?: boolean;
  /**
   * Refuse a record holding a value longer than this many characters (csv-parse's
   * `max_record_size`, `CSV_MAX_RECORD_SIZE`): bounds memory on a file whose quote never closes.
   * Default 0: no limit.
   */
  maxRecordSize?: number;
}

/** One CSV record and the physical line it starts on. */
export interface CsvRecord {
  /** The field values. */
  fields: string[];
  /** 1-based line the record starts on, counting blank lines and newlines inside quotes. */
  line: number;
}

/**
 * Parses a CSV byte stream into records with the physical line each starts on, streaming.
 * A UTF-8 byte order mark is removed; empty lines are skipped (and counted). Throws
 * {@link CsvSyntaxError} for every parser error, with line, record and field when known.
 *
 * @example
 * ```ts
 * import { parseCsvRecords } from "@evalkit/evalkit/datasets";
 * const bytes = new TextEncoder().encode('a,b\n\n1,"x\ny"\n2,z\n');
 * const lines: number[] = [];
 * for await (const r of parseCsvRecords(ReadableStream.from([bytes]))) lines.push(r.line);
 * if (lines.join() !== "1,3,5") throw new Error(lines.join());
 * ```
 */
export async function* parseCsvRecords(
  stream: ReadableStream<Uint8Array>,
  options: CsvParseOptions = {},
): AsyncGenerator<CsvRecord> {
  // The line a record starts on: the previous record's last line, plus one, plus the blank
  // lines skipped since. A record csv-parse sees on one line ends where it starts; one spanning
  // lines (a quoted newline) ends as many lines later as its values hold "\n" (csv-parse's own
  // `info.lines` counts a quoted CRLF twice). Tracked inside the parser (`on_record`), so an
  // error sees every record before it.
  const prev: CsvLineState = { end: 0, empty: 0, parserLines: 0 };
  let parser: TransformStream<Uint8Array, CsvRecord>;
  try {
    parser = parse({
      delimiter: options.delimiter ?? ",",
      bom: true,
      skip_empty_lines: true,
      relax_column_count: options.relaxColumnCount ?? false,
      columns: false,
      max_record_size: options.maxRecordSize ?? 0,
      // Typed as returning a record; csv-parse pushes whatever it returns.
      on_record: ((record: string[], info: CsvInfo): CsvRecord => {
        const skipped = info.empty_lines - prev.empty;
        const line = prev.end + 1 + skipped;
        let end = line;
        if (info.lines - prev.parserLines - skipped !== 1) {
          for (const f of record) {
            for (let k = f.indexOf("\n"); k !== -1; k = f.indexOf("\n", k + 1)) end++;
          }
        }
        prev.end = end;
        prev.empty = info.empty_lines;
        prev.parserLines = info.lines;
        return { fields: record, line };
      }) as unknown as (record: string[]) => string[],
    }) as unknown as TransformStream<Uint8Array, CsvRecord>;
  } catch (err) {
    throw toCsvError(err, prev);
  }
  const reader = stream.pipeThrough(parser).getReader();
  try {
    while (true) {
      let result: ReadableStreamReadResult<CsvRecord>;
      try {
        result = await reader.read();
      } catch (err) {
        throw toCsvError(err, prev);
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Parses a CSV byte stream into records (arrays of strings), streaming: the text is never held
 * whole. A UTF-8 byte order mark is removed; empty lines are skipped. Throws
 * {@link CsvSyntaxError} with the line number on malformed input (unclosed quotes, ragged rows).
 *
 * @example
 * ```ts
 * import { parseCsvStream } from "./csv.ts";
 * const bytes = new TextEncoder().encode("a,b\n1,2\n");
 * const records: string[][] = [];
 * for await (const r of parseCsvStream(ReadableStream.from([bytes]))) records.push(r);
 * if (records.length !== 2 || records[1]![1] !== "2") throw new Error("parse");
 * ```
 */
export async function* parseCsvStream(
  stream: ReadableStream<Uint8Array>,
  options: CsvParseOptions = {},
): AsyncGenerator<string[]> {
  for await (const r of parseCsvRecords(stream, options)) yield r.fields;
}

/** Where the last record ended: our physical line, csv-parse's counters. */
interface CsvLineState {
  end: number;
  empty: number;
  parserLines: number;
}

/** The parts of csv-parse's `info` a record or an error carries that are read here. */
interface CsvInfo {
  lines: number;
  empty_lines: number;
  records: number;
}

function toCsvError(err: unknown, prev: CsvLineState): Error {
  if (err instanceof CsvSyntaxError) return err;
  const e = err as {
    code?: unknown;
    lines?: unknown;
    empty_lines?: unknown;
    records?: unknown;
    column?: unknown;
    message?: unknown;
  };
  if (typeof e?.code !== "string" || !(err instanceof Error)) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const kind = CSV_ERROR_KINDS[e.code as CsvErrorCode] as string | undefined;
  // Any csv-parse error (its codes, including one a later version adds) is a CsvSyntaxError.
  if (kind === undefined && !/^(CSV_|INVALID_)/.test(e.code)) return err;
  const at = typeof e.lines === "number" ? e.lines : undefined;
  const empty = typeof e.empty_lines === "number" ? e.empty_lines : prev.empty;
  const start = prev.end + 1 + (empty - prev.empty);
  // A quoting mistake is at a character (its line); the others concern the whole record.
  // A quote error's line: the record's start plus how far into it the parser was.
  const within = at !== undefined
    ? Math.max(0, at - prev.parserLines - (empty - prev.empty) - 1)
    : 0;
  const line = kind === "option" ? undefined : kind === "quote" ? start + within : start;
  const msg = String(e.message ?? "malformed CSV").replace(/^Invalid Record Length: /, "");
  return new CsvSyntaxError(msg, e.code, line, {
    cause: err,
    ...(typeof e.records === "number" && kind !== "option" ? { record: e.records } : {}),
    ...(typeof e.column === "number" && kind !== "option" ? { column: e.column } : {}),
  });
}

/** Options for {@link stringifyCsv}. */
export interface StringifyCsvOptions {
  /**
   * Neutralise spreadsheet formulas (OWASP "CSV Injection"): a text cell — or header — starting
   * with `=`, `+`, `-`, `@`, tab or carriage return (or their full-width forms) gets a leading `'`,
   * so Excel, LibreOffice and Google Sheets show it as text instead of running it. Numbers are
   * never changed (`-5` stays `-5`). Default true; false writes every cell verbatim.
   */
  escapeFormulas?: boolean;
}

/**
 * Writes rows as CSV text with a header line (RFC 4180 quoting). Formula-leading text cells are
 * neutralised by default (see {@link StringifyCsvOptions.escapeFormulas}).
 *
 * @example
 * ```ts
 * import { stringifyCsv } from "@evalkit/evalkit/datasets";
 * const text = stringifyCsv([{ a: -5, b: "x,y", c: "=HYPERLINK(\"http://x\")" }], ["a", "b", "c"]);
 * if (text !== 'a,b,c\n-5,"x,y","\'=HYPERLINK(""http://x"")"\n') throw new Error(text);
 * ```
 */
export function stringifyCsv(
  rows: readonly Record<string, unknown>[],
  columns: string[],
  options: StringifyCsvOptions = {},
): string {
  return stringify(rows as Record<string, unknown>[], {
    header: true,
    columns,
    escape_formulas: options.escapeFormulas ?? true,
    // csv-stringify writes true as "1" and false as "" (read back as a missing value).
    cast: { boolean: (v: boolean) => (v ? "true" : "false") },
  });
}
