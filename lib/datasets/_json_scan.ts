/**
 * A strict, iterative JSON checker run before `JSON.parse`: it finds what `JSON.parse` accepts
 * silently or reports without a location — duplicated keys (it keeps the last), nesting deeper
 * than {@link MAX_NESTING_DEPTH}, comments, any syntax error — with the physical line, and it
 * records the line every row (and every field of a row) starts on. No recursion: a value nested
 * a million levels deep is refused, not a stack overflow.
 *
 * @module
 */

/**
 * The deepest a value inside a row may nest: a row's field holding `[[1]]` is 2 deep (the row
 * object itself does not count). Deeper values are refused (`too_deep`) by the readers and by
 * validation, so every walk over row data stays shallow.
 */
export const MAX_NESTING_DEPTH = 64;

/** A problem found while scanning, with its physical line. */
export interface JsonScanProblem {
  /** `invalid_json`, `duplicate_key` or `too_deep`. */
  code: "invalid_json" | "duplicate_key" | "too_deep";
  /** 1-based physical line. */
  line: number;
  /** Path to the value: row index (array mode), then keys and indexes. */
  path: (string | number)[];
  /** For humans. */
  message: string;
}

/** Where the rows of a scanned JSON array start. */
export interface JsonScanResult {
  /** 1-based line each top-level element starts on (array mode; empty for one value). */
  rowLines: number[];
  /** For rows spanning several lines: the line each top-level field's value starts on. */
  fieldLines: Map<number, Map<string, number>>;
  /** The first non-whitespace character (`[` for an array), or "" for blank text. */
  first: string;
}

/** Thrown by {@link scanJson}; carries the problem. */
export class JsonScanError extends SyntaxError {
  /** The problem. */
  readonly problem: JsonScanProblem;
  /** Creates the error. */
  constructor(problem: JsonScanProblem) {
    super(problem.message);
    this.name = "JsonScanError";
    this.problem = problem;
  }
}

