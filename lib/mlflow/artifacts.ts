/**
 * Artifacts of runs and logged models: upload, list, walk and download — streamed, never
 * buffering a whole large file — dispatched by the scheme of the artifact URI through
 * {@link ArtifactRepository} implementations (`mlflow-artifacts:` proxied through the tracking
 * server, `file:` local folders, and any scheme a plug-in registers, e.g. Databricks `dbfs:`).
 *
 * @module
 */
import { z } from "zod";
import type { MlflowTransport } from "./transport.ts";
import { unquote } from "../_internal/uri.ts";

/** One entry of an artifact listing. */
export interface ArtifactFileInfo {
  /** Path relative to the artifact URI's root, `/`-separated (e.g. `eval/results.json`). */
  path: string;
  /** Whether the entry is a folder. */
  isDir: boolean;
  /** Size in bytes, for files when known. */
  fileSize?: number;
}

/** What {@link ArtifactsApi.upload} accepts: bytes, text (written as UTF-8) or a byte stream. */
export type ArtifactContent = Uint8Array | string | ReadableStream<Uint8Array>;

/** A body handed to {@link ArtifactRepository.upload}. */
export interface ArtifactUploadBody {
  /**
   * Returns the bytes or a fresh stream of them. When `replayable` is true it may be called
   * once per attempt (each call gives a new stream); otherwise call it once.
   */
  open(): Promise<Uint8Array | ReadableStream<Uint8Array>>;
  /** Whether `open()` can be called again to retry the upload. */
  replayable: boolean;
  /** Size in bytes, when known. */
  size?: number;
  /** MIME type guessed from the file name. */
  contentType: string;
}

/** Options of a single artifact request. */
export interface ArtifactRequestOptions {
  /** Abort signal. */
  signal?: AbortSignal;
}

/**
 * Storage behind one artifact URI. Paths given to its methods are already normalised:
 * relative, `/`-separated, no `.` or `..` segments (`""` is the root).
 *
 * Implement it (and register it with {@link registerArtifactRepository}) to support another
 * URI scheme, e.g. Databricks `dbfs:/`.
 */
export interface ArtifactRepository {
  /** Writes one file. */
  upload(path: string, body: ArtifactUploadBody, options?: ArtifactRequestOptions): Promise<void>;
  /** The direct children of a folder, with paths relative to the repository root. */
  list(path: string, options?: ArtifactRequestOptions): Promise<ArtifactFileInfo[]>;
  /** Streams one file. */
  download(path: string, options?: ArtifactRequestOptions): Promise<ReadableStream<Uint8Array>>;
  /** Deletes a file or folder, when the storage supports it. */
  delete?(path: string, options?: ArtifactRequestOptions): Promise<void>;
}

/** Builds the repository for an artifact URI; gets the client's transport (auth, retries). */
export type ArtifactRepositoryFactory = (
  artifactUri: string,
  transport: MlflowTransport,
) => ArtifactRepository;

const globalFactories = new Map<string, ArtifactRepositoryFactory>();

function checkScheme(scheme: string): string {
  const s = scheme.replace(/:$/, "").toLowerCase();
  if (!/^[a-z][a-z0-9+.-]+$/.test(s)) {
    throw new TypeError(`Expected a URI scheme such as 'dbfs' but found '${scheme}'`);
  }
  return s;
}

/**
 * Registers how artifact URIs of one scheme are stored, for every {@link ArtifactsApi}
 * (a plug-in such as the Databricks module calls it once when imported). A factory given
 * to {@link ArtifactsApi.register} or the constructor wins over this one.
 *
 * @example
 * ```ts
 * import { registerArtifactRepository } from "@evalkit/evalkit/mlflow";
 * registerArtifactRepository("memo", () => ({
 *   upload: () => Promise.resolve(),
 *   list: () => Promise.resolve([]),
 *   download: () => Promise.resolve(new Blob([]).stream()),
 * }));
 * ```
 */
export function registerArtifactRepository(
  scheme: string,
  factory: ArtifactRepositoryFactory,
): void {
  globalFactories.set(checkScheme(scheme), factory);
}

