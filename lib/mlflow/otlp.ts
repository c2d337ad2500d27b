/**
 * An OTLP/HTTP trace encoder without an OpenTelemetry dependency: spans as an
 * `ExportTraceServiceRequest` in protobuf (hand-encoded) or in OTLP JSON, optionally gzipped,
 * for MLflow's `POST /v1/traces`.
 *
 * MLflow 3.17.2 accepts both `application/x-protobuf` and `application/json` (hex ids in JSON,
 * as the OTLP spec says), with `Content-Encoding: gzip` or `deflate`. Each attribute value is
 * decoded from its OTLP `AnyValue` and stored JSON-encoded once by the server, so structured
 * values (span inputs and outputs, token usage) go as `kvlistValue` / `arrayValue`, not as JSON
 * text (which would be stored as a string).
 *
 * @module
 */

/** OTLP span status codes. */
export type OtlpStatusCode = "UNSET" | "OK" | "ERROR";

/** An event on a span (e.g. an `exception`). */
export interface OtlpEvent {
  /** Event name, e.g. `exception`. */
  name: string;
  /** When it happened, microseconds since the Unix epoch. */
  timeUs: number;
  /** Attributes (any JSON value). */
  attributes?: Record<string, unknown>;
}

/** One finished span, in the shape the encoder takes. */
export interface OtlpSpan {
  /** The OTel trace id: 32 lowercase hex digits. */
  traceId: string;
  /** The span id: 16 lowercase hex digits. */
  spanId: string;
  /** The parent's span id; absent on the root span. */
  parentSpanId?: string;
  /** Span name. */
  name: string;
  /** Start, microseconds since the Unix epoch. */
  startUs: number;
  /** End, microseconds since the Unix epoch. */
  endUs: number;
  /** Attributes: strings, numbers, booleans, arrays and objects (sent as OTLP `AnyValue`). */
  attributes: Record<string, unknown>;
  /** Events. */
  events?: OtlpEvent[];
  /** Status. */
  status: { code: OtlpStatusCode; message?: string };
}

/** Options of {@link encodeOtlpTraces}. */
export interface EncodeOtlpOptions {
  /** Resource attributes (e.g. `service.name`). Default none. */
  resource?: Record<string, unknown>;
  /** Instrumentation scope name. Default `evalkit`. */
  scope?: string;
}

const STATUS_NUMBER: Record<OtlpStatusCode, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const HEX_ID = /^[0-9a-f]+$/;

/** A growable protobuf writer. Nested messages reserve one length byte and shift if needed. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  readonly #enc = new TextEncoder();

  constructor(size = 4096) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** A signed int64 as a varint (negative numbers take ten bytes, two's complement). */
  int64(n: number): void {
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, s: string): void {
    this.tag(field, 2);
    // Worst case 3 bytes per UTF-16 unit; the length prefix is patched afterwards.
    const start = this.begin(s.length * 3);
    const { written } = this.#enc.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.end(start);
  }

  bytesHex(field: number, hex: string): void {
    this.tag(field, 2);
    const n = hex.length >> 1;
    this.varint(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      this.buf[this.pos++] = parseInt(hex.substr(i * 2, 2), 16);
    }
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, 1);
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Starts a length-delimited body (after its tag); returns where it starts. */
  begin(reserve = 0): number {
    this.ensure(1 + reserve);
    this.pos++;
    return this.pos;
  }

  /** Ends a body started with {@link begin}: writes its length, shifting the body if needed. */
  end(start: number): void {
    const len = this.pos - start;
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) size++;
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    let p = start - 1;
    let v = len;
    while (v >= 0x80) {
      this.buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[p] = v;
  }

  message(field: number, body: () => void): void {
    this.tag(field, 2);
    const start = this.begin();
    body();
    this.end(start);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function anyValue(w: Writer, value: unknown, depth: number): void {
  // AnyValue: string 1, bool 2, int64 3, double 4, ArrayValue 5, KeyValueList 6.
  if (value === null || value === undefined) return; // an empty AnyValue decodes to None
  if (depth > 64) throw new RangeError("Expected attribute values nested at most 64 deep");
  switch (typeof value) {
    case "string":
      w.string(1, value);
      return;
    case "boolean":
      w.tag(2, 0);
      w.varint(value ? 1 : 0);
      return;
    case "number":
      if (Number.isSafeInteger(value)) {
        w.tag(3, 0);
        w.int64(value);
      } else w.double(4, value);
      return;
    case "bigint":
      w.tag(3, 0);
      w.int64(Number(value));
      return;
    case "object": {
      if (Array.isArray(value)) {
        w.message(5, () => {
          for (const item of value) w.message(1, () => anyValue(w, item, depth + 1));
        });
        return;
      }
      if (value instanceof Date) {
        w.string(1, value.toISOString());
        return;
      }
      w.message(6, () => {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (v === undefined) continue;
          keyValue(w, 1, k, v, depth + 1);
        }
      });
      return;
    }
    default:
      w.string(1, String(value));
  }
}

