/**
 * Percent-decoding that never throws, as Python's `urllib.parse.unquote` (which MLflow's own
 * client uses): every run of valid `%XX` escapes is decoded as UTF-8 (an invalid sequence
 * becomes U+FFFD), and a `%` that does not start an escape is kept as it is. So a password
 * `pa%ss` in `http://user:pa%ss@host` or a stray `%` in an artifact path reads the way MLflow
 * reads it, where `decodeURIComponent` would throw a `URIError`.
 *
 * @module
 */

const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;
const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Decodes the percent-escapes of `text` leniently (Python's `unquote`).
 *
 * @example
 * ```ts
 * import { unquote } from "./uri.ts";
 * unquote("%C3%A9t%C3%A9"); // "été"
 * unquote("pa%ss");         // "pa%ss" (decodeURIComponent throws here)
 * ```
 */
export function unquote(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(ESCAPES, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16);
    return utf8.decode(bytes);
  });
}
