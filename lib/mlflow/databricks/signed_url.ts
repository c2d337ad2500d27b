/**
 * Uploads and downloads through the signed URLs that Databricks hands out from
 * `credentials-for-write` / `credentials-for-read`: AWS presigned and GCS signed URLs
 * (one PUT), Azure SAS (block blob: Put Block per chunk, then Put Block List).
 *
 * @module
 */
import { redact } from "../../_internal/errors.ts";
import { parseRetryAfter, retry } from "../../_internal/retry.ts";

/** One entry of `credential_infos` as the MLflow artifacts credential endpoints return it. */
export interface ArtifactCredential {
  /** The run the path belongs to. */
  runId?: string;
  /** The artifact path relative to the run's artifact root. */
  path: string;
  /** The signed URL. */
  signedUri: string;
  /** Headers to send with the storage request. */
  headers: { name: string; value: string }[];
  /** `AWS_PRESIGNED_URL`, `GCP_SIGNED_URL`, `AZURE_SAS_URI`, `AZURE_ADLS_GEN2_SAS_URI`. */
  type: string;
}

/** Thrown by storage requests; `status` 401/403 means the signed URL needs refreshing. */
export class SignedUrlError extends Error {
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** Creates the error. */
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "SignedUrlError";
    this.status = status;
  }
}