/**
 * Normalises a relative artifact path: `/`-separated, empty and `.` segments dropped.
 * Refuses absolute paths, `..` segments, backslashes and NUL characters.
 *
 * @example
 * ```ts
 * import { normalizeArtifactPath } from "./artifacts.ts";
 * if (normalizeArtifactPath("./eval//results.json") !== "eval/results.json") throw new Error();
 * let refused = false;
 * try { normalizeArtifactPath("../secrets"); } catch { refused = true; }
 * if (!refused) throw new Error("expected a TypeError");
 * ```
 */
export function normalizeArtifactPath(path: string): string {
  if (typeof path !== "string") {
    throw new TypeError(`Expected an artifact path to be a string but found ${typeof path}`);
  }
  if (path.includes("\0")) throw new TypeError("Expected an artifact path without NUL characters");
  if (path.includes("\\")) {
    throw new TypeError(`Expected an artifact path with '/' separators but found '${path}'`);
  }
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || /^[a-z][a-z0-9+.-]*:\//i.test(path)) {
    throw new TypeError(`Expected a relative artifact path but found '${path}'`);
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new TypeError(`Expected an artifact path without '..' segments but found '${path}'`);
  }
  return parts.join("/");
}

function joinPath(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== "").join("/");
}

function encodePath(path: string): string {
  return path.split("/").filter((p) => p !== "").map(encodeURIComponent).join("/");
}

function baseName(path: string): string {
  const i = path.replace(/[\\/]+$/, "").search(/[^\\/]*$/);
  return path.replace(/[\\/]+$/, "").slice(i);
}

const MIME: Record<string, string> = {
  json: "application/json",
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  yaml: "application/x-yaml",
  yml: "application/x-yaml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  svg: "image/svg+xml",
  webp: "image/webp",
  parquet: "application/octet-stream",
};

function guessContentType(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) ?? "application/octet-stream";
}

async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

const listResponse = z.object({
  files: z.array(z.object({
    path: z.string(),
    is_dir: z.boolean().default(false),
    file_size: z.union([z.number(), z.string()]).optional(),
  })).default([]),
});

const ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts";

/**
 * The proxied artifact API of an MLflow tracking server (`mlflow server --serve-artifacts`):
 * `mlflow-artifacts:/<root>` is served at `<tracking URI>/api/2.0/mlflow-artifacts/artifacts/<root>`,
 * with the tracking server's auth and path prefix. Also accepts the `http(s)://` form of
 * the same endpoint on the tracking host.
 *
 * @example
 * ```ts ignore
 * import { MlflowTransport } from "@evalkit/evalkit/mlflow";
 * import { MlflowArtifactsRepository } from "./artifacts.ts";
 * const transport = new MlflowTransport({ trackingUri: "http://127.0.0.1:5000" });
 * const repo = new MlflowArtifactsRepository("mlflow-artifacts:/1/abc/artifacts", transport);
 * console.log(await repo.list(""));
 * ```
 */
export class MlflowArtifactsRepository implements ArtifactRepository {
  readonly #transport: MlflowTransport;
  /** The root path under the artifact API (e.g. `1/<run id>/artifacts`). */
  readonly root: string;

  /** Creates the repository for one `mlflow-artifacts:` (or equivalent `http(s):`) URI. */
  constructor(artifactUri: string, transport: MlflowTransport) {
    this.#transport = transport;
    this.root = MlflowArtifactsRepository.#rootOf(artifactUri, transport);
  }

