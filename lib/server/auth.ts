/**
 * Bearer-token authentication for the Loan Agent API: several tokens at once (rotation),
 * compared in constant time, never logged.
 *
 * @module
 */

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Compares two equal-length byte arrays without an early exit. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * A set of accepted bearer tokens (several at once allow rotation). Tokens are kept only as
 * SHA-256 digests and compared in constant time.
 *
 * @example
 * ```ts
 * import { TokenSet } from "@evalkit/evalkit/server";
 * const tokens = await TokenSet.from(["token-current-0123456789", "token-previous-0123456789"]);
 * if (!(await tokens.verify("Bearer token-previous-0123456789"))) throw new Error("accepted");
 * if (await tokens.verify("Bearer token-wrong-000000000000")) throw new Error("refused");
 * ```
 */
export class TokenSet {
  readonly #digests: Uint8Array[];

  private constructor(digests: Uint8Array[]) {
    this.#digests = digests;
  }

  /** Builds the set; refuses an empty list and tokens shorter than 16 characters. */
  static async from(tokens: readonly string[]): Promise<TokenSet> {
    const clean = tokens.map((t) => t.trim()).filter((t) => t !== "");
    if (clean.length === 0) {
      throw new TypeError(
        "Expected at least one API token (EVALKIT_API_TOKENS or --tokens-file) but found none",
      );
    }
    for (const [i, t] of clean.entries()) {
      if (t.length < 16) {
        throw new RangeError(
          `Expected API token #${i + 1} to have at least 16 characters but found ${t.length}`,
        );
      }
    }
    return new TokenSet(await Promise.all(clean.map(digest)));
  }

  /** Number of accepted tokens. */
  get size(): number {
    return this.#digests.length;
  }

  /** Whether the `Authorization` header carries one of the tokens. Checks every token. */
  async verify(authorization: string | null): Promise<boolean> {
    if (authorization === null) return false;
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) return false;
    const candidate = await digest(m[1]!);
    let ok = false;
    for (const d of this.#digests) ok = constantTimeEqual(d, candidate) || ok;
    return ok;
  }
}

/**
 * Reads tokens from a file: one per line, `#` comments and blank lines ignored.
 *
 * @example
 * ```ts
 * import { readTokensFile } from "@evalkit/evalkit/server";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "# rotated monthly\ntoken-a-0123456789abcdef\n\ntoken-b-0123456789abcdef\n");
 * const tokens = await readTokensFile(path);
 * await Deno.remove(path);
 * if (tokens.length !== 2 || tokens[1] !== "token-b-0123456789abcdef") throw new Error("tokens");
 * ```
 */
export async function readTokensFile(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}
