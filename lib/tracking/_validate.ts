/**
 * Client-side checks mirroring MLflow's server rules, so a bad key fails at the call that
 * made it instead of poisoning a batch later.
 *
 * @module
 */

const KEY_RE = /^[/\w.\- :]*$/u;

/** MLflow's limits. */
export const MAX_KEY_LENGTH = 250;
/** Longest param value the server keeps. */
export const MAX_PARAM_VALUE = 6000;
/** Longest run tag value the server keeps. */
export const MAX_TAG_VALUE = 8000;

/** Throws a TypeError unless `key` is a valid metric/param/tag key. */
export function assertKey(key: string, what: string): void {
  if (
    key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_RE.test(key) || key.startsWith("/") ||
    key.startsWith("..") || key.endsWith("/") || key.includes("//") || key === "." ||
    key.includes("/./") || key.startsWith("./") || key.endsWith("/.") || key.includes("/../")
  ) {
    throw new TypeError(
      `Expected ${what} key to be 1-${MAX_KEY_LENGTH} characters of letters, digits, '_', '-', '.', ' ', ':' ` +
        `or '/' (no empty, '.' or '..' segments) but found '${key}'`,
    );
  }
}

/** Turns a free-form name into a valid key segment (other characters become `_`). */
export function sanitizeKeySegment(s: string): string {
  return s.replace(/[^\w.\- :]/gu, "_") || "_";
}