  static #rootOf(uri: string, transport: MlflowTransport): string {
    const base = new URL(transport.baseUrl);
    if (/^mlflow-artifacts:/i.test(uri)) {
      let rest = uri.replace(/^mlflow-artifacts:/i, "");
      if (rest.startsWith("//")) {
        const slash = rest.indexOf("/", 2);
        const netloc = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
        if (netloc !== "" && netloc !== base.host) {
          throw new TypeError(
            `Expected the artifact URI '${uri}' to point at the tracking host '${base.host}' ` +
              `but it names '${netloc}'`,
          );
        }
        rest = slash === -1 ? "" : rest.slice(slash);
      }
      return rest.split("/").filter((p) => p !== "").map(unquote).join("/");
    }
    const prefix = `${transport.baseUrl}${ARTIFACTS_API}`;
    if (uri === prefix || uri.startsWith(`${prefix}/`)) {
      return uri.slice(prefix.length).split("/").filter((p) => p !== "").map(unquote)
        .join("/");
    }
    throw new TypeError(
      `Expected an 'mlflow-artifacts:' URI or '${prefix}/…' but found '${uri}'`,
    );
  }

  #endpoint(path: string): string {
    // The server URL-decodes artifact paths once more after the HTTP layer did, so `%41` would
    // silently become `A`, and it refuses `#`: refuse both here with a clear message.
    if (/%[0-9A-Fa-f]{2}/.test(path) || path.includes("#")) {
      throw new TypeError(
        `Expected an artifact path without '#' or '%' followed by two hex digits (the MLflow server ` +
          `decodes or refuses them) but found '${path}'`,
      );
    }
    const full = joinPath(this.root, path);
    return full === "" ? ARTIFACTS_API : `${ARTIFACTS_API}/${encodePath(full)}`;
  }

  /** PUTs one file (streamed; retried when the body is replayable). */
  async upload(
    path: string,
    body: ArtifactUploadBody,
    options: ArtifactRequestOptions = {},
  ): Promise<void> {
    const res = await this.#transport.raw("PUT", this.#endpoint(path), {
      body: body.replayable
        ? async () => (await body.open()) as BodyInit
        : (await body.open()) as BodyInit,
      headers: { "Content-Type": body.contentType },
      signal: options.signal,
    });
    await drain(res);
  }

  /** Lists the direct children of a folder (the server answers basenames; they are joined). */
  async list(path: string, options: ArtifactRequestOptions = {}): Promise<ArtifactFileInfo[]> {
    const res = await this.#transport.get<z.infer<typeof listResponse>>(ARTIFACTS_API, {
      query: { path: joinPath(this.root, path) },
      schema: listResponse,
      signal: options.signal,
    });
    return res.files.map((f) => {
      const info: ArtifactFileInfo = { path: joinPath(path, baseName(f.path)), isDir: f.is_dir };
      // The server omits file_size for empty files (a proto default of 0).
      if (!f.is_dir) info.fileSize = Number(f.file_size ?? 0);
      return info;
    });
  }

  /** GETs one file as a stream. */
  async download(
    path: string,
    options: ArtifactRequestOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#transport.raw("GET", this.#endpoint(path), { signal: options.signal });
    return res.body ?? new Blob([]).stream();
  }

  /** DELETEs a file or folder. */
  async delete(path: string, options: ArtifactRequestOptions = {}): Promise<void> {
    const res = await this.#transport.raw("DELETE", this.#endpoint(path), {
      signal: options.signal,
    });
    await drain(res);
  }
}

/**
 * Artifacts in a local folder (`file:///abs/dir` URIs or plain absolute paths), as MLflow's
 * local artifact repository.
 *
 * @example
 * ```ts
 * import { LocalArtifactRepository } from "@evalkit/evalkit/mlflow";
 * const repo = new LocalArtifactRepository("file:///tmp/evalkit-artifacts-example");
 * if (repo.root !== "/tmp/evalkit-artifacts-example") throw new Error(repo.root);
 * ```
 */
export class LocalArtifactRepository implements ArtifactRepository {
  /** The local folder. */
  readonly root: string;

  /** Creates the repository for a `file:` URI or a local path. */
  constructor(artifactUri: string) {
    this.root = /^file:/i.test(artifactUri)
      ? unquote(new URL(artifactUri).pathname).replace(/\/+$/, "")
      : artifactUri.replace(/\/+$/, "");
    if (this.root === "") this.root = "/";
  }

