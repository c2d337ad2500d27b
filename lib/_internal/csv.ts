/**
 * The CSV adapter: the only module that imports `csv-parse` / `csv-stringify`, so a move to
 * `@std/csv` later is a one-file change. The stream parser is fed bytes (it silently drops
 * string chunks).
 *
 * @module
 */
import { parse } from "csv-parse/stream";
import { stringify } from "csv-stringify/sync";

/**
 * A CSV syntax problem with where it happened.
 *
 * @example
 * ```ts
 * import { CsvSyntaxError, parseCsvStream } from "@evalkit/evalkit/datasets";
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
  /** The parser's code, e.g. `CSV_RECORD_INCONSISTENT_FIELDS_LENGTH`. */
  readonly code: string;
  /** 1-based line in the file, when known. */
  readonly line: number | undefined;
  /** Creates the error. */
  constructor(message: string, code: string, line: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = "CsvSyntaxError";
    this.code = code;
    this.line = line;
  }
}

/** Options for {@link parseCsvStream}. */
export interface CsvParseOptions {
  /** Field delimiter. Default `,`. */
  delimiter?: string;
  /** Accept records whose field count differs from the first record. Default false. */
  relaxColumnCount?: boolean;
}

/**
 * Parses a CSV byte stream into records (arrays of strings), streaming: the text is never held
 * whole. A UTF-8 byte order mark is removed; empty lines are skipped. Throws
 * {@link CsvSyntaxError} with the line number on malformed input (unclosed quotes, ragged rows).
 *
 * @example
 * ```ts
 * import { parseCsvStream } from "@evalkit/evalkit/datasets";
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
  const parser = parse({
    delimiter: options.delimiter ?? ",",
    bom: true,
    skip_empty_lines: true,
    relax_column_count: options.relaxColumnCount ?? false,
    columns: false,
  }) as unknown as TransformStream<Uint8Array, string[]>;
  const reader = stream.pipeThrough(parser).getReader();
  try {
    while (true) {
      let result: ReadableStreamReadResult<string[]>;
      try {
        result = await reader.read();
      } catch (err) {
        throw toCsvError(err);
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function toCsvError(err: unknown): Error {
  if (err instanceof CsvSyntaxError) return err;
  const e = err as { code?: unknown; lines?: unknown; message?: unknown };
  if (typeof e?.code === "string" && e.code.startsWith("CSV_")) {
    const line = typeof e.lines === "number" ? e.lines : undefined;
    const msg = String(e.message ?? "malformed CSV").replace(/^Invalid Record Length: /, "");
    return new CsvSyntaxError(msg, e.code, line, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Writes rows as CSV text with a header line (RFC 4180 quoting).
 *
 * @example
 * ```ts
 * import { stringifyCsv } from "@evalkit/evalkit/datasets";
 * const text = stringifyCsv([{ a: 1, b: "x,y" }], ["a", "b"]);
 * if (text !== 'a,b\n1,"x,y"\n') throw new Error(JSON.stringify(text));
 * ```
 */
export function stringifyCsv(rows: readonly Record<string, unknown>[], columns: string[]): string {
  return stringify(rows as Record<string, unknown>[], { header: true, columns });
}
