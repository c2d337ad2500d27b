/** Random trace and span ids (hex), drawn from a pool of random bytes refilled in bulk. */

const POOL = new Uint32Array(2048);
let offset = POOL.length;

/** `n` random 32-bit words as 8 hex digits each (few string allocations: one per word). */
function hex(words: number): string {
  if (offset + words > POOL.length) {
    crypto.getRandomValues(POOL);
    offset = 0;
  }
  let out = "";
  let any = 0;
  for (let i = 0; i < words; i++) {
    const w = POOL[offset + i]!;
    any |= w;
    out += (w + 0x1_0000_0000).toString(16).slice(1);
  }
  offset += words;
  return any === 0 ? hex(words) : out; // an all-zero id is invalid in OTel
}

/** A 32-hex OTel trace id. */
export function newTraceId(): string {
  return hex(4);
}

/** A 16-hex OTel span id. */
export function newSpanId(): string {
  return hex(2);
}

const ORIGIN_US = Math.round(performance.timeOrigin * 1000);

/** Microseconds since the Unix epoch, monotonic within the process. */
export function nowUs(): number {
  return ORIGIN_US + Math.round(performance.now() * 1000);
}
