/**
 * Run artifacts on Databricks (`dbfs:/databricks/mlflow-tracking/<exp>/<run>/artifacts`):
 * the Files API first, signed URLs from the credential endpoints as the fallback.
 *
 * @module
 */
import { MlflowApiError } from "../../_internal/errors.ts";
import type {
  ArtifactFileInfo,
  ArtifactRepository,
  ArtifactRepositoryFactory,
  ArtifactRequestOptions,
  ArtifactUploadBody,
} from "../artifacts.ts";
import type { MlflowTransport } from "../transport.ts";
import {
  type ArtifactCredential,
  downloadFromSignedUrl,
  type SignedUrlOptions,
  uploadToSignedUrl,
} from "./signed_url.ts";

/** One listed artifact; `path` is relative to the artifact URI given to `list`. */
export interface DatabricksArtifactEntry {
  /** Path relative to the artifact URI, e.g. `eval/results.json`. */
  path: string;
  /** True for a directory. */
  isDir: boolean;
  /** Size in bytes for files. */
  fileSize?: number;
}

/** What can be uploaded. Streams are read into memory first (so the fallback can resend them). */
export type DatabricksArtifactContent = Uint8Array | string | ReadableStream<Uint8Array>;

/** A parsed Databricks artifact URI. */
export interface DatabricksArtifactLocation {
  /** `run` or `logged_model`. */
  kind: "run" | "logged_model";
  /** Experiment id. */
  experimentId: string;
  /** Run id (kind `run`) or model id (kind `logged_model`). */
  id: string;
  /** Path below the artifact root the URI points at ("" for the root). */
  subPath: string;
  /** The Files API directory of the artifact root, e.g. `/WorkspaceInternal/Mlflow/Artifacts/1/Runs/abc/artifacts`. */
  filesRoot: string;
}

/** Which route to use for the bytes. */
export type FilesApiMode = "auto" | "always" | "never";

/** Options for {@link DatabricksArtifactRepository}. */
export interface DatabricksArtifactRepositoryOptions extends SignedUrlOptions {
  /**
   * `auto` (default): the Files API, falling back to signed URLs when it fails (and staying on
   * signed URLs once it answered 403/404-endpoint/501); `always`: Files API only; `never`:
   * signed URLs only (as `MLFLOW_DISABLE_DATABRICKS_SDK_FOR_RUN_ARTIFACTS=true`).
   */
  filesApi?: FilesApiMode;
}

/**
 * Parses `dbfs:/databricks/mlflow-tracking/<exp>/<run>/artifacts[/<sub>]` and
 * `dbfs:/databricks/mlflow-tracking/<exp>/logged_models/<model>/artifacts[/<sub>]`.
 *
 * @example
 * ```ts
 * import { parseDatabricksArtifactUri } from "./artifact_repository.ts";
 * const loc = parseDatabricksArtifactUri("dbfs:/databricks/mlflow-tracking/12/abc/artifacts/eval");
 * if (loc.filesRoot !== "/WorkspaceInternal/Mlflow/Artifacts/12/Runs/abc/artifacts") throw new Error();
 * if (loc.subPath !== "eval") throw new Error();
 * ```
 */
export function parseDatabricksArtifactUri(uri: string): DatabricksArtifactLocation {
  const m =
    /^dbfs:(?:\/\/)?\/databricks\/mlflow-tracking\/([^/]+)\/(?:(logged_models)\/)?([^/]+)\/artifacts(?:\/(.*))?$/
      .exec(uri);
  if (!m) {
    throw new TypeError(
      `Expected a Databricks MLflow artifact URI like 'dbfs:/databricks/mlflow-tracking/<experiment>/<run>/artifacts' ` +
        `but found '${uri}'`,
    );
  }
  const [, experimentId, lm, id, sub] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string | undefined,
  ];
  const kind = lm ? "logged_model" : "run";
  const filesRoot = `/WorkspaceInternal/Mlflow/Artifacts/${experimentId}/${
    kind === "run" ? "Runs" : "LoggedModels"
  }/${id}/artifacts`;
  return { kind, experimentId, id, subPath: (sub ?? "").replace(/^\/+|\/+$/g, ""), filesRoot };
}