function keyValue(w: Writer, field: number, key: string, value: unknown, depth: number): void {
  w.message(field, () => {
    w.string(1, key);
    w.message(2, () => anyValue(w, value, depth));
  });
}

function checkId(what: string, hex: string | undefined, len: number): void {
  if (typeof hex !== "string" || hex.length !== len || !HEX_ID.test(hex)) {
    throw new TypeError(
      `Expected ${what} to be ${len} lowercase hex digits but found '${String(hex)}'`,
    );
  }
}

function checkSpan(span: OtlpSpan, index: number): void {
  const where = `spans[${index}]`;
  checkId(`${where}.traceId`, span.traceId, 32);
  checkId(`${where}.spanId`, span.spanId, 16);
  if (span.parentSpanId !== undefined) checkId(`${where}.parentSpanId`, span.parentSpanId, 16);
  if (!Number.isSafeInteger(span.startUs) || !Number.isSafeInteger(span.endUs)) {
    throw new TypeError(`Expected ${where}.startUs and .endUs to be whole microseconds`);
  }
  if (!(span.status.code in STATUS_NUMBER)) {
    throw new TypeError(
      `Expected ${where}.status.code to be UNSET, OK or ERROR but found '${span.status.code}'`,
    );
  }
}

const NANOS_PER_US = 1000n;

/**
 * Encodes spans as an OTLP `ExportTraceServiceRequest` in protobuf (one resource, one scope).
 *
 * @example
 * ```ts
 * import { encodeOtlpTraces } from "@evalkit/evalkit/mlflow";
 * const bytes = encodeOtlpTraces([{
 *   traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "root",
 *   startUs: 1_700_000_000_000_000, endUs: 1_700_000_000_250_000,
 *   attributes: { "mlflow.spanType": "AGENT", "mlflow.spanInputs": { q: "hi" } },
 *   status: { code: "OK" },
 * }]);
 * if (!(bytes instanceof Uint8Array) || bytes[0] !== 0x0a) throw new Error("not a resource_spans field");
 * ```
 */
