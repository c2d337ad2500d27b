/**
 * Splitting a log-batch into requests the server accepts, as the Python client does
 * (`mlflow/tracking/_tracking_service/client.py::log_batch`): params and tags in chunks of
 * 100, each paired with metrics up to 1000 entities, the remaining metrics in chunks of
 * 1000 — and every request body under 1 MB. Entities are JSON-encoded once, here, and the
 * request bodies are joined from those pieces, so a retried request is byte-identical.
 *
 * @module
 */
import type { NormalizedLogBatch } from "./validation.ts";
import type { Param, RunTag } from "./types.ts";

/** Per-request limits of `runs/log-batch`. */
export interface LogBatchLimits {
  /** Metrics per request. Default 1000. */
  maxMetrics?: number;
  /** Params per request. Default 100. */
  maxParams?: number;
  /** Tags per request. Default 100. */
  maxTags?: number;
  /** Metrics + params + tags per request. Default 1000. */
  maxEntities?: number;
  /** Request body size in bytes. Default 1,000,000. */
  maxBytes?: number;
}

/** One request's worth of a log-batch. */
export interface LogBatchChunk {
  /** The metrics of this request. */
  metrics: NormalizedLogBatch["metrics"];
  /** The params of this request. */
  params: Param[];
  /** The tags of this request. */
  tags: RunTag[];
  /** Each entity already JSON-encoded, in the same order. */
  encoded: { metrics: string[]; params: string[]; tags: string[] };
  /** Bytes of the entities (without the envelope). */
  bytes: number;
}

/** Encodes a metric value as MLflow's JSON: numbers, or `"NaN"`, `"Infinity"`, `"-Infinity"`. */
function encodeValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

/** A JSON string literal and its extra UTF-8 bytes beyond its length in UTF-16 units. */
interface Encoded {
  json: string;
  extra: number;
}

/** Caches JSON encodings of the strings a batch repeats (keys, dataset names, model ids). */
class StringCache {
  readonly #map = new Map<string, Encoded>();
  get(s: string): Encoded {
    let e = this.#map.get(s);
    if (e === undefined) {
      const json = JSON.stringify(s);
      e = { json, extra: utf8Length(json) - json.length };
      if (this.#map.size < 10_000) this.#map.set(s, e);
    }
    return e;
  }
}

function encodeMetricWith(
  m: NormalizedLogBatch["metrics"][number],
  cache: StringCache,
): Encoded {
  const key = cache.get(m.key);
  let extra = key.extra;
  let s = `{"key":${key.json},"value":${encodeValue(m.value)},"timestamp":${
    Math.trunc(m.timestamp)
  },"step":${Math.trunc(m.step)}`;
  if (m.datasetName !== undefined) {
    const e = cache.get(m.datasetName);
    s += `,"dataset_name":${e.json}`;
    extra += e.extra;
  }
  if (m.datasetDigest !== undefined) {
    const e = cache.get(m.datasetDigest);
    s += `,"dataset_digest":${e.json}`;
    extra += e.extra;
  }
  if (m.modelId !== undefined) {
    const e = cache.get(m.modelId);
    s += `,"model_id":${e.json}`;
    extra += e.extra;
  }
  return { json: s + "}", extra };
}

/**
 * JSON-encodes one metric for the wire (snake_case, NaN/±Infinity as strings).
 *
 * @example
 * ```ts
 * import { encodeMetric } from "./batching.ts";
 * const text = encodeMetric({ key: "loss", value: NaN, timestamp: 5, step: 1 });
 * if (text !== '{"key":"loss","value":"NaN","timestamp":5,"step":1}') throw new Error(text);
 * ```
 */
export function encodeMetric(m: NormalizedLogBatch["metrics"][number]): string {
  return encodeMetricWith(m, new StringCache()).json;
}

function encodePair(p: { key: string; value: string }): string {
  return `{"key":${JSON.stringify(p.key)},"value":${JSON.stringify(p.value)}}`;
}

/** UTF-8 byte length of a string without allocating. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) i++, n += 2; // surrogate pair: 4 bytes for 2 units
    else n += 2;
  }
  return n;
}

// `{"run_id":"<32 hex>","metrics":[],"params":[],"tags":[]}` plus slack for a longer id.
const ENVELOPE_BYTES = 200;

/**
 * Splits a validated batch into requests within the server's limits.
 *
 * @example
 * ```ts
 * import { splitLogBatch } from "@evalkit/evalkit/mlflow";
 * const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: "m", value: i, timestamp: 0, step: i }));
 * const chunks = splitLogBatch({ metrics, params: [], tags: [] });
 * if (chunks.map((c) => c.metrics.length).join() !== "1000,1000,500") throw new Error("unexpected");
 * ```
 */
export function splitLogBatch(
  batch: NormalizedLogBatch,
  limits: LogBatchLimits = {},
): LogBatchChunk[] {
  const maxMetrics = limits.maxMetrics ?? 1000;
  const maxParams = limits.maxParams ?? 100;
  const maxTags = limits.maxTags ?? 100;
  const maxEntities = limits.maxEntities ?? 1000;
  const maxBytes = (limits.maxBytes ?? 1_000_000) - ENVELOPE_BYTES;
  const chunks: LogBatchChunk[] = [];
  const cache = new StringCache();
  let mi = 0, pi = 0, ti = 0;
  const { metrics, params, tags } = batch;
  while (mi < metrics.length || pi < params.length || ti < tags.length) {
    const chunk: LogBatchChunk = {
      metrics: [],
      params: [],
      tags: [],
      encoded: { metrics: [], params: [], tags: [] },
      bytes: 0,
    };
    let entities = 0;
    const fits = (size: number) =>
      entities < maxEntities && (entities === 0 || chunk.bytes + size + 1 <= maxBytes);
    while (pi < params.length && chunk.params.length < maxParams) {
      const text = encodePair(params[pi]!);
      const size = utf8Length(text);
      if (!fits(size)) break;
      chunk.params.push(params[pi++]!);
      chunk.encoded.params.push(text);
      chunk.bytes += size + 1;
      entities++;
    }
    while (ti < tags.length && chunk.tags.length < maxTags) {
      const text = encodePair(tags[ti]!);
      const size = utf8Length(text);
      if (!fits(size)) break;
      chunk.tags.push(tags[ti++]!);
      chunk.encoded.tags.push(text);
      chunk.bytes += size + 1;
      entities++;
    }
    while (mi < metrics.length && chunk.metrics.length < maxMetrics) {
      const encoded = encodeMetricWith(metrics[mi]!, cache);
      const size = encoded.json.length + encoded.extra;
      if (!fits(size)) break;
      chunk.metrics.push(metrics[mi++]!);
      chunk.encoded.metrics.push(encoded.json);
      chunk.bytes += size + 1;
      entities++;
    }
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * The JSON body of one `runs/log-batch` request, joined from the pre-encoded entities.
 *
 * @example
 * ```ts
 * import { encodeLogBatch, splitLogBatch } from "@evalkit/evalkit/mlflow";
 * const [chunk] = splitLogBatch({ metrics: [], params: [{ key: "a", value: "1" }], tags: [] });
 * const body = JSON.parse(encodeLogBatch("r1", chunk!));
 * if (body.params[0].value !== "1") throw new Error("unexpected");
 * ```
 */
export function encodeLogBatch(runId: string, chunk: LogBatchChunk): string {
  return `{"run_id":${JSON.stringify(runId)},"metrics":[${chunk.encoded.metrics.join(",")}],` +
    `"params":[${chunk.encoded.params.join(",")}],"tags":[${chunk.encoded.tags.join(",")}]}`;
}