function cleanPath(path: string): string {
  const p = path.replace(/^\/+|\/+$/g, "");
  if (p.split("/").some((s) => s === ".." || s === ".")) {
    throw new TypeError(
      `Expected an artifact path without '.' or '..' segments but found '${path}'`,
    );
  }
  return p;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

async function toBytes(content: DatabricksArtifactContent): Promise<Uint8Array> {
  if (typeof content === "string") return new TextEncoder().encode(content);
  if (content instanceof Uint8Array) return content;
  return new Uint8Array(await new Response(content).arrayBuffer());
}

interface CredentialResponse {
  credential_infos?: {
    run_id?: string;
    path: string;
    signed_uri: string;
    headers?: { name: string; value: string }[];
    type: string;
  }[];
  next_page_token?: string;
}

/**
 * Stores and reads run artifacts on Databricks-hosted MLflow.
 *
 * - Upload: `PUT /api/2.0/fs/files/WorkspaceInternal/Mlflow/Artifacts/<exp>/Runs/<run>/artifacts/<path>?overwrite=true`
 *   (raw bytes); download: `GET` of the same path; listing: `GET /api/2.0/fs/directories/…`
 *   with `page_token` paging.
 * - Fallback: `POST /api/2.0/mlflow/artifacts/credentials-for-write` (or `-for-read`) gives a
 *   signed URL: AWS presigned / GCS signed `PUT`, Azure SAS block blob (Put Block per
 *   `blockSize` chunk, then Put Block List); fresh credentials are fetched when storage
 *   answers 401/403. Listing falls back to `GET /api/2.0/mlflow/artifacts/list`.
 *
 * Implements the `ArtifactRepository` shape of the MLflow client (`upload`, `list`,
 * `download`) for the `dbfs:` scheme.
 *
 * @example
 * ```ts ignore
 * import { databricksTarget } from "@evalkit/evalkit/databricks";
 * const target = databricksTarget("databricks");
 * const uri = "dbfs:/databricks/mlflow-tracking/12/abc/artifacts";
 * await target.artifactRepository.upload(uri, "eval/summary.json", JSON.stringify({ f1: 0.9 }));
 * console.log(await target.artifactRepository.list(uri, "eval"));
 * ```
 */
export class DatabricksArtifactRepository {
  /** URI schemes this repository serves. */
  readonly schemes: readonly string[] = ["dbfs"];
  readonly #transport: MlflowTransport;
  readonly #options: DatabricksArtifactRepositoryOptions;
  #filesApiUsable: boolean;
  /** Which route the last operation used (`files-api` or `signed-url`), for diagnostics and tests. */
  lastRoute: "files-api" | "signed-url" | undefined;

  /** Creates the repository over a workspace transport. */
  constructor(transport: MlflowTransport, options: DatabricksArtifactRepositoryOptions = {}) {
    this.#transport = transport;
    this.#options = options;
    this.#filesApiUsable = (options.filesApi ?? "auto") !== "never";
  }

  #shouldFallBack(err: unknown): boolean {
    if ((this.#options.filesApi ?? "auto") !== "auto") return false;
    if (!(err instanceof MlflowApiError)) return false;
    if (
      err.status === 403 || err.status === 501 || err.errorCode === "ENDPOINT_NOT_FOUND" ||
      err.status === 401
    ) {
      this.#filesApiUsable = false; // the workspace does not offer the Files API to us: stop trying
    }
    return true;
  }

  /**
   * Uploads one artifact to `<artifactUri>/<path>`. Bytes and text are sent as they are; a
   * stream goes to the Files API as it is read (never whole in memory). The signed-URL
   * fallback needs the bytes: it reads a fresh stream from `options.reopen` when given, and
   * refuses (with the Files API error as cause) when the only stream was already consumed.
   */
  async upload(
    artifactUri: string,
    path: string,
    content: DatabricksArtifactContent,
    options: { reopen?: () => Promise<Uint8Array | ReadableStream<Uint8Array>> } = {},
  ): Promise<void> {
    const loc = parseDatabricksArtifactUri(artifactUri);
    const rel = join(loc.subPath, cleanPath(path));
    if (rel === "") throw new TypeError("Expected a non-empty artifact path");
    let bytes = content instanceof ReadableStream ? undefined : await toBytes(content);
    if (this.#filesApiUsable) {
      let pending: ReadableStream<Uint8Array> | undefined = content instanceof ReadableStream
        ? content
        : undefined;
      const reopen = options.reopen;
      const body = bytes !== undefined
        ? () => bytes as Uint8Array<ArrayBuffer>
        : reopen
        ? async () => {
          const first = pending;
          pending = undefined;
          return first ?? await reopen();
        }
        : pending!;
      try {
        const res = await this.#transport.raw(
          "PUT",
          `/api/2.0/fs/files${encodePath(join(loc.filesRoot, rel))}`,
          {
            query: { overwrite: true },
            body: body as BodyInit | (() => Promise<BodyInit>),
            headers: { "Content-Type": "application/octet-stream" },
            signal: this.#options.signal,
          },
        );
        await res.body?.cancel();
        this.lastRoute = "files-api";
        return;
      } catch (err) {
        if (!this.#shouldFallBack(err)) throw err;
        if (bytes === undefined) {
          if (!reopen) {
            throw new Error(
              `Cannot fall back to signed URLs for '${rel}': the Files API failed and the stream was already read`,
              { cause: err },
            );
          }
          await pending?.cancel();
          bytes = await toBytes(await reopen());
        }
      }
    }
    bytes ??= await toBytes(content);
    this.#requireRun(loc, "upload");
    const first = await this.#credential("write", loc.id, rel);
    await uploadToSignedUrl(
      first,
      bytes,
      () => this.#credential("write", loc.id, rel),
      this.#options,
    );
    this.lastRoute = "signed-url";
  }

  /** Opens `<artifactUri>/<path>` for reading. */
  async download(artifactUri: string, path: string): Promise<ReadableStream<Uint8Array>> {
    const loc = parseDatabricksArtifactUri(artifactUri);
    const rel = join(loc.subPath, cleanPath(path));
    if (this.#filesApiUsable) {
      try {
        const res = await this.#transport.raw(
          "GET",
          `/api/2.0/fs/files${encodePath(join(loc.filesRoot, rel))}`,
          {
            signal: this.#options.signal,
          },
        );
        this.lastRoute = "files-api";
        return res.body ?? new ReadableStream({ start: (c) => c.close() });
      } catch (err) {
        if (
          err instanceof MlflowApiError && err.status === 404 &&
          err.errorCode !== "ENDPOINT_NOT_FOUND"
        ) {
          throw err; // the file is not there
        }
        if (!this.#shouldFallBack(err)) throw err;
      }
    }
    this.#requireRun(loc, "download");
    const first = await this.#credential("read", loc.id, rel);
    const stream = await downloadFromSignedUrl(
      first,
      () => this.#credential("read", loc.id, rel),
      this.#options,
    );
    this.lastRoute = "signed-url";
    return stream;
  }

  /** Reads an artifact as text. */
  async readText(artifactUri: string, path: string): Promise<string> {
    return await new Response(await this.download(artifactUri, path)).text();
  }

  /** Lists the direct children of `<artifactUri>/<path>`; a missing directory lists as empty. */
  async list(artifactUri: string, path = ""): Promise<DatabricksArtifactEntry[]> {
    const loc = parseDatabricksArtifactUri(artifactUri);
    const dir = cleanPath(path);
    const full = join(loc.subPath, dir);
    if (this.#filesApiUsable) {
      try {
        const out = await this.#listFilesApi(loc, full);
        this.lastRoute = "files-api";
        return out;
      } catch (err) {
        if (!this.#shouldFallBack(err)) throw err;
      }
    }
    this.#requireRun(loc, "list");
    const out: DatabricksArtifactEntry[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#transport.get<
        {
          files?: { path: string; is_dir?: boolean; file_size?: number | string }[];
          next_page_token?: string;
        }
      >("/api/2.0/mlflow/artifacts/list", {
        query: { run_id: loc.id, path: full === "" ? undefined : full, page_token: pageToken },
        signal: this.#options.signal,
      });
      for (const f of page.files ?? []) {
        const relToUri = loc.subPath === "" ? f.path : f.path.slice(loc.subPath.length + 1);
        out.push({
          path: relToUri,
          isDir: f.is_dir ?? false,
          ...(f.is_dir ? {} : f.file_size !== undefined ? { fileSize: Number(f.file_size) } : {}),
        });
      }
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    this.lastRoute = "signed-url";
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  async #listFilesApi(
    loc: DatabricksArtifactLocation,
    full: string,
  ): Promise<DatabricksArtifactEntry[]> {
    const out: DatabricksArtifactEntry[] = [];
    const base = join(loc.filesRoot, loc.subPath);
    let pageToken: string | undefined;
    do {
      let page: {
        contents?: {
          path: string;
          is_directory?: boolean;
          file_size?: number | string;
          name?: string;
        }[];
        next_page_token?: string;
      };
      try {
        page = await this.#transport.get(
          `/api/2.0/fs/directories${encodePath(join(loc.filesRoot, full))}`,
          {
            query: { page_token: pageToken },
            signal: this.#options.signal,
          },
        );
      } catch (err) {
        if (
          err instanceof MlflowApiError && err.status === 404 &&
          err.errorCode !== "ENDPOINT_NOT_FOUND"
        ) return [];
        throw err;
      }
      for (const e of page.contents ?? []) {
        const abs = e.path.replace(/\/+$/, "");
        const rel = abs.startsWith(`${base}/`) ? abs.slice(base.length + 1) : abs.split("/").pop()!;
        out.push({
          path: rel,
          isDir: e.is_directory ?? false,
          ...(e.is_directory
            ? {}
            : e.file_size !== undefined
            ? { fileSize: Number(e.file_size) }
            : {}),
        });
      }
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  #requireRun(loc: DatabricksArtifactLocation, op: string): void {
    if (loc.kind !== "run") {
      throw new Error(
        `Cannot ${op} logged-model artifacts without the Files API: the signed-URL fallback covers run artifacts only`,
      );
    }
  }

  async #credential(
    mode: "read" | "write",
    runId: string,
    path: string,
  ): Promise<ArtifactCredential> {
    const res = await this.#transport.post<CredentialResponse>(
      `/api/2.0/mlflow/artifacts/credentials-for-${mode}`,
      { run_id: runId, path: [path] },
      { signal: this.#options.signal },
    );
    const info = res.credential_infos?.find((c) => c.path === path) ?? res.credential_infos?.[0];
    if (!info || typeof info.signed_uri !== "string") {
      throw new MlflowApiError({
        status: 200,
        errorCode: "INVALID_RESPONSE",
        endpoint: `/api/2.0/mlflow/artifacts/credentials-for-${mode}`,
        method: "POST",
        message: `no credential for '${path}' in the answer`,
      });
    }
    return {
      runId: info.run_id,
      path: info.path,
      signedUri: info.signed_uri,
      headers: info.headers ?? [],
      type: info.type,
    };
  }
}

/**
 * The MLflow client's `ArtifactRepository` for one `dbfs:/databricks/mlflow-tracking/…`
 * URI, backed by a shared {@link DatabricksArtifactRepository}.
 *
 * @example
 * ```ts ignore
 * import { DbfsArtifactRepository, DatabricksArtifactRepository } from "@evalkit/evalkit/databricks";
 * const repo = new DbfsArtifactRepository(run.info.artifactUri, new DatabricksArtifactRepository(transport));
 * console.log(await repo.list(""));
 * ```
 */
export class DbfsArtifactRepository implements ArtifactRepository {
  /** The artifact URI this repository serves. */
  readonly artifactUri: string;
  /** The workspace repository doing the requests. */
  readonly backend: DatabricksArtifactRepository;

  /** Checks the URI and binds it to a backend. */
  constructor(artifactUri: string, backend: DatabricksArtifactRepository) {
    parseDatabricksArtifactUri(artifactUri);
    this.artifactUri = artifactUri;
    this.backend = backend;
  }

  /** Writes one file (streamed to the Files API; reopened for the signed-URL fallback when replayable). */
  async upload(
    path: string,
    body: ArtifactUploadBody,
    _options?: ArtifactRequestOptions,
  ): Promise<void> {
    const reopen = body.replayable ? () => body.open() : undefined;
    await this.backend.upload(this.artifactUri, path, await body.open(), { reopen });
  }

  /** Lists the direct children of a folder. */
  list(path: string, _options?: ArtifactRequestOptions): Promise<ArtifactFileInfo[]> {
    return this.backend.list(this.artifactUri, path);
  }

  /** Streams one file. */
  download(path: string, _options?: ArtifactRequestOptions): Promise<ReadableStream<Uint8Array>> {
    return this.backend.download(this.artifactUri, path);
  }
}

const shared = new WeakMap<MlflowTransport, DatabricksArtifactRepository>();

/**
 * A factory for `registerArtifactRepository("dbfs", …)` / `client.artifacts.register("dbfs", …)`:
 * one {@link DatabricksArtifactRepository} per transport, shared by every `dbfs:` URI.
 *
 * @example
 * ```ts ignore
 * import { registerArtifactRepository } from "@evalkit/evalkit/mlflow";
 * import { dbfsArtifactRepositoryFactory } from "./artifact_repository.ts";
 * registerArtifactRepository("dbfs", dbfsArtifactRepositoryFactory());
 * ```
 */
export function dbfsArtifactRepositoryFactory(
  options: DatabricksArtifactRepositoryOptions = {},
): ArtifactRepositoryFactory {
  return (artifactUri, transport) => {
    let backend = shared.get(transport);
    if (!backend) {
      backend = new DatabricksArtifactRepository(transport, options);
      shared.set(transport, backend);
    }
    return new DbfsArtifactRepository(artifactUri, backend);
  };
}
