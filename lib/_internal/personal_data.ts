/**
 * The one personal-data rule of evalkit. A personal value becomes a pseudonym
 * `pd_<16 hex>`: the first 16 hex characters of SHA-256 over `salt + value`, where a string
 * value is Unicode-NFC-normalised first (so "é" typed as one code point or as "e" + combining
 * accent is the same applicant) and any other value is its JSON. Fields named for hashing are
 * replaced and fields named for dropping are removed **at every depth** of a record (nested
 * objects and arrays included). The datasets schema rules (`personalData: "hash" | "drop"`),
 * the tracking field rules (decision logs) and the evaluator all call this module, so the same
 * applicant has the same pseudonym in an evaluation table and in a decision log: they join.
 *
 * @module
 */
import { sha256Hex } from "./digest.ts";

/** The prefix of every pseudonym. */
export const PSEUDONYM_PREFIX = "pd_";

/** The text that is hashed for a value: NFC-normalised strings, JSON for anything else. */
function canonicalText(value: unknown): string {
  if (typeof value === "string") return value.normalize("NFC");
  const json = JSON.stringify(value);
  return (json ?? String(value)).normalize("NFC");
}

/**
 * The pseudonym of one personal value: `pd_` + 16 hex characters of SHA-256 of
 * `salt + NFC(value)`. Equal values (after normalisation) give equal pseudonyms.
 *
 * @example
 * ```ts
 * import { pseudonymize } from "./personal_data.ts";
 * const composed = pseudonymize("Zoë");
 * const decomposed = pseudonymize("Zoe\u0308");
 * if (composed !== decomposed || !/^pd_[0-9a-f]{16}$/.test(composed)) throw new Error(composed);
 * ```
 */
export function pseudonymize(value: unknown, salt = ""): string {
  return `${PSEUDONYM_PREFIX}${
    sha256Hex(`${salt.normalize("NFC")}${canonicalText(value)}`).slice(0, 16)
  }`;
}

/** Which fields are personal data. Field names match exactly, at any depth. */
export interface FieldRules {
  /** Fields whose values are replaced by their pseudonym (null and undefined stay as they are). */
  hash?: Iterable<string>;
  /** Fields removed. */
  drop?: Iterable<string>;
  /** A secret mixed into every hash so pseudonyms cannot be matched against a list of names. */
  salt?: string;
}

/**
 * A protector for one set of rules: a function returning a protected copy of a value (the
 * input is never changed). Pseudonyms are memoised per value, since names repeat across rows.
 * With no rules it returns the value itself.
 *
 * @example
 * ```ts
 * import { createProtector } from "./personal_data.ts";
 * const protect = createProtector({ hash: ["name"], drop: ["ssn"] });
 * const out = protect({ applicant: { name: "Ada", ssn: "1" }, age: 36 }) as {
 *   applicant: Record<string, unknown>;
 *   age: number;
 * };
 * if ("ssn" in out.applicant || !String(out.applicant.name).startsWith("pd_")) throw new Error("pd");
 * ```
 */
export function createProtector(rules: FieldRules): <T>(value: T) => T {
  const hash = new Set(rules.hash ?? []);
  const drop = new Set(rules.drop ?? []);
  const salt = rules.salt ?? "";
  if (hash.size === 0 && drop.size === 0) return (value) => value;
  const memo = new Map<unknown, string>();
  const pseudonym = (v: unknown): string => {
    const key = typeof v === "object" ? canonicalText(v) : v;
    let h = memo.get(key);
    if (h === undefined) {
      h = pseudonymize(v, salt);
      if (memo.size < 100_000) memo.set(key, h);
    }
    return h;
  };
  // only plain objects and arrays are walked; a Date or typed array is kept as it is
  const walkable = (v: unknown): v is object => {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return true;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  };
  const dropped = [...drop], hashed = [...hash];
  // The fast path: an object with no object value and no symbol key (every loan row, every
  // decision record of flat fields) is spread — V8's builtin copy, about twice as fast as field by
  // field — and its few personal fields are then replaced or deleted. The result is the same
  // as the field-by-field copy: own enumerable string keys in the same order.
  const flatCopy = (v: Record<string, unknown>): Record<string, unknown> | undefined => {
    for (const k in v) {
      const x = v[k];
      if (x !== null && typeof x === "object") return undefined;
    }
    // a symbol key is not copied field by field, an own __proto__ key is not assigned: both
    // would differ in a spread, so those rare objects take the general path
    if (Object.hasOwn(v, "__proto__") || Object.getOwnPropertySymbols(v).length > 0) {
      return undefined;
    }
    const out = { ...v };
    for (let i = 0; i < dropped.length; i++) {
      if (dropped[i]! in out) delete out[dropped[i]!];
    }
    for (let i = 0; i < hashed.length; i++) {
      const k = hashed[i]!;
      if (!Object.hasOwn(out, k)) continue;
      const x = out[k];
      if (x !== null && x !== undefined) out[k] = pseudonym(x);
    }
    return out;
  };
  const copyOf = (v: object): unknown[] | Record<string, unknown> =>
    Array.isArray(v) ? new Array(v.length) : {};
  // the copy of a walkable value: complete (flat), or empty and pushed to be filled
  const place = (v: object, stack: [object, unknown[] | Record<string, unknown>][]): object => {
    const flat = Array.isArray(v) ? undefined : flatCopy(v as Record<string, unknown>);
    if (flat) return flat;
    const c = copyOf(v);
    stack.push([v, c]);
    return c;
  };
  // the fields of one object into its copy; nested objects and arrays go on the stack
  const copyFields = (
    src: Record<string, unknown>,
    dst: Record<string, unknown>,
    stack: [object, unknown[] | Record<string, unknown>][],
  ): void => {
    const keys = Object.keys(src);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (drop.has(k)) continue;
      const v = src[k];
      if (v === null || v === undefined) dst[k] = v;
      else if (hash.has(k)) dst[k] = pseudonym(v);
      else if (typeof v === "object" && walkable(v)) dst[k] = place(v, stack);
      else dst[k] = v;
    }
  };
  // an explicit stack: a record nested thousands of levels deep must not overflow the call stack
  const walk = (root: unknown): unknown => {
    if (!walkable(root)) return root;
    const stack: [object, unknown[] | Record<string, unknown>][] = [];
    const out = place(root, stack);
    while (stack.length > 0) {
      const [src, dst] = stack.pop()!;
      if (!Array.isArray(src)) {
        copyFields(src as Record<string, unknown>, dst as Record<string, unknown>, stack);
        continue;
      }
      const arr = dst as unknown[];
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        arr[i] = v !== null && typeof v === "object" && walkable(v) ? place(v, stack) : v;
      }
    }
    return out;
  };
  return <T>(value: T): T => walk(value) as T;
}
