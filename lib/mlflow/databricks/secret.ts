/**
 * A credential that never prints itself.
 *
 * @module
 */

const INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Holds a token or client secret. `String(secret)`, `JSON.stringify(secret)` and
 * `console.log(secret)` all show `[REDACTED]`; only {@link Secret.reveal} returns the value.
 *
 * @example
 * ```ts
 * import { Secret } from "@evalkit/evalkit/databricks";
 * const token = new Secret("dapi0123456789abcdef");
 * if (`${token}` !== "[REDACTED]") throw new Error("leaked");
 * if (JSON.stringify({ token }) !== '{"token":"[REDACTED]"}') throw new Error("leaked");
 * if (token.reveal() !== "dapi0123456789abcdef") throw new Error("lost");
 * ```
 */
export class Secret {
  readonly #value: string;

  /** Wraps a value. */
  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value, for an `Authorization` header and nothing else. */
  reveal(): string {
    return this.#value;
  }

  /** Always `[REDACTED]`. */
  toString(): string {
    return "[REDACTED]";
  }

  /** Always `"[REDACTED]"`. */
  toJSON(): string {
    return "[REDACTED]";
  }

  /** Shown by `console.log` / `Deno.inspect`. */
  [INSPECT](): string {
    return "Secret [REDACTED]";
  }

  /** Shown by `node:util` inspect. */
  [NODE_INSPECT](): string {
    return "Secret [REDACTED]";
  }
}
