/**
 * Turning span values (inputs, outputs, attributes) into the JSON text that is stored and
 * sent: secrets removed, personal data protected, size capped with the truncation marked.
 *
 * @module
 */
import { redact } from "../_internal/errors.ts";

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
  /** The personal-data rule (a protector from `lib/_internal/personal_data.ts`). */
  protect?: <T>(value: T) => T;
  /** Matches JSON text holding one of the rule's field names as a key (skip the walk if not). */
  protectKeys?: RegExp;
}

/** A regex matching `"<field>":` for any of the fields, for a one-scan check of JSON text. */
export function keysPattern(fields: Iterable<string>): RegExp | undefined {
  const list = [...fields].map((f) =>
    JSON.stringify(f).slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return list.length === 0 ? undefined : new RegExp(`"(?:${list.join("|")})":`);
}

function plainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // BigInt or a cycle: the careful path says what it was
  }
}

function carefulJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function (key, v) {
      if (key !== "" && SECRET_KEY.test(key)) return "[REDACTED]";
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
  return text ?? "null";
}

/**
 * The JSON text of a span value (never throws: BigInts and functions become strings, a cyclic
 * value a note): personal data protected by the project's rule, secrets redacted; when longer
 * than `maxChars`, a marker object `{ _evalkit_truncated: true, originalChars, preview }`.
 * The common case — no personal field, nothing that looks like a secret — is one
 * `JSON.stringify` and two regex scans of its text.
 */
export function toSpanJson(value: unknown, options: SerializeOptions): string {
  let text = plainJson(value);
  if (options.protect && (text === undefined || options.protectKeys?.test(text) !== false)) {
    value = options.protect(value);
    text = plainJson(value);
  }
  if (text === undefined || MAYBE_SECRET.test(text) || SECRET_KEY_IN_JSON.test(text)) {
    text = carefulJson(value);
  }
  return text.length <= options.maxChars ? text : truncated(text, options.maxChars);
}

function truncated(text: string, maxChars: number): string {
  const options = { maxChars };
  return JSON.stringify({
    [TRUNCATED_KEY]: true,
    originalChars: text.length,
    preview: text.slice(0, Math.max(0, options.maxChars - 100)),
  });
}