  #local(path: string): string {
    return path === "" ? this.root : `${this.root}/${path}`;
  }

  /** Writes the file (creating folders), streaming the body to disk. */
  async upload(path: string, body: ArtifactUploadBody): Promise<void> {
    const target = this.#local(path);
    const dir = target.slice(0, target.lastIndexOf("/"));
    if (dir !== "") await Deno.mkdir(dir, { recursive: true });
    const content = await body.open();
    if (content instanceof Uint8Array) {
      await Deno.writeFile(target, content);
    } else {
      const file = await Deno.open(target, { write: true, create: true, truncate: true });
      await content.pipeTo(file.writable);
    }
  }

  /** Lists the direct children of a folder (sorted by name); a missing folder lists empty. */
  async list(path: string): Promise<ArtifactFileInfo[]> {
    const dir = this.#local(path);
    const out: ArtifactFileInfo[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        const child = joinPath(path, entry.name);
        if (entry.isDirectory) out.push({ path: child, isDir: true });
        else {
          const stat = await Deno.stat(`${dir}/${entry.name}`);
          if (stat.isDirectory) out.push({ path: child, isDir: true });
          else out.push({ path: child, isDir: false, fileSize: stat.size });
        }
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
        return [];
      }
      throw err;
    }
    return out.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  }

  /** Streams the file. */
  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    const file = await Deno.open(this.#local(path), { read: true });
    return file.readable;
  }

  /** Removes a file or folder. */
  async delete(path: string): Promise<void> {
    await Deno.remove(this.#local(path), { recursive: true });
  }
}

/** Options of {@link ArtifactsApi}. */
export interface ArtifactsApiOptions {
  /** Repositories by URI scheme for this client only (win over {@link registerArtifactRepository}). */
  repositories?: Record<string, ArtifactRepositoryFactory>;
  /** Parallel transfers in `uploadDirectory` / `downloadDirectory`. Default 4. */
  concurrency?: number;
}

/** Options of {@link ArtifactsApi.uploadFile}. */
export interface UploadFileOptions extends ArtifactRequestOptions {
  /** The artifact's file name. Default: the local file's name. */
  name?: string;
}

/** Options of the directory transfers. */
export interface DirectoryTransferOptions extends ArtifactRequestOptions {
  /** Parallel transfers. Default: the API's `concurrency` (4). */
  concurrency?: number;
}

/** A table in MLflow's `log_table` JSON layout (pandas `orient="split"`). */
export interface ArtifactTable {
  /** Column names. */
  columns: string[];
  /** Rows, each with one cell per column. */
  data: unknown[][];
}

/** Options of {@link ArtifactsApi.logTable}. */
export interface LogTableOptions extends ArtifactRequestOptions {
  /**
   * Append the rows to the table already stored at that path, as MLflow's `log_table`
   * does (columns are unioned; missing cells become null). Default true.
   */
  append?: boolean;
}

/**
 * The run tag MLflow's UI reads to find table artifacts (a JSON list of `{path, type}`).
 *
 * @example
 * ```ts
 * import { LOGGED_ARTIFACTS_TAG } from "./artifacts.ts";
 * if (LOGGED_ARTIFACTS_TAG !== "mlflow.loggedArtifacts") throw new Error();
 * ```
 */
export const LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts";

const runForTable = z.object({
  run: z.object({
    info: z.object({ artifact_uri: z.string() }),
    data: z.object({
      tags: z.array(z.object({ key: z.string(), value: z.string().default("") })).default([]),
    }).default({ tags: [] }),
  }),
});

/** JSON as Python's `json.dumps` writes it by default (`", "`, `": "`, ASCII only). */
function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") {
    return `{${
      Object.entries(value as Record<string, unknown>).map(([k, v]) =>
        `${pythonJson(k)}: ${pythonJson(v)}`
      )
        .join(", ")
    }}`;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  return JSON.stringify(value);
}

function countingStream(
  stream: ReadableStream<Uint8Array>,
  counter: { bytes: number },
): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counter.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
}

async function runPool<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failed) throw failed.error;
  return results;
}

