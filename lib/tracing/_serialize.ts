/**
 * Turning span values (inputs, outputs, attributes) into the JSON text that is stored and
 * sent: secrets removed, personal data protected, size capped with the truncation marked.
 *
 * @module
 */
import { redact } from "../_internal/errors.ts";

/** A rule applied to every object key/value inside span values (personal data). */
export type ValueProtector = (key: string, value: unknown) => unknown;

/** Keys whose values are secrets: replaced by `[REDACTED]` wherever they appear. */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|token|bearer|private[-_]?key)$/i;

/** A secret key anywhere in JSON text (`"api_key":`), for the fast path's one scan. */
const SECRET_KEY_IN_JSON =
  /"(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|token|bearer|private[-_]?key)":/i;

/** Text that looks like it may hold a credential (cheap pre-check before the regexes). */
const MAYBE_SECRET =
  /bearer|basic\s|dapi[0-9a-f]|(token|password|secret)["'\\]*\s*[:=]|\/\/[^/:@\s]+:[^@/\s]+@|sk-[A-Za-z0-9_-]{16}/i;
const OPENAI_KEY = /\bsk-[A-Za-z0-9_-]{16,}/g;

/** Marker put in place of a value that was cut to fit the size cap. */
export const TRUNCATED_KEY = "_evalkit_truncated";

/** Removes credentials from a string value. */
export function scrubString(s: string): string {
  if (!MAYBE_SECRET.test(s)) return s;
  return redact(s).replace(OPENAI_KEY, "[REDACTED]");
}

/** Options of {@link toSpanJson}. */
export interface SerializeOptions {
  /** Largest JSON text kept, in characters. */
  maxChars: number;
  /** Personal-data rule. */
  protect?: ValueProtector;
}

/**
 * The JSON text of a span value (never throws: BigInts and functions become strings, a cyclic value a note),
 * with secrets redacted and personal data protected; when longer than `maxChars`, a marker
 * object `{ _evalkit_truncated: true, originalChars, preview }` instead.
 */
export function toSpanJson(value: unknown, options: SerializeOptions): string {
  const protect = options.protect;
  let text: string | undefined;
  // Fast path: plain JSON with nothing that could be a secret (one scan of the text).
  if (protect === undefined) {
    try {
      text = JSON.stringify(value);
    } catch {
      text = undefined; // BigInt or a cycle: the careful path below says what it was
    }
    if (text !== undefined && !MAYBE_SECRET.test(text) && !SECRET_KEY_IN_JSON.test(text)) {
      return text.length <= options.maxChars ? text : truncated(text, options.maxChars);
    }
  }
  try {
    text = JSON.stringify(value, function (key, v) {
      if (key !== "" && SECRET_KEY.test(key)) return "[REDACTED]";
      if (protect !== undefined && key !== "" && !Array.isArray(this)) {
        v = protect(key, v);
      }
      switch (typeof v) {
        case "string":
          return scrubString(v);
        case "bigint":
          return v.toString();
        case "function":
        case "symbol":
          return `[${typeof v}]`;
        case "number":
          return Number.isFinite(v) ? v : String(v);
        case "object":
          if (v === null) return v;
          if (v instanceof Error) return { name: v.name, message: scrubString(v.message) };
          if (v instanceof Map) return Object.fromEntries(v);
          if (v instanceof Set) return [...v];
          return v;
        default:
          return v;
      }
    });
  } catch (err) {
    text = JSON.stringify(`[unserializable: ${err instanceof Error ? err.message : String(err)}]`);
  }
  if (text === undefined) return "null";
  if (text.length <= options.maxChars) return text;
  return truncated(text, options.maxChars);
}

function truncated(text: string, maxChars: number): string {
  const options = { maxChars };
  return JSON.stringify({
    [TRUNCATED_KEY]: true,
    originalChars: text.length,
    preview: text.slice(0, Math.max(0, options.maxChars - 100)),
  });
}