/** Options shared by the signed-URL operations. */
export interface SignedUrlOptions {
  /** Azure block size in bytes. Default 4 MiB. */
  blockSize?: number;
  /** Retries for network errors, 408, 429, 500, 502, 503 and 504 per storage request. Default 4. */
  maxRetries?: number;
  /** First backoff ceiling between retries (full jitter, doubling up to 5 s). Default 200 ms. */
  retryBaseMs?: number;
  /** Timeout of one storage request. Default 300000 ms. */
  timeoutMs?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

function where(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`; // never the query: it holds the signature
}

function headersOf(cred: ArtifactCredential, extra: Record<string, string> = {}): Headers {
  const h = new Headers();
  for (const { name, value } of cred.headers) h.set(name, value);
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
}

/**
 * Sends one storage request with the shared retry rule (network errors, 408, 429, 500, 502,
 * 503, 504; backoff with full jitter, `Retry-After` honoured); 401/403 are thrown at once.
 */
function storageRequest(
  method: string,
  url: string,
  headers: Headers,
  body: Uint8Array | string | undefined,
  options: SignedUrlOptions,
): Promise<Response> {
  return retry(async () => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 300_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body as BodyInit | undefined, signal });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw new SignedUrlError(
        `${method} ${where(url)} failed: ${
          err instanceof Error ? redact(err.message) : String(err)
        }`,
        0,
        { cause: err },
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    throw Object.assign(
      new SignedUrlError(
        `${method} ${where(url)} failed (HTTP ${res.status}): ${redact(text.slice(0, 300))}`,
        res.status,
      ),
      { retryAfterMs: parseRetryAfter(res.headers.get("Retry-After")) },
    );
  }, {
    maxRetries: options.maxRetries ?? 4,
    baseMs: options.retryBaseMs ?? 200,
    maxMs: 5_000,
    signal: options.signal,
  });
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Block ids: base64 of a fixed-length string, as Azure requires ids of equal length. */
export function azureBlockId(index: number): string {
  return btoa(`block-${String(index).padStart(8, "0")}`);
}

/**
 * Uploads bytes to a signed URL. For Azure the upload is resumable per block: `getFresh`
 * is called when storage answers 401/403 (an expired signature) and the failed block is
 * sent again with the new URL, keeping the blocks already staged.
 *
 * @example
 * ```ts ignore
 * import { uploadToSignedUrl } from "@evalkit/evalkit/databricks";
 * await uploadToSignedUrl(credential, new TextEncoder().encode("hello"), () => refresh());
 * ```
 */
export async function uploadToSignedUrl(
  credential: ArtifactCredential,
  bytes: Uint8Array,
  getFresh: () => Promise<ArtifactCredential>,
  options: SignedUrlOptions = {},
): Promise<void> {
  let cred = credential;
  let refreshes = 0;
  const withRefresh = async <T>(op: (c: ArtifactCredential) => Promise<T>): Promise<T> => {
    while (true) {
      try {
        return await op(cred);
      } catch (err) {
        if (
          err instanceof SignedUrlError && (err.status === 401 || err.status === 403) &&
          refreshes < 3
        ) {
          refreshes++;
          cred = await getFresh();
          continue;
        }
        throw err;
      }
    }
  };
  switch (credential.type) {
    case "AWS_PRESIGNED_URL":
    case "GCP_SIGNED_URL":
      await withRefresh(async (c) => {
        const res = await storageRequest("PUT", c.signedUri, headersOf(c), bytes, options);
        await res.body?.cancel();
      });
      return;
    case "AZURE_SAS_URI": {
      const blockSize = options.blockSize ?? 4 * 1024 * 1024;
      if (!Number.isInteger(blockSize) || blockSize < 1) {
        throw new RangeError(`Expected blockSize to be a positive integer but found ${blockSize}`);
      }
      const ids: string[] = [];
      for (let offset = 0, i = 0; offset < bytes.length; offset += blockSize, i++) {
        const id = azureBlockId(i);
        const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + blockSize));
        await withRefresh(async (c) => {
          const url = withQuery(c.signedUri, { comp: "block", blockid: id });
          const res = await storageRequest("PUT", url, headersOf(c), chunk, options);
          await res.body?.cancel();
        });
        ids.push(id);
      }
      const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList>${
        ids.map((id) => `<Uncommitted>${id}</Uncommitted>`).join("")
      }</BlockList>`;
      await withRefresh(async (c) => {
        const url = withQuery(c.signedUri, { comp: "blocklist" });
        const res = await storageRequest(
          "PUT",
          url,
          headersOf(c, { "Content-Type": "application/xml" }),
          xml,
          options,
        );
        await res.body?.cancel();
      });
      return;
    }
    case "AZURE_ADLS_GEN2_SAS_URI": {
      const blockSize = options.blockSize ?? 4 * 1024 * 1024;
      await withRefresh(async (c) => {
        const res = await storageRequest(
          "PUT",
          withQuery(c.signedUri, { resource: "file" }),
          headersOf(c),
          undefined,
          options,
        );
        await res.body?.cancel();
      });
      for (let offset = 0; offset < bytes.length; offset += blockSize) {
        const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + blockSize));
        await withRefresh(async (c) => {
          const url = withQuery(c.signedUri, { action: "append", position: String(offset) });
          const res = await storageRequest("PATCH", url, headersOf(c), chunk, options);
          await res.body?.cancel();
        });
      }
      await withRefresh(async (c) => {
        const url = withQuery(c.signedUri, { action: "flush", position: String(bytes.length) });
        const res = await storageRequest("PATCH", url, headersOf(c), undefined, options);
        await res.body?.cancel();
      });
      return;
    }
    default:
      throw new TypeError(
        `Expected a credential type AWS_PRESIGNED_URL, GCP_SIGNED_URL, AZURE_SAS_URI or AZURE_ADLS_GEN2_SAS_URI ` +
          `but found '${credential.type}'`,
      );
  }
}

/**
 * Opens a signed URL for reading; calls `getFresh` once per 401/403 (up to three times).
 *
 * @example
 * ```ts ignore
 * import { downloadFromSignedUrl } from "@evalkit/evalkit/databricks";
 * const stream = await downloadFromSignedUrl(credential, () => refresh());
 * ```
 */
export async function downloadFromSignedUrl(
  credential: ArtifactCredential,
  getFresh: () => Promise<ArtifactCredential>,
  options: SignedUrlOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  let cred = credential;
  for (let refreshes = 0;; refreshes++) {
    try {
      const res = await storageRequest("GET", cred.signedUri, headersOf(cred), undefined, options);
      return res.body ?? new ReadableStream({ start: (c) => c.close() });
    } catch (err) {
      if (
        err instanceof SignedUrlError && (err.status === 401 || err.status === 403) && refreshes < 3
      ) {
        cred = await getFresh();
        continue;
      }
      throw err;
    }
  }
}
