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
  // an explicit stack: a record nested thousands of levels deep must not overflow the call stack
  const walk = (root: unknown): unknown => {
    if (!walkable(root)) return root;
    const copyOf = (v: object): unknown[] | Record<string, unknown> =>
      Array.isArray(v) ? new Array(v.length) : {};
    const out = copyOf(root);
    const stack: [object, unknown[] | Record<string, unknown>][] = [[root, out]];
    while (stack.length > 0) {
      const [src, dst] = stack.pop()!;
      if (Array.isArray(src)) {
        const arr = dst as unknown[];
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          if (walkable(v)) {
            const c = copyOf(v);
            arr[i] = c;
            stack.push([v, c]);
          } else arr[i] = v;
        }
        continue;
      }
      const obj = dst as Record<string, unknown>;
      for (const [k, v] of Object.entries(src)) {
        if (drop.has(k)) continue;
        if (hash.has(k) && v !== null && v !== undefined) obj[k] = pseudonym(v);
        else if (walkable(v)) {
          const c = copyOf(v);
          obj[k] = c;
          stack.push([v, c]);
        } else obj[k] = v;
      }
    }
    return out;
  };
  return <T>(value: T): T => walk(value) as T;
}
