/**
 * W3C Trace Context `traceparent`: make one for an outgoing request from the current span, and
 * read one from an incoming request to continue the caller's trace.
 *
 * @module
 */
import type { Span } from "./span.ts";

/** What a `traceparent` header carries. */
export interface TraceContext {
  /** 32 hex digits. */
  traceId: string;
  /** The caller's span id, 16 hex digits. */
  parentSpanId: string;
  /** The caller's sampling decision. */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Parses a `traceparent` header (version 00 and, per the spec, later versions' first four
 * fields); `undefined` when absent or malformed (all-zero ids, version ff).
 *
 * @example
 * ```ts
 * import { parseTraceparent } from "@evalkit/evalkit/tracing";
 * const ctx = parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * if (ctx?.parentSpanId !== "b7ad6b7169203331" || !ctx.sampled) throw new Error();
 * if (parseTraceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01")) throw new Error();
 * ```
 */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  if (typeof header !== "string") return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version === "ff") return undefined;
  if (version === "00" && header.trim().length !== 55) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, parentSpanId: spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/**
 * The `traceparent` header value for a request made inside `span` (so the callee's spans join
 * its trace); `undefined` for a span that records nothing.
 *
 * @example
 * ```ts
 * import { formatTraceparent, Tracer } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() });
 * tracer.withSpan("call", (span) => {
 *   const header = formatTraceparent(span)!;
 *   if (!header.startsWith(`00-${span.traceId.slice(3)}-${span.spanId}-`)) throw new Error(header);
 * });
 * ```
 */
export function formatTraceparent(span: Span | undefined): string | undefined {
  const trace = span?._trace;
  if (!span || !trace) return undefined;
  return `00-${trace.otelTraceId}-${span.spanId}-${trace.sampled ? "01" : "00"}`;
}
