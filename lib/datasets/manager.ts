/**
 * DatasetManager: versioned datasets on disk with metadata, digests, lineage and splits.
 *
 * Layout: `<basePath>/<name>/<version>/data.jsonl` (one JSON object per row) and
 * `<basePath>/<name>/<version>/meta.json` ({@link DatasetMetadata}). Versions are immutable.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DatasetError, type Issue } from "../_internal/errors.ts";
import { canonicalJson } from "../_internal/digest.ts";
import { datasetDigest } from "./digest.ts";
import { type DatasetFormat, parseDatasetBytes, readDatasetFile } from "./formats.ts";
import { type MlflowDatasetInput, toMlflowDatasetInput } from "./mlflow_input.ts";
import { checkDatasetName, checkDatasetVersion, compareVersions } from "./names.ts";
import { inferSchema, type InferSchemaOptions } from "./schema.ts";
import { splitRows } from "./split.ts";
import type {
  Dataset,
  DatasetMetadata,
  DatasetOperation,
  DatasetParent,
  DatasetSchema,
  DatasetSource,
  Row,
} from "./types.ts";
import { assertValidRows } from "./validate.ts";

/** Options for {@link createDataset} and {@link DatasetManager.save}. */
export interface CreateDatasetOptions {
  /** Dataset name (see `checkDatasetName`). */
  name: string;
  /** Version, semver or date-like. */
  version: string;
  /** Description. */
  description?: string;
  /** Tags. */
  tags?: Record<string, string>;
  /** The schema; inferred from the rows when absent. */
  schema?: DatasetSchema;
  /** Where the rows came from. Default `{ type: "memory" }`. */
  source?: DatasetSource;
  /** Parents of derived data. */
  parents?: DatasetParent[];
  /** The operation that produced the rows. */
  operation?: DatasetOperation;
  /** Creation time. Default now (pass a fixed time for byte-identical output). */
  createdAt?: string | Date;
  /** Issue locations for validation errors. */
  file?: string;
  /** Maps a row index (and a field) to its file line, for validation errors. */
  lineOf?: (row: number, field?: string) => number | undefined;
}

/** A dataset just saved, with whether this call wrote it. */
export interface SavedDataset extends Dataset {
  /** False when the same content already existed under this version (a no-op). */
  readonly created: boolean;
  /** The version folder. */
  readonly path: string;
}

/** What {@link DatasetManager.list} returns per dataset. */
export interface DatasetListing {
  /** Name. */
  name: string;
  /** Versions, oldest first. */
  versions: string[];
  /** The latest version. */
  latest: string;
  /** Description of the latest version. */
  description: string;
  /** Rows in the latest version. */
  numRows: number;
}

/** Options for {@link DatasetManager.split}. */
export interface ManagerSplitOptions {
  /** Version to split. Default latest. */
  version?: string;
  /** Train share. Default 0.8. */
  trainRatio?: number;
  /** Seed. Default 42. */
  seed?: number;
  /** Column to stratify by (e.g. `expected_outcome`). */
  stratifyBy?: string;
  /** Save both parts as datasets `<name>_train` and `<name>_test`. Default false. */
  save?: boolean;
  /** Version of the parts. Default `<parent version>-s<seed>.t<train percent>`. */
  outVersion?: string;
  /** Creation time of the parts. Default now. */
  createdAt?: string | Date;
}

/** The client surface {@link DatasetManager.logToMlflow} needs (lib/mlflow's `MlflowClient` fits). */
export interface DatasetInputLogger {
  /** Runs API. */
  runs: {
    /** `runs/log-inputs`. */
    logInputs(runId: string, inputs: { datasets?: MlflowDatasetInput[] }): Promise<unknown>;
  };
}

/** Options for {@link DatasetManager.logToMlflow}. */
export interface LogToMlflowOptions {
  /** An MLflow client (`MlflowClient`). */
  client: DatasetInputLogger;
  /** The run to attach the dataset to. */
  runId: string;
  /** `mlflow.data.context`, e.g. `evaluation`. Default `evaluation`. */
  context?: string;
  /** Version when logging by name. Default latest. */
  version?: string;
}

/** Options for {@link DatasetManager.importFile}. */
export interface ImportOptions extends InferSchemaOptions {
  /** Dataset name. */
  name: string;
  /** Version. */
  version: string;
  /** File format (default from the extension). */
  format?: DatasetFormat;
  /** Declared schema. */
  schema?: DatasetSchema;
  /** CSV delimiter. */
  delimiter?: string;
  /** Description. */
  description?: string;
  /** Tags. */
  tags?: Record<string, string>;
  /** Creation time. */
  createdAt?: string | Date;
}

