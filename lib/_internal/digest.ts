/**
 * Hashing and canonical JSON for content digests.
 *
 * @module
 */
import { createHash } from "node:crypto";

const encoder = new TextEncoder();

/**
 * SHA-256 of bytes or a UTF-8 string, as 64 lowercase hex characters.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "@evalkit/evalkit/datasets";
 * const h = sha256Hex("abc");
 * if (!h.startsWith("ba7816bf")) throw new Error(h);
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(typeof data === "string" ? encoder.encode(data) : data)
    .digest("hex");
}

/**
 * MD5 of bytes or a UTF-8 string as hex (MLflow's short dataset digests are the first 8
 * characters of an MD5). Not for security.
 *
 * @example
 * ```ts
 * import { md5Hex } from "./digest.ts";
 * if (md5Hex("") !== "d41d8cd98f00b204e9800998ecf8427e") throw new Error("md5");
 * ```
 */
export function md5Hex(data: Uint8Array | string): string {
  return createHash("md5").update(typeof data === "string" ? encoder.encode(data) : data).digest(
    "hex",
  );
}

/** An incremental hash: feed chunks, then read the hex digest once. */
export interface IncrementalHash {
  /** Adds bytes or a UTF-8 string. */
  update(data: Uint8Array | string): void;
  /** The hex digest; the hash cannot be updated afterwards. */
  hex(): string;
}

/**
 * Creates an incremental SHA-256 or MD5 hash (for data too large to hold as one string).
 *
 * @example
 * ```ts
 * import { createIncrementalHash, sha256Hex } from "@evalkit/evalkit/datasets";
 * const h = createIncrementalHash("sha256");
 * h.update("ab");
 * h.update("c");
 * if (h.hex() !== sha256Hex("abc")) throw new Error("mismatch");
 * ```
 */
export function createIncrementalHash(algorithm: "sha256" | "md5"): IncrementalHash {
  const h = createHash(algorithm);
  return {
    update(data) {
      h.update(typeof data === "string" ? encoder.encode(data) : data);
    },
    hex() {
      return h.digest("hex");
    },
  };
}

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace, so two values that
 * differ only in key order or formatting give the same text. Throws `TypeError` for values JSON
 * cannot represent exactly: `NaN`, `±Infinity`, `undefined`, functions, bigints, symbols.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "@evalkit/evalkit/datasets";
 * const a = canonicalJson({ b: 1, a: [true, null, "x"] });
 * const b = canonicalJson(JSON.parse('{ "a": [true, null, "x"],  "b": 1 }'));
 * if (a !== b || a !== '{"a":[true,null,"x"],"b":1}') throw new Error(a);
 * ```
 */
export function canonicalJson(value: unknown): string {
  // An explicit stack, never recursion: any depth of nesting is written, none overflows.
  const out: string[] = [];
  const work: ({ lit: string } | { val: unknown })[] = [{ val: value }];
  while (work.length > 0) {
    const w = work.pop()!;
    if ("lit" in w) {
      out.push(w.lit);
      continue;
    }
    const v = w.val;
    switch (typeof v) {
      case "string":
        out.push(JSON.stringify(v));
        break;
      case "boolean":
        out.push(v ? "true" : "false");
        break;
      case "number":
        if (!Number.isFinite(v)) {
          throw new TypeError(`Expected a finite number in canonical JSON but found ${v}`);
        }
        out.push(JSON.stringify(v));
        break;
      case "object": {
        if (v === null) {
          out.push("null");
          break;
        }
        if (Array.isArray(v)) {
          out.push("[");
          work.push({ lit: "]" });
          for (let i = v.length - 1; i >= 0; i--) {
            work.push({ val: v[i] });
            if (i > 0) work.push({ lit: "," });
          }
          break;
        }
        const obj = v as Record<string, unknown>;
        const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
        out.push("{");
        work.push({ lit: "}" });
        for (let i = keys.length - 1; i >= 0; i--) {
          work.push({ val: obj[keys[i]!] }, { lit: `${JSON.stringify(keys[i])}:` });
          if (i > 0) work.push({ lit: "," });
        }
        break;
      }
      default:
        throw new TypeError(`Expected a JSON value in canonical JSON but found ${typeof v}`);
    }
  }
  return out.join("");
}