export function encodeOtlpTraces(
  spans: readonly OtlpSpan[],
  options: EncodeOtlpOptions = {},
): Uint8Array {
  spans.forEach(checkSpan);
  const w = new Writer(1024 + spans.length * 512);
  // ExportTraceServiceRequest.resource_spans = 1
  w.message(1, () => {
    // ResourceSpans.resource = 1
    w.message(1, () => {
      for (const [k, v] of Object.entries(options.resource ?? {})) keyValue(w, 1, k, v, 0);
    });
    // ResourceSpans.scope_spans = 2
    w.message(2, () => {
      // ScopeSpans.scope = 1 (InstrumentationScope.name = 1)
      w.message(1, () => w.string(1, options.scope ?? "evalkit"));
      for (const s of spans) {
        // ScopeSpans.spans = 2
        w.message(2, () => {
          w.bytesHex(1, s.traceId);
          w.bytesHex(2, s.spanId);
          if (s.parentSpanId !== undefined) w.bytesHex(4, s.parentSpanId);
          w.string(5, s.name);
          w.tag(6, 0); // kind = SPAN_KIND_INTERNAL
          w.varint(1);
          w.fixed64(7, BigInt(s.startUs) * NANOS_PER_US);
          w.fixed64(8, BigInt(s.endUs) * NANOS_PER_US);
          for (const [k, v] of Object.entries(s.attributes)) {
            if (v !== undefined) keyValue(w, 9, k, v, 0);
          }
          for (const e of s.events ?? []) {
            w.message(11, () => {
              w.fixed64(1, BigInt(e.timeUs) * NANOS_PER_US);
              w.string(2, e.name);
              for (const [k, v] of Object.entries(e.attributes ?? {})) {
                if (v !== undefined) keyValue(w, 3, k, v, 0);
              }
            });
          }
          w.message(15, () => {
            if (s.status.message) w.string(2, s.status.message);
            const code = STATUS_NUMBER[s.status.code];
            if (code !== 0) {
              w.tag(3, 0);
              w.varint(code);
            }
          });
        });
      }
    });
  });
  return w.finish();
}

function jsonAnyValue(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  switch (typeof value) {
    case "string":
      return { stringValue: value };
    case "boolean":
      return { boolValue: value };
    case "number":
      return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    case "object":
      if (Array.isArray(value)) return { arrayValue: { values: value.map(jsonAnyValue) } };
      if (value instanceof Date) return { stringValue: value.toISOString() };
      return { kvlistValue: { values: jsonAttributes(value as Record<string, unknown>) } };
    default:
      return { stringValue: String(value) };
  }
}

function jsonAttributes(attrs: Record<string, unknown>): { key: string; value: unknown }[] {
  return Object.entries(attrs).filter(([, v]) => v !== undefined).map(([key, v]) => ({
    key,
    value: jsonAnyValue(v),
  }));
}

/**
 * Encodes spans as an OTLP JSON `ExportTraceServiceRequest` (hex ids, nanosecond strings), the
 * same content as {@link encodeOtlpTraces}: larger on the wire, readable when debugging.
 *
 * @example
 * ```ts
 * import { encodeOtlpTracesJson } from "@evalkit/evalkit/mlflow";
 * const text = encodeOtlpTracesJson([{
 *   traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "root",
 *   startUs: 1, endUs: 2, attributes: {}, status: { code: "OK" },
 * }]);
 * if (!text.includes('"startTimeUnixNano":"1000"')) throw new Error(text);
 * ```
 */
export function encodeOtlpTracesJson(
  spans: readonly OtlpSpan[],
  options: EncodeOtlpOptions = {},
): string {
  spans.forEach(checkSpan);
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: jsonAttributes(options.resource ?? {}) },
      scopeSpans: [{
        scope: { name: options.scope ?? "evalkit" },
        spans: spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
          name: s.name,
          kind: 1,
          startTimeUnixNano: String(BigInt(s.startUs) * NANOS_PER_US),
          endTimeUnixNano: String(BigInt(s.endUs) * NANOS_PER_US),
          attributes: jsonAttributes(s.attributes),
          events: (s.events ?? []).map((e) => ({
            timeUnixNano: String(BigInt(e.timeUs) * NANOS_PER_US),
            name: e.name,
            attributes: jsonAttributes(e.attributes ?? {}),
          })),
          status: {
            code: STATUS_NUMBER[s.status.code],
            ...(s.status.message ? { message: s.status.message } : {}),
          },
        })),
      }],
    }],
  });
}

/**
 * Gzips bytes with the platform's `CompressionStream`.
 *
 * @example
 * ```ts
 * import { gzipBytes } from "@evalkit/evalkit/mlflow";
 * const z = await gzipBytes(new TextEncoder().encode("a".repeat(1000)));
 * if (z[0] !== 0x1f || z[1] !== 0x8b || z.length > 100) throw new Error("not gzip");
 * ```
 */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