function nameIssues(name: string, version: string): Issue[] {
  return [...checkDatasetName(name), ...checkDatasetVersion(version)];
}

/**
 * Builds a validated in-memory dataset (digests and metadata) without writing anything.
 * Throws a {@link DatasetError} listing the issues when the name, version or rows are invalid.
 *
 * @example
 * ```ts
 * import { createDataset } from "@evalkit/evalkit/datasets";
 * const ds = createDataset([{ request_id: "a", x: 1, expected_outcome: "approve" }], { name: "tiny", version: "1.0.0" });
 * if (ds.meta.numRows !== 1 || ds.mlflowDigest.length !== 8) throw new Error("create");
 * ```
 */
export function createDataset(rows: readonly Row[], options: CreateDatasetOptions): Dataset {
  const issues = nameIssues(options.name, options.version);
  if (issues.length > 0) throw new DatasetError("Invalid dataset name or version", issues);
  const schema = options.schema ?? inferSchema(rows);
  assertValidRows(rows, schema, {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.lineOf ? { lineOf: options.lineOf } : {}),
  });
  const digest = datasetDigest(rows);
  const created = options.createdAt ?? new Date();
  const meta: DatasetMetadata = {
    format: "evalkit.dataset/v1",
    name: options.name,
    version: options.version,
    description: options.description ?? "",
    tags: options.tags ?? {},
    createdAt: typeof created === "string" ? created : created.toISOString(),
    numRows: rows.length,
    schema,
    digest: { sha256: digest.sha256, mlflow: digest.mlflow },
    dataFile: "data.jsonl",
    dataBytes: 0,
    source: options.source ?? { type: "memory" },
    parents: options.parents ?? [],
    ...(options.operation ? { operation: options.operation } : {}),
  };
  return {
    name: options.name,
    version: options.version,
    rows,
    schema,
    digest: digest.sha256,
    mlflowDigest: digest.mlflow,
    meta,
  };
}

/** Serializes rows as JSON Lines with keys in schema order (then any others). */
function toJsonl(rows: readonly Row[], schema: DatasetSchema): string {
  const order = schema.columns.map((c) => c.name);
  const known = new Set(order);
  const parts: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const o: Row = {};
    for (const k of order) if (r[k] !== undefined) o[k] = r[k];
    for (const k of Object.keys(r)) if (!known.has(k) && r[k] !== undefined) o[k] = r[k];
    parts[i] = JSON.stringify(o);
  }
  return parts.length === 0 ? "" : parts.join("\n") + "\n";
}