interface Frame {
  array: boolean;
  keys: Set<string> | undefined;
  /** The key or index of the value currently being read in this container. */
  at: string | number | undefined;
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function describe(c: string): string {
  if (c === "") return "the end of the text";
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f
    ? `character U+${code.toString(16).toUpperCase().padStart(4, "0")}`
    : JSON.stringify(c);
}

/**
 * Checks `text` as one JSON value and records row lines. `rowsAreElements`: the value should be
 * an array whose elements are the rows (a `.json` file); otherwise the value is one row (a JSON
 * Lines line). `firstLine` is the physical line `text` starts on. Throws {@link JsonScanError}.
 */
export function scanJson(
  text: string,
  options: { rowsAreElements: boolean; firstLine?: number; rowIndex?: number },
): JsonScanResult {
  const rowsAreElements = options.rowsAreElements;
  let line = options.firstLine ?? 1;
  const rowLines: number[] = [];
  const fieldLines = new Map<number, Map<string, number>>();
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  let first = "";
  // Containers above a row's own values: the file's array and the row object (array mode), or
  // the row object (a JSON Lines value).
  const rowDepth = rowsAreElements ? 2 : 1;
  const rowBase = options.rowIndex ?? 0;

  const path = (): (string | number)[] => {
    const p: (string | number)[] = rowsAreElements ? [] : [rowBase];
    for (const f of stack) if (f.at !== undefined) p.push(f.at);
    return p;
  };
  const fail = (code: JsonScanProblem["code"], message: string, at = path()): never => {
    throw new JsonScanError({ code, line, path: at, message });
  };
  const skipWs = (): string => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) line++;
      else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      i++;
    }
    return i < n ? text[i]! : "";
  };
  const unexpected = (c: string, wanted: string): never => {
    if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
      return fail("invalid_json", "Comments are not allowed in JSON");
    }
    return fail("invalid_json", `Invalid JSON: expected ${wanted} but found ${describe(c)}`);
  };
  /** Reads a string starting at the quote; returns its value (decoded only when asked). */
  const readString = (decode: boolean): string => {
    const start = i;
    i++;
    let escaped = false;
    while (true) {
      if (i >= n) {
        return fail("invalid_json", "Invalid JSON: a string is not closed before the end");
      }
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        return fail(
          "invalid_json",
          `Invalid JSON: ${
            describe(text[i]!)
          } inside a string (a line break or control character must be escaped)`,
        );
      }
      if (c === 0x5c) {
        escaped = true;
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            return fail("invalid_json", "Invalid JSON: a \\u escape needs four hex digits");
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          return fail("invalid_json", `Invalid JSON: unknown escape \\${e ?? ""} in a string`);
        }
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    if (!decode) return "";
    const raw = text.slice(start, i);
    return escaped ? JSON.parse(raw) as string : raw.slice(1, -1);
  };

  // After a value ends: the containing frame wants a separator next.
  let state: "value" | "afterValue" | "firstKey" | "key" | "firstElement" = "value";
  first = skipWs();
  while (true) {
    if (state === "value" || state === "firstElement") {
      const c = skipWs();
      if (state === "firstElement") {
        if (c === "]") {
          i++;
          stack.pop();
          state = "afterValue";
          continue;
        }
      }
      if (rowsAreElements && stack.length === 1) rowLines.push(line);
      if (
        rowsAreElements && stack.length === 2 && !stack[1]!.array && line !== rowLines.at(-1)
      ) {
        const row = rowLines.length - 1;
        let m = fieldLines.get(row);
        if (!m) fieldLines.set(row, m = new Map());
        m.set(String(stack[1]!.at), line);
      }
      if (c === "{" || c === "[") {
        if (stack.length - rowDepth + 1 > MAX_NESTING_DEPTH) {
          fail(
            "too_deep",
            `A value nested more than ${MAX_NESTING_DEPTH} levels deep inside a row (the limit is ${MAX_NESTING_DEPTH})`,
            path().slice(0, 2), // [row, field]
          );
        }
        i++;
        if (c === "{") {
          stack.push({ array: false, keys: new Set(), at: undefined });
          state = "firstKey";
        } else {
          stack.push({ array: true, keys: undefined, at: 0 });
          state = "firstElement";
        }
        continue;
      }
      if (c === "") return unexpected(c, "a value");
      if (c === '"') readString(false);
      else if (c === "t" || c === "f" || c === "n") {
        const word = c === "t" ? "true" : c === "f" ? "false" : "null";
        if (text.startsWith(word, i)) i += word.length;
        else unexpected(c, "a value");
      } else if (c === "-" || (c >= "0" && c <= "9")) {
        NUMBER_RE.lastIndex = i;
        const m = NUMBER_RE.exec(text);
        if (m === null) unexpected(c, "a number");
        i += m![0].length;
      } else unexpected(c, "a value");
      state = "afterValue";
      continue;
    }
    if (state === "firstKey" || state === "key") {
      const c = skipWs();
      if (state === "firstKey" && c === "}") {
        i++;
        stack.pop();
        state = "afterValue";
        continue;
      }
      if (c !== '"') {
        unexpected(c, state === "firstKey" ? 'a key in quotes or "}"' : "a key in quotes");
      }
      const frame = stack.at(-1)!;
      const key = readString(true);
      if (frame.keys!.has(key)) {
        const at = path();
        at[at.length - 1] = key;
        fail(
          "duplicate_key",
          `The key ${
            JSON.stringify(key)
          } appears twice in the same object (JSON readers would silently keep the last)`,
          at,
        );
      }
      frame.keys!.add(key);
      frame.at = key;
      const colon = skipWs();
      if (colon !== ":") unexpected(colon, '":" after the key');
      i++;
      state = "value";
      continue;
    }
    // afterValue
    const frame = stack.at(-1);
    const c = skipWs();
    if (frame === undefined) {
      if (c === "") return { rowLines, fieldLines, first };
      return unexpected(c, "the end of the text after the value");
    }
    if (c === ",") {
      i++;
      if (frame.array) {
        frame.at = (frame.at as number) + 1;
        state = "value";
      } else state = "key";
      continue;
    }
    if (c === (frame.array ? "]" : "}")) {
      i++;
      stack.pop();
      continue;
    }
    unexpected(c, frame.array ? '"," or "]"' : '"," or "}"');
  }
}
