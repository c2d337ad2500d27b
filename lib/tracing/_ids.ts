/** Random trace and span ids (hex), drawn from a pool of random bytes refilled in bulk. */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL = new Uint8Array(8192);
let offset = POOL.length;

function hex(bytes: number): string {
  if (offset + bytes > POOL.length) {
    crypto.getRandomValues(POOL);
    offset = 0;
  }
  let out = "";
  let allZero = true;
  for (let i = 0; i < bytes; i++) {
    const b = POOL[offset + i]!;
    if (b !== 0) allZero = false;
    out += HEX[b];
  }
  offset += bytes;
  return allZero ? hex(bytes) : out; // an all-zero id is invalid in OTel
}

/** A 32-hex OTel trace id. */
export function newTraceId(): string {
  return hex(16);
}

/** A 16-hex OTel span id. */
export function newSpanId(): string {
  return hex(8);
}

const ORIGIN_US = Math.round(performance.timeOrigin * 1000);

/** Microseconds since the Unix epoch, monotonic within the process. */
export function nowUs(): number {
  return ORIGIN_US + Math.round(performance.now() * 1000);
}