/** A schema's identity for the immutability check: column order does not matter. */
function schemaKey(schema: DatasetSchema): string {
  const columns = [...schema.columns].sort((
    a,
    b,
  ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return canonicalJson({ ...schema, columns });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** The file in a temporary save folder naming the process writing it. */
const OWNER_FILE = ".owner.json";

/** A temporary folder is left alone this long when its writer cannot be checked (another host). */
const STALE_UNCHECKABLE_MS = 24 * 60 * 60 * 1000;

/** A temporary folder without an owner file (older evalkit, or killed before writing it). */
const STALE_UNOWNED_MS = 10 * 60 * 1000;

interface TemporaryOwner {
  pid: number;
  host: string;
  /** The process's start time (Linux `/proc/<pid>/stat` field 22), to tell a reused pid. */
  start: string | null;
}

/** `/proc/<pid>/stat`: whether the process is alive (not a zombie), and its start time. */
function procStat(pid: number): { alive: boolean; start: string } | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { alive: false, start: "" };
    return undefined; // no /proc (macOS, Windows) or not readable: cannot tell
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields resume after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { alive: fields[0] !== "Z" && fields[0] !== "X", start: fields[19] ?? "" };
}

function currentOwner(): TemporaryOwner {
  return { pid: Deno.pid, host: Deno.hostname(), start: procStat(Deno.pid)?.start ?? null };
}

/**
 * Whether a save's temporary folder was left by a writer that is gone (killed with SIGKILL, a
 * power cut): its owner file names a process on this host that no longer runs, or a pid now
 * used by another process (other start time). When that cannot be checked (another host on a
 * shared disk, no `/proc`), only after a day; a folder without an owner file after ten minutes.
 */
async function isStale(dir: string, now: number): Promise<boolean> {
  let owner: TemporaryOwner | undefined;
  try {
    owner = JSON.parse(await Deno.readTextFile(join(dir, OWNER_FILE))) as TemporaryOwner;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !(err instanceof SyntaxError)) throw err;
  }
  const age = async () => now - ((await Deno.lstat(dir)).mtime?.getTime() ?? now);
  if (owner === undefined || typeof owner.pid !== "number") {
    return await age() > STALE_UNOWNED_MS;
  }
  if (owner.host === Deno.hostname()) {
    const st = procStat(owner.pid);
    if (st !== undefined) return !st.alive || (owner.start !== null && st.start !== owner.start);
  }
  return await age() > STALE_UNCHECKABLE_MS;
}

/**
 * Removes the temporary folders of saves whose process died (see {@link isStale}) from a
 * dataset's folder. A folder being written by a live process is never touched. A folder that
 * cannot be removed (a read-only disk) is left: listing must still work there.
 */
async function removeStaleTemporaryFolders(nameDir: string): Promise<void> {
  const now = Date.now();
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(nameDir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const e of entries) {
    if (!e.isDirectory || !e.name.startsWith(".tmp-")) continue;
    const dir = join(nameDir, e.name);
    try {
      if (await isStale(dir, now)) await Deno.remove(dir, { recursive: true });
    } catch (err) {
      // Gone meanwhile (another cleaner, or its writer renamed it into place), or not ours to remove.
      if (
        err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied ||
        (err as { code?: string }).code === "EROFS"
      ) continue;
      throw err;
    }
  }
}

/**
 * Manages versioned datasets in a folder.
 *
 * @example
 * ```ts
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: "datasets" }); // the repository's shipped datasets
 * const ds = await dm.load("loan_approval_test_set");            // latest version
 * const { train, test } = await dm.split(ds.name, { seed: 42, trainRatio: 0.8, stratifyBy: "expected_outcome" });
 * if (train.rows.length + test.rows.length !== ds.rows.length) throw new Error("split");
 * ```
 */
export class DatasetManager {
  /** The folder holding `<name>/<version>/`. */
  readonly basePath: string;

  /** Creates a manager over `basePath` (default `datasets`). */
  constructor(options: { basePath?: string } = {}) {
    this.basePath = options.basePath ?? "datasets";
  }

  #dir(name: string, version?: string): string {
    const issues = checkDatasetName(name);
    if (version !== undefined) issues.push(...checkDatasetVersion(version));
    if (issues.length > 0) throw new DatasetError("Invalid dataset name or version", issues);
    return version === undefined ? join(this.basePath, name) : join(this.basePath, name, version);
  }

  /** The versions of a dataset, oldest first (empty when it does not exist). */
  async versions(name: string): Promise<string[]> {
    const dir = this.#dir(name);
    const out: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (!e.isDirectory || e.name.startsWith(".")) continue;
        if (checkDatasetVersion(e.name).length > 0) continue;
        if (await exists(join(dir, e.name, "meta.json"))) out.push(e.name);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
    return out.sort(compareVersions);
  }

  /** Reads a version's metadata. */
  async meta(name: string, version?: string): Promise<DatasetMetadata> {
    const v = version ?? await this.#latest(name);
    const path = join(this.#dir(name, v), "meta.json");
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new DatasetError(`Dataset ${name}@${v} not found`, [{
          code: "not_found",
          path: ["version"],
          message: `No version ${v} of dataset ${name} in ${this.basePath}`,
        }]);
      }
      throw err;
    }
    try {
      return JSON.parse(text) as DatasetMetadata;
    } catch (err) {
      throw new DatasetError(`Dataset ${name}@${v} has unreadable metadata`, [{
        code: "invalid_json",
        path: [],
        file: path,
        message: `Invalid JSON in the metadata file (${(err as Error).message})`,
      }], { cause: err });
    }
  }

  async #latest(name: string): Promise<string> {
    const versions = await this.versions(name);
    const latest = versions.at(-1);
    if (latest === undefined) {
      throw new DatasetError(`Dataset ${name} not found`, [{
        code: "not_found",
        path: ["name"],
        message: `No dataset named ${name} in ${this.basePath}`,
      }]);
    }
    return latest;
  }

  /**
   * Loads a version (the latest by default) and checks its content against the stored
   * SHA-256 digest (a `digest_mismatch` {@link DatasetError} when the file was changed).
   */
  async load(name: string, options: { version?: string } = {}): Promise<Dataset> {
    const meta = await this.meta(name, options.version);
    const dir = this.#dir(name, meta.version);
    const file = join(dir, meta.dataFile);
    const bytes = await Deno.readFile(file);
    const parsed = await parseDatasetBytes(bytes, { format: "jsonl", file, schema: meta.schema });
    const digest = datasetDigest(parsed.rows);
    if (digest.sha256 !== meta.digest.sha256) {
      throw new DatasetError(`Dataset ${name}@${meta.version} does not match its digest`, [{
        code: "digest_mismatch",
        path: [],
        file,
        message: `Content digest ${digest.sha256.slice(0, 12)}… differs from the recorded ${
          meta.digest.sha256.slice(0, 12)
        }…: the data file was changed after it was saved`,
      }]);
    }
    return {
      name: meta.name,
      version: meta.version,
      rows: parsed.rows,
      schema: meta.schema,
      digest: digest.sha256,
      mlflowDigest: digest.mlflow,
      meta,
      location: pathToFileURL(resolve(file)).href,
    };
  }

  /**
   * Saves rows (or a dataset built with {@link createDataset}) as a new immutable version.
   * The rows are validated first; nothing is written when they are invalid. Saving the same
   * content again under the same version is a no-op (`created: false`); other content under an
   * existing version is refused with a `version_exists` {@link DatasetError}. Writes are atomic:
   * a hidden temporary folder is renamed into place.
   */
  async save(data: readonly Row[] | Dataset, options: CreateDatasetOptions): Promise<SavedDataset> {
    const ds = Array.isArray(data)
      ? createDataset(data as readonly Row[], options)
      : createDataset((data as Dataset).rows, {
        ...options,
        schema: options.schema ?? (data as Dataset).schema,
      });
    const nameDir = this.#dir(ds.name);
    const final = this.#dir(ds.name, ds.version);
    if (await exists(join(final, "meta.json"))) return await this.#same(ds, final);
    const createdBase = !(await exists(this.basePath));
    const createdName = !(await exists(nameDir));
    await Deno.mkdir(nameDir, { recursive: true });
    await removeStaleTemporaryFolders(nameDir);
    const tmp = join(nameDir, `.tmp-${ds.version}-${crypto.randomUUID().slice(0, 8)}`);
    try {
      await Deno.mkdir(tmp);
      // Who writes this folder, so a later save or list can tell a live write from a dead one.
      await Deno.writeTextFile(join(tmp, OWNER_FILE), JSON.stringify(currentOwner()) + "\n");
      const text = toJsonl(ds.rows, ds.schema);
      const bytes = new TextEncoder().encode(text);
      await Deno.writeFile(join(tmp, "data.jsonl"), bytes);
      const meta: DatasetMetadata = { ...ds.meta, dataBytes: bytes.length };
      await Deno.writeTextFile(join(tmp, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
      await Deno.remove(join(tmp, OWNER_FILE));
      try {
        await Deno.rename(tmp, final);
      } catch (err) {
        // Someone saved the same version meanwhile: compare with theirs.
        if (await exists(join(final, "meta.json"))) {
          await Deno.remove(tmp, { recursive: true });
          return await this.#same(ds, final);
        }
        throw err;
      }
      const location = pathToFileURL(resolve(final, meta.dataFile)).href;
      return { ...ds, meta, location, created: true, path: final };
    } catch (err) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      if (createdName) await Deno.remove(nameDir).catch(() => {});
      if (createdBase) await Deno.remove(this.basePath).catch(() => {});
      throw err;
    }
  }

  async #same(ds: Dataset, final: string): Promise<SavedDataset> {
    const meta = await this.meta(ds.name, ds.version);
    const sameSchema = schemaKey(meta.schema) === schemaKey(ds.schema);
    if (meta.digest.sha256 === ds.digest && sameSchema) {
      const location = pathToFileURL(resolve(final, meta.dataFile)).href;
      return { ...ds, meta, location, created: false, path: final };
    }
    const what = meta.digest.sha256 !== ds.digest
      ? `content (digest ${ds.digest.slice(0, 12)}… vs stored ${meta.digest.sha256.slice(0, 12)}…)`
      : "schema";
    throw new DatasetError(`Dataset ${ds.name}@${ds.version} already exists`, [{
      code: "version_exists",
      path: ["version"],
      message:
        `Version ${ds.version} of ${ds.name} already exists with a different ${what}; versions are immutable: save under a new version`,
    }]);
  }

  /** Every dataset with its versions (latest last). */
  async list(): Promise<DatasetListing[]> {
    const out: DatasetListing[] = [];
    try {
      for await (const e of Deno.readDir(this.basePath)) {
        if (!e.isDirectory || checkDatasetName(e.name).length > 0) continue;
        await removeStaleTemporaryFolders(join(this.basePath, e.name));
        const versions = await this.versions(e.name);
        const latest = versions.at(-1);
        if (latest === undefined) continue;
        const meta = await this.meta(e.name, latest);
        out.push({
          name: e.name,
          versions,
          latest,
          description: meta.description,
          numRows: meta.numRows,
        });
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A dataset's versions with their metadata, oldest first. */
  async show(name: string): Promise<{ name: string; versions: DatasetMetadata[] }> {
    const versions = await this.versions(name);
    if (versions.length === 0) await this.#latest(name); // throws not_found
    return { name, versions: await Promise.all(versions.map((v) => this.meta(name, v))) };
  }

  /**
   * Splits a version into train and test (see `splitRows`): reproducible from the seed, with
   * lineage (parent digest and the operation) in each part's metadata. With `save: true` both
   * parts are saved as `<name>_train` and `<name>_test`.
   */
  async split(
    name: string,
    options: ManagerSplitOptions = {},
  ): Promise<{ train: Dataset; test: Dataset }> {
    const parent = await this.load(name, options.version ? { version: options.version } : {});
    const trainRatio = options.trainRatio ?? 0.8;
    const seed = options.seed ?? 42;
    const s = splitRows(parent.rows, {
      trainRatio,
      seed,
      ...(options.stratifyBy !== undefined ? { stratifyBy: options.stratifyBy } : {}),
    });
    const version = options.outVersion ??
      `${parent.version}-s${seed}.t${Math.round(trainRatio * 100)}`;
    const parents = [{ name: parent.name, version: parent.version, digest: parent.digest }];
    const make = (part: "train" | "test") => {
      const common: CreateDatasetOptions = {
        name: `${name}_${part}`,
        version,
        description:
          `${part} part of ${parent.name}@${parent.version} (seed ${seed}, train ratio ${trainRatio}${
            options.stratifyBy ? `, stratified by ${options.stratifyBy}` : ""
          })`,
        schema: parent.schema,
        tags: { ...parent.meta.tags, split: part },
        source: { type: "derived" },
        parents,
        operation: {
          type: "split",
          part,
          seed,
          trainRatio,
          stratifyBy: options.stratifyBy ?? null,
        },
        ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
      };
      return common;
    };
    const trainOpts = make("train"), testOpts = make("test");
    if (options.save) {
      const train = await this.save(s.train, trainOpts);
      const test = await this.save(s.test, testOpts);
      return { train, test };
    }
    return { train: createDataset(s.train, trainOpts), test: createDataset(s.test, testOpts) };
  }

  /**
   * Imports a JSON, JSONL or CSV file as a new version: parse (CSV streamed), validate, save.
   * Any problem throws a {@link DatasetError} with file, line and field, and writes nothing.
   */
  async importFile(path: string, options: ImportOptions): Promise<SavedDataset> {
    const issues = nameIssues(options.name, options.version);
    if (issues.length > 0) throw new DatasetError("Invalid dataset name or version", issues);
    const read = await readDatasetFile(path, options);
    return await this.save(read.rows, {
      name: options.name,
      version: options.version,
      schema: read.schema,
      source: { type: "file", uri: path },
      operation: { type: "import", format: read.format },
      file: path,
      lineOf: read.lineOf,
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
    });
  }

  /**
   * Logs a dataset version as an input of an MLflow run (`runs/log-inputs`): digest, source,
   * schema and profile (see `toMlflowDatasetInput`). Returns the input that was logged.
   */
  async logToMlflow(
    nameOrDataset: string | Dataset,
    options: LogToMlflowOptions,
  ): Promise<MlflowDatasetInput> {
    const ds = typeof nameOrDataset === "string"
      ? await this.load(nameOrDataset, options.version ? { version: options.version } : {})
      : nameOrDataset;
    const input = toMlflowDatasetInput(ds, {
      context: options.context ?? "evaluation",
      sourceUri: join(this.basePath, ds.name, ds.version, ds.meta.dataFile),
    });
    await options.client.runs.logInputs(options.runId, { datasets: [input] });
    return input;
  }
}