async function listLocalFiles(root: string, rel = ""): Promise<string[]> {
  const dir = rel === "" ? root : `${root}/${rel}`;
  const out: string[] = [];
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const e of entries) {
    const childRel = joinPath(rel, e.name);
    if (e.isDirectory) out.push(...await listLocalFiles(root, childRel));
    else if (e.isFile) out.push(childRel);
    else if (e.isSymlink) {
      const stat = await Deno.stat(`${dir}/${e.name}`);
      if (stat.isFile) out.push(childRel); // symlinked folders are skipped (no cycles)
    }
  }
  return out;
}

/**
 * Artifacts of runs and logged models. `artifactUri` is a run's `info.artifactUri` (e.g.
 * `mlflow-artifacts:/1/<run id>/artifacts`) or a logged model's `artifactUri`; `path` is
 * relative to it. Transfers stream: nothing holds a whole file in memory.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const run = await client.runs.create({ experimentId: "0" });
 * await client.artifacts.upload(run.info.artifactUri, "notes/summary.txt", "all good");
 * await client.artifacts.uploadFile(run.info.artifactUri, "./report.html", "reports");
 * for await (const f of client.artifacts.walk(run.info.artifactUri)) console.log(f.path);
 * console.log(await client.artifacts.readText(run.info.artifactUri, "notes/summary.txt"));
 * ```
 */
