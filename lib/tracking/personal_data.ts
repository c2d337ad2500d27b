/**
 * Rules for personal data in logged requests: which fields are hashed (SHA-256, salted,
 * hex) and which are dropped before a record reaches a decision log.
 *
 * @module
 */

/** Which fields of a request are personal data. Matching is by exact field name, at any depth. */
export interface PersonalDataRules {
  /** Fields replaced by `sha256:<hex>` of `salt + value`. */
  hash?: string[];
  /** Fields removed. */
  drop?: string[];
  /** Salt mixed into hashes (so equal names stay linkable without being readable). Default "". */
  salt?: string;
}

/** The default rules: names and contact details hashed, national ids dropped. */
export const DEFAULT_PERSONAL_DATA_RULES: Readonly<Required<PersonalDataRules>> = Object.freeze({
  hash: ["applicant_name", "name", "full_name", "email", "phone", "address"],
  drop: ["ssn", "national_id", "passport_number", "date_of_birth"],
  salt: "",
});

async function sha256Hex(text: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Returns a copy of `record` with personal-data fields hashed or dropped, at any depth.
 *
 * @example
 * ```ts
 * import { protectRecord } from "@evalkit/evalkit/tracking";
 * const safe = await protectRecord({ applicant_name: "Ada", ssn: "1", age: 36 });
 * console.log(safe.ssn === undefined, String(safe.applicant_name).startsWith("sha256:")); // true true
 * ```
 */
export async function protectRecord(
  record: Record<string, unknown>,
  rules: PersonalDataRules = DEFAULT_PERSONAL_DATA_RULES,
): Promise<Record<string, unknown>> {
  const hash = new Set(rules.hash ?? []);
  const drop = new Set(rules.drop ?? []);
  const salt = rules.salt ?? "";
  const walk = async (value: unknown): Promise<unknown> => {
    if (Array.isArray(value)) return await Promise.all(value.map(walk));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (drop.has(k)) continue;
      if (hash.has(k) && v !== null && v !== undefined) {
        out[k] = `sha256:${await sha256Hex(
          salt + (typeof v === "string" ? v : JSON.stringify(v)),
        )}`;
      } else out[k] = await walk(v);
    }
    return out;
  };
  return await walk(record) as Record<string, unknown>;
}
