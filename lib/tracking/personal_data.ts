/**
 * Rules for personal data in logged requests: which fields are hashed and which are dropped
 * before a record reaches a decision log. The hash is evalkit's one pseudonym (`pd_<16 hex>`,
 * SHA-256 of salt + NFC-normalised value), the same as a dataset's `personalData: "hash"`
 * columns get, so a decision log joins with an evaluation table.
 *
 * @module
 */
import { createProtector } from "../_internal/personal_data.ts";

/** Which fields of a request are personal data. Matching is by exact field name, at any depth. */
export interface PersonalDataRules {
  /** Fields replaced by their pseudonym `pd_<16 hex>` (SHA-256 of salt + NFC(value)). */
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

/** One memoising protector per rules object (a run logs many decisions with the same rules). */
const protectors = new WeakMap<PersonalDataRules, <T>(value: T) => T>();

/**
 * Returns a copy of `record` with personal-data fields hashed or dropped, at any depth
 * (nested objects and arrays included).
 *
 * @example
 * ```ts
 * import { protectRecord } from "@evalkit/evalkit/tracking";
 * const safe = await protectRecord({ applicant_name: "Ada", ssn: "1", age: 36 });
 * console.log(safe.ssn === undefined, String(safe.applicant_name).startsWith("pd_")); // true true
 * ```
 */
export async function protectRecord(
  record: Record<string, unknown>,
  rules: PersonalDataRules = DEFAULT_PERSONAL_DATA_RULES,
): Promise<Record<string, unknown>> {
  let protect = protectors.get(rules);
  if (protect === undefined) {
    protect = createProtector(rules);
    protectors.set(rules, protect);
  }
  return await Promise.resolve(protect(record));
}