export class ArtifactsApi {
  readonly #transport: MlflowTransport;
  readonly #factories = new Map<string, ArtifactRepositoryFactory>();
  readonly #concurrency: number;
  readonly #tagLocks = new Map<string, Promise<unknown>>();

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport, options: ArtifactsApiOptions = {}) {
    this.#transport = transport;
    for (const [scheme, factory] of Object.entries(options.repositories ?? {})) {
      this.#factories.set(checkScheme(scheme), factory);
    }
    const c = options.concurrency ?? 4;
    if (!Number.isInteger(c) || c < 1) {
      throw new RangeError(`Expected concurrency to be an integer >= 1 but found ${c}`);
    }
    this.#concurrency = c;
  }

  /** Registers the repository for a URI scheme, for this client only. */
  register(scheme: string, factory: ArtifactRepositoryFactory): void {
    this.#factories.set(checkScheme(scheme), factory);
  }

  /** The repository that stores an artifact URI, chosen by its scheme. */
  repository(artifactUri: string): ArtifactRepository {
    if (typeof artifactUri !== "string" || artifactUri === "") {
      throw new TypeError(`Expected an artifact URI but found '${String(artifactUri)}'`);
    }
    const m = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(artifactUri);
    const scheme = m ? m[1]!.toLowerCase() : "file";
    const factory = this.#factories.get(scheme) ?? globalFactories.get(scheme);
    if (factory) return factory(artifactUri, this.#transport);
    if (scheme === "mlflow-artifacts" || scheme === "http" || scheme === "https") {
      return new MlflowArtifactsRepository(artifactUri, this.#transport);
    }
    if (scheme === "file") {
      if (!m && !artifactUri.startsWith("/")) {
        throw new TypeError(
          `Expected an absolute local artifact location but found '${artifactUri}'`,
        );
      }
      return new LocalArtifactRepository(artifactUri);
    }
    throw new TypeError(
      `No artifact repository for '${scheme}:' URIs ('${artifactUri}'); ` +
        `register one with registerArtifactRepository("${scheme}", …)`,
    );
  }

  /**
   * Uploads one file from bytes, text (UTF-8) or a stream, to `path` under `artifactUri`.
   * Bytes and text are retried on transient failures; a stream is sent once.
   */
  async upload(
    artifactUri: string,
    path: string,
    content: ArtifactContent,
    options: ArtifactRequestOptions = {},
  ): Promise<ArtifactFileInfo> {
    const target = normalizeArtifactPath(path);
    if (target === "") {
      throw new TypeError("Expected an artifact file path but found an empty path");
    }
    const repo = this.repository(artifactUri);
    const contentType = guessContentType(target);
    if (content instanceof ReadableStream) {
      const counter = { bytes: 0 };
      const stream = countingStream(content, counter);
      await repo.upload(target, {
        open: () => Promise.resolve(stream),
        replayable: false,
        contentType,
      }, options);
      return { path: target, isDir: false, fileSize: counter.bytes };
    }
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        "Expected artifact content to be a Uint8Array, a string or a ReadableStream",
      );
    }
    await repo.upload(
      target,
      { open: () => Promise.resolve(bytes), replayable: true, size: bytes.byteLength, contentType },
      options,
    );
    return { path: target, isDir: false, fileSize: bytes.byteLength };
  }

  /**
   * Uploads a local file, streamed from disk. As MLflow's `log_artifact`, `artifactPath` is
   * the destination folder (default: the root) and the file keeps its name unless
   * `options.name` gives another. The file is
   * reopened for each attempt, so transient failures are retried.
   */
  async uploadFile(
    artifactUri: string,
    localPath: string,
    artifactPath?: string,
    options: UploadFileOptions = {},
  ): Promise<ArtifactFileInfo> {
    const stat = await Deno.stat(localPath);
    if (!stat.isFile) throw new TypeError(`Expected '${localPath}' to be a file`);
    const name = options.name ?? baseName(localPath);
    if (name === "" || name.includes("/") || name === "." || name === "..") {
      throw new TypeError(`Expected a file name without '/' but found '${name}'`);
    }
    const target = joinPath(normalizeArtifactPath(artifactPath ?? ""), name);
    return await this.#uploadLocal(artifactUri, localPath, target, stat.size, options);
  }

  async #uploadLocal(
    artifactUri: string,
    localPath: string,
    target: string,
    size: number,
    options: ArtifactRequestOptions,
  ): Promise<ArtifactFileInfo> {
    const repo = this.repository(artifactUri);
    let current: Deno.FsFile | undefined;
    const closeCurrent = () => {
      try {
        current?.close();
      } catch {
        // already closed by its stream
      }
      current = undefined;
    };
    try {
      await repo.upload(target, {
        open: async () => {
          closeCurrent();
          current = await Deno.open(localPath, { read: true });
          return current.readable;
        },
        replayable: true,
        size,
        contentType: guessContentType(target),
      }, options);
    } finally {
      closeCurrent();
    }
    return { path: target, isDir: false, fileSize: size };
  }

  /**
   * Uploads a local folder recursively (files in sorted order, `concurrency` at a time) under
   * `artifactPath` (default: the root), keeping relative paths. Returns the uploaded files.
   */
  async uploadDirectory(
    artifactUri: string,
    localDir: string,
    artifactPath?: string,
    options: DirectoryTransferOptions = {},
  ): Promise<ArtifactFileInfo[]> {
    const base = normalizeArtifactPath(artifactPath ?? "");
    const root = localDir.replace(/\/+$/, "") || "/";
    const files = await listLocalFiles(root);
    return await runPool(files, options.concurrency ?? this.#concurrency, async (rel) => {
      const local = `${root}/${rel}`;
      const size = (await Deno.stat(local)).size;
      return await this.#uploadLocal(artifactUri, local, joinPath(base, rel), size, options);
    });
  }

  /**
   * The direct children of a folder (default: the root). Paths are relative to `artifactUri`
   * (listing `eval` gives `eval/results.json`), as MLflow's `list_artifacts`.
   */
  async list(
    artifactUri: string,
    path = "",
    options: ArtifactRequestOptions = {},
  ): Promise<ArtifactFileInfo[]> {
    return await this.repository(artifactUri).list(normalizeArtifactPath(path), options);
  }

  /** Every file below a folder (default: the root), recursively, depth first in listing order. */
  async *walk(
    artifactUri: string,
    path = "",
    options: ArtifactRequestOptions = {},
  ): AsyncGenerator<ArtifactFileInfo> {
    const repo = this.repository(artifactUri);
    const stack = [normalizeArtifactPath(path)];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const entries = await repo.list(dir, options);
      const subdirs: string[] = [];
      for (const e of entries) {
        if (e.isDir) subdirs.push(e.path);
        else yield e;
      }
      stack.push(...subdirs.reverse());
    }
  }

  /** Streams one file. Cancel or read the stream to the end to release the connection. */
  async download(
    artifactUri: string,
    path: string,
    options: ArtifactRequestOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const target = normalizeArtifactPath(path);
    if (target === "") {
      throw new TypeError("Expected an artifact file path but found an empty path");
    }
    return await this.repository(artifactUri).download(target, options);
  }

  /**
   * Downloads one file to `localPath`, streamed to disk through a temporary file renamed into
   * place when complete (no partial file is left on failure). Returns the bytes written.
   */
  async downloadFile(
    artifactUri: string,
    path: string,
    localPath: string,
    options: ArtifactRequestOptions = {},
  ): Promise<ArtifactFileInfo> {
    const stream = await this.download(artifactUri, path, options);
    const slash = localPath.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(localPath.slice(0, slash), { recursive: true });
    const part = `${localPath}.part-${crypto.randomUUID().slice(0, 8)}`;
    let bytes = 0;
    try {
      const file = await Deno.open(part, { write: true, create: true, truncate: true });
      // A direct pipe (no JS transform in between) keeps memory flat for large files.
      await stream.pipeTo(file.writable);
      bytes = (await Deno.stat(part)).size;
      await Deno.rename(part, localPath);
    } catch (err) {
      await stream.cancel().catch(() => {});
      await Deno.remove(part).catch(() => {});
      throw err;
    }
    return { path: normalizeArtifactPath(path), isDir: false, fileSize: bytes };
  }

  /** Downloads every file below a folder into `localDir`, keeping relative paths. */
  async downloadDirectory(
    artifactUri: string,
    path: string,
    localDir: string,
    options: DirectoryTransferOptions = {},
  ): Promise<ArtifactFileInfo[]> {
    const base = normalizeArtifactPath(path);
    const files: ArtifactFileInfo[] = [];
    for await (const f of this.walk(artifactUri, base, options)) files.push(f);
    const root = localDir.replace(/\/+$/, "") || "/";
    return await runPool(files, options.concurrency ?? this.#concurrency, (f) => {
      const rel = base === "" ? f.path : f.path.slice(base.length + 1);
      return this.downloadFile(artifactUri, f.path, `${root}/${rel}`, options);
    });
  }

  /** Reads a (small) file as UTF-8 text. */
  async readText(
    artifactUri: string,
    path: string,
    options: ArtifactRequestOptions = {},
  ): Promise<string> {
    const stream = await this.download(artifactUri, path, options);
    return await new Response(stream).text();
  }

  /** Deletes a file or folder, when the storage supports it. */
  async delete(
    artifactUri: string,
    path: string,
    options: ArtifactRequestOptions = {},
  ): Promise<void> {
    const repo = this.repository(artifactUri);
    if (!repo.delete) throw new TypeError(`The artifact store of '${artifactUri}' cannot delete`);
    await repo.delete(normalizeArtifactPath(path), options);
  }

  /**
   * Logs a table as MLflow's `log_table` does: writes `{"columns": [...], "data": [[...]]}` to
   * `path` (must end in `.json`) under the run's artifact URI, appending to an existing table
   * by default, and records `{path, type: "table"}` in the run tag `mlflow.loggedArtifacts`
   * so MLflow's UI shows it as a table. Calls for one run are serialised. Returns the table
   * as stored.
   */
  logTable(
    runId: string,
    path: string,
    table: ArtifactTable,
    options: LogTableOptions = {},
  ): Promise<ArtifactTable> {
    const previous = this.#tagLocks.get(runId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#logTable(runId, path, table, options));
    const settled = next.catch(() => {});
    this.#tagLocks.set(runId, settled);
    settled.then(() => {
      if (this.#tagLocks.get(runId) === settled) this.#tagLocks.delete(runId);
    });
    return next;
  }

  async #logTable(
    runId: string,
    path: string,
    table: ArtifactTable,
    options: LogTableOptions,
  ): Promise<ArtifactTable> {
    const target = normalizeArtifactPath(path);
    if (!target.endsWith(".json")) {
      throw new TypeError(`Expected a table artifact path ending in '.json' but found '${path}'`);
    }
    checkTable(table, "table");
    const { run } = await this.#transport.get<z.infer<typeof runForTable>>(
      "/api/2.0/mlflow/runs/get",
      {
        query: { run_id: runId },
        schema: runForTable,
        signal: options.signal,
      },
    );
    const artifactUri = run.info.artifact_uri;
    const current = run.data.tags.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value;
    let entries: unknown[] = [];
    if (current !== undefined && current !== "") {
      try {
        const parsed = JSON.parse(current);
        if (Array.isArray(parsed)) entries = parsed;
      } catch {
        entries = [];
      }
    }
    const present = entries.some((e) =>
      e !== null && typeof e === "object" && (e as Record<string, unknown>).path === target &&
      (e as Record<string, unknown>).type === "table"
    );
    let tagValue: string | undefined;
    if (!present) {
      tagValue = pythonJson([...entries, { path: target, type: "table" }]);
      if (tagValue.length > 8000) {
        throw new RangeError(
          `Expected the '${LOGGED_ARTIFACTS_TAG}' tag to stay within 8000 characters but it would be ` +
            `${tagValue.length}: too many tables logged to run ${runId}`,
        );
      }
    }
    let stored: ArtifactTable = { columns: [...table.columns], data: table.data };
    if (options.append ?? true) {
      const existing = await this.#readTable(artifactUri, target, options);
      if (existing) stored = concatTables(existing, stored);
    }
    const json = JSON.stringify(
      stored,
      (_k, v) => typeof v === "number" && !Number.isFinite(v) ? null : v,
    );
    await this.upload(artifactUri, target, json, options);
    if (tagValue !== undefined) {
      await this.#transport.post("/api/2.0/mlflow/runs/set-tag", {
        run_id: runId,
        key: LOGGED_ARTIFACTS_TAG,
        value: tagValue,
      }, { signal: options.signal });
    }
    return stored;
  }

  async #readTable(
    artifactUri: string,
    path: string,
    options: ArtifactRequestOptions,
  ): Promise<ArtifactTable | undefined> {
    const slash = path.lastIndexOf("/");
    const dir = slash === -1 ? "" : path.slice(0, slash);
    const siblings = await this.list(artifactUri, dir, options);
    if (!siblings.some((f) => f.path === path && !f.isDir)) return undefined;
    const text = await this.readText(artifactUri, path, options);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`Expected the existing table '${path}' to be JSON`, { cause: err });
    }
    checkTable(parsed, path);
    return parsed as ArtifactTable;
  }
}

function checkTable(table: unknown, where: string): void {
  const t = table as ArtifactTable;
  if (
    t === null || typeof t !== "object" || !Array.isArray(t.columns) || !Array.isArray(t.data) ||
    !t.columns.every((c) => typeof c === "string")
  ) {
    throw new TypeError(`Expected ${where} to be {columns: string[], data: unknown[][]}`);
  }
  if (new Set(t.columns).size !== t.columns.length) {
    throw new TypeError(
      `Expected the columns of ${where} to be unique but found ${JSON.stringify(t.columns)}`,
    );
  }
  t.data.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== t.columns.length) {
      throw new TypeError(
        `Expected row ${i} of ${where} to have ${t.columns.length} cells but found ${
          Array.isArray(row) ? row.length : typeof row
        }`,
      );
    }
  });
}

function concatTables(a: ArtifactTable, b: ArtifactTable): ArtifactTable {
  const columns = [...a.columns, ...b.columns.filter((c) => !a.columns.includes(c))];
  const reshape = (t: ArtifactTable) => {
    const index = columns.map((c) => t.columns.indexOf(c));
    return t.data.map((row) => index.map((i) => i === -1 ? null : row[i]));
  };
  return { columns, data: [...reshape(a), ...reshape(b)] };
}
