/**
 * The local append-only outbox: one folder per run holding `ops.jsonl` (every operation, one
 * JSON line each, written with a write syscall before the logging call returns), copied
 * artifacts, and one acknowledgement log per server it was sent to.
 *
 * Layout under the store folder (default `.evalkit/store`):
 *
 * ```text
 * runs/<localRunId>/ops.jsonl          operations, line index = sequence number
 * runs/<localRunId>/owner.json         {pid, hostname, startedAt} of the writing process
 * runs/<localRunId>/artifacts/<path>   artifact bytes copied into the store
 * runs/<localRunId>/acks/<target>.jsonl  {"uri","runId",...} mapping line, then {"a": N}
 * ```
 *
 * @module
 */
import type { DatasetInput, RunStatus } from "../mlflow/types.ts";
import { readEnv } from "../_internal/env.ts";

/** A metric value as stored: numbers, or "NaN"/"Infinity"/"-Infinity" strings. */
export type StoredValue = number | string;

/** The operation that creates a run. */
export interface CreateOp {
  op: "create";
  /** Local run id (32 hex). */
  id: string;
  /** Start time (ms). */
  t: number;
  /** Experiment name. */
  experiment: string;
  /** Run name. */
  runName: string;
  /** Tags set at creation. */
  tags: Record<string, string>;
  /** Agent name. */
  agent?: string;
  /** Tracking URI the writer was configured with (undefined = local only). */
  uri?: string;
}
/** Metrics logged by one call: same timestamp and step. */
export interface MetricsOp {
  op: "m";
  t: number;
  s: number;
  m: Record<string, StoredValue>;
  /** Dataset name/digest and model id the metrics belong to. */
  dn?: string;
  dd?: string;
  mid?: string;
}
/** Params. */
export interface ParamsOp {
  op: "p";
  p: Record<string, string>;
}
/** Tags. */
export interface TagsOp {
  op: "tag";
  tags: Record<string, string>;
}
/** Dataset inputs. */
export interface InputsOp {
  op: "input";
  datasets: DatasetInput[];
}
/** An artifact whose bytes are in the store under `artifacts/<path>`. */
export interface ArtifactOp {
  op: "art";
  path: string;
}
/** A logged model (MLflow 3) whose files are in the store under `models/<local>/`. */
export interface ModelOp {
  op: "model";
  /** Local model id. */
  local: string;
  name: string;
  modelType: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Relative file paths under `models/<local>/`. */
  files: string[];
  step: number;
}
/** The end of a run. */
export interface EndOp {
  op: "end";
  t: number;
  status: RunStatus;
}
/** Any outbox operation. */
export type Op = CreateOp | MetricsOp | ParamsOp | TagsOp | InputsOp | ArtifactOp | ModelOp | EndOp;

/** The default store folder: `$EVALKIT_HOME/store`, else `.evalkit/store`. */
export function defaultStoreDir(): string {
  return `${readEnv("EVALKIT_HOME") ?? ".evalkit"}/store`;
}

/** A new 32-hex id like MLflow's run ids. */
export function newLocalId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Encodes a metric value for JSON. */
export function encodeValue(v: number): StoredValue {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

/** Decodes a stored metric value. */
export function decodeValue(v: StoredValue): number {
  return typeof v === "number" ? v : Number(v === "NaN" ? NaN : v);
}

/**
 * A tracking URI as evalkit stores and prints it: the password of a `user:password@` part is
 * removed (the user name stays), and `token=`/`password=`-style query values are redacted.
 * Credentials are only ever needed to send, never to name a target.
 *
 * @example
 * ```ts ignore
 * publicTrackingUri("https://ann:s3cret@mlflow.example.com/x"); // "https://ann@mlflow.example.com/x"
 * ```
 */
export function publicTrackingUri(uri: string): string {
  const m = /^([a-z][\w+.-]*:\/\/)([^/?#]*)@/i.exec(uri);
  let out = uri;
  if (m) {
    const userinfo = m[2]!;
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    out = `${m[1]}${user === "" ? "" : `${user}@`}${uri.slice(m[0].length)}`;
  }
  return out.replace(
    /([?&](?:token|access_token|password|secret|client_secret|api_key|apikey|key|sig|signature)=)[^&#]*/gi,
    "$1[REDACTED]",
  );
}

/** The identity of a target: the URI without any user info and without trailing slashes. */
function targetIdentity(uri: string): string {
  return publicTrackingUri(uri).replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, "$1").replace(
    /\/+$/,
    "",
  );
}

async function shortHash(text: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return Array.from(bytes.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A short stable key for a tracking URI (file name of its acknowledgement log). Credentials in
 * the URI do not change it: `http://a:b@host` and `http://host` are the same target.
 */
export async function targetKey(uri: string): Promise<string> {
  return await shortHash(targetIdentity(uri));
}

/** The key earlier versions used (hash of the URI as given, credentials included), if different. */
export async function legacyTargetKey(uri: string): Promise<string | undefined> {
  const legacy = await shortHash(uri.replace(/\/+$/, ""));
  return legacy === await targetKey(uri) ? undefined : legacy;
}

/** Whether two tracking URIs name the same target (credentials ignored). */
export function sameTarget(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return targetIdentity(a) === targetIdentity(b);
}

const encoder = new TextEncoder();

/** Thrown by {@link AppendLog.open} when another live process holds the file's lock. */
export class OutboxBusyError extends Error {
  /** Creates the error for the locked file. */
  constructor(path: string) {
    super(`${path} is being written by another live process`);
    this.name = "OutboxBusyError";
  }
}

/** The lock file next to an append log: held (flock) by the process writing the log. */
export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

/**
 * Whether a live process holds the lock of an append log. The kernel releases the lock when
 * its holder dies (SIGKILL included, zombie or not), so this never mistakes a dead writer for
 * a live one, and a reused pid cannot fool it. `undefined` when there is no lock file (a
 * store written by an older evalkit).
 */
export function lockHeld(path: string): boolean | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(lockPathOf(path), { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  try {
    if (!file.tryLockSync(true)) return true;
    file.unlockSync();
    return false;
  } finally {
    file.close();
  }
}

/**
 * An append-only JSONL file written synchronously: each {@link AppendLog.append} is one
 * `write` syscall, so a returned call survives the process being killed.
 *
 * A write that fails part way (ENOSPC, EIO) never leaves a torn line that hides later ones:
 * the file is cut back to its last complete line, and when even that fails the next line
 * starts on a fresh line after a marker, so the torn piece is one unreadable line that
 * readers skip and report. Opening cuts an incomplete last line left by a crash. The writer
 * holds an exclusive lock on `<path>.lock` until {@link AppendLog.close}, which is how other
 * processes tell a live writer from a dead one.
 */
export class AppendLog {
  #file: Deno.FsFile;
  #lock: Deno.FsFile | undefined;
  #buf = new Uint8Array(4096);
  #size: number;
  #torn = false;
  /** Number of complete lines in the file. */
  lines: number;

  private constructor(
    file: Deno.FsFile,
    lock: Deno.FsFile | undefined,
    size: number,
    lines: number,
  ) {
    this.#file = file;
    this.#lock = lock;
    this.#size = size;
    this.lines = lines;
  }

  /**
   * Opens (creating) the file for appending; `lines` is the count already in it. Takes the
   * lock (`lock: false` to skip it); throws {@link OutboxBusyError} when a live process holds it.
   */
  static open(path: string, lines = 0, options: { lock?: boolean } = {}): AppendLog {
    let lock: Deno.FsFile | undefined;
    if (options.lock ?? true) {
      lock = Deno.openSync(lockPathOf(path), { read: true, write: true, create: true });
      if (!lock.tryLockSync(true)) {
        lock.close();
        throw new OutboxBusyError(path);
      }
    }
    let file: Deno.FsFile;
    let size: number;
    try {
      file = Deno.openSync(path, { read: true, append: true, create: true });
      size = file.statSync().size;
      if (size > 0) {
        // Repair: an incomplete last line (a crash mid-write) is cut, so the next line starts clean.
        const tail = new Uint8Array(Math.min(size, 64 * 1024));
        let end = size;
        let keep = -1;
        while (end > 0 && keep < 0) {
          const n = Math.min(tail.length, end);
          file.seekSync(end - n, Deno.SeekMode.Start);
          let got = 0;
          while (got < n) {
            const r = file.readSync(tail.subarray(got, n));
            if (r === null) break;
            got += r;
          }
          const i = tail.subarray(0, got).lastIndexOf(10);
          if (i >= 0) keep = end - n + i + 1;
          else end -= n;
        }
        if (keep < 0) keep = 0;
        if (keep < size) {
          file.truncateSync(keep);
          size = keep;
        }
      }
    } catch (err) {
      lock?.close();
      throw err;
    }
    return new AppendLog(file, lock, size, lines);
  }

  /** Appends one line (without its newline). */
  append(line: string): void {
    // encodeInto a reusable buffer: no allocation per call on the hot path.
    const prefix = this.#torn ? 2 : 0;
    const need = line.length * 3 + 1 + prefix;
    if (need > this.#buf.length) this.#buf = new Uint8Array(Math.max(need, this.#buf.length * 2));
    if (prefix) this.#buf.set([35, 10]); // "#\n": ends the torn piece as an unreadable line
    const { written } = encoder.encodeInto(line, this.#buf.subarray(prefix));
    const end = prefix + written + 1;
    this.#buf[end - 1] = 10;
    let off = 0;
    try {
      while (off < end) off += this.#file.writeSync(this.#buf.subarray(off, end));
    } catch (err) {
      if (off > 0) {
        try {
          this.#file.truncateSync(this.#size);
        } catch {
          this.#torn = true; // could not cut it back: fence it off at the next append
        }
      }
      throw err;
    }
    this.#size += end;
    this.#torn = false;
    this.lines++;
  }

  /** Closes the file and releases its lock. */
  close(): void {
    for (const f of [this.#file, this.#lock]) {
      try {
        f?.close();
      } catch {
        // already closed
      }
    }
    this.#lock = undefined;
  }
}

/** What {@link readJsonLinesReport} found. */
export interface JsonLinesReport<T> {
  /** The records, in file order. */
  records: T[];
  /** 1-based physical line numbers of unreadable (torn) lines that were skipped. */
  torn: number[];
}

/**
 * Reads the JSON lines of a file. A line that does not parse (torn by a full disk or a crash)
 * is skipped and reported; when such a line ends with a complete record (a record appended
 * onto a torn piece by an older writer), that record is kept. An incomplete last line (no
 * newline) was never acknowledged to its caller and is ignored.
 */
export async function readJsonLinesReport<T>(path: string): Promise<JsonLinesReport<T>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { records: [], torn: [] };
    throw err;
  }
  const records: T[] = [];
  const torn: number[] = [];
  let start = 0;
  let lineNo = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) break; // no newline: incomplete write
    const line = text.slice(start, nl);
    start = nl + 1;
    lineNo++;
    if (line.length === 0) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      torn.push(lineNo);
      const rescued = rescueTail(line);
      if (rescued !== undefined) records.push(rescued as T);
    }
  }
  return { records, torn };
}

/** The last complete JSON object a torn line ends with, if any. */
function rescueTail(line: string): unknown {
  for (let i = line.indexOf("{", 1); i > 0; i = line.indexOf("{", i + 1)) {
    if (line[i + 1] !== '"') continue;
    try {
      const v = JSON.parse(line.slice(i));
      if (v && typeof v === "object" && !Array.isArray(v)) return v;
    } catch {
      // not from here
    }
  }
  return undefined;
}

/** Reads the JSON lines of a file, skipping torn ones (see {@link readJsonLinesReport}). */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  return (await readJsonLinesReport<T>(path)).records;
}

/** The mapping line that starts an acknowledgement log. */
export interface AckMapping {
  uri: string;
  runId: string;
  experimentId: string;
  artifactUri: string;
}
/** A line of an acknowledgement log. */
export type AckLine =
  | AckMapping
  | { a: number; error?: string; model?: { local: string; id: string; artifactUri: string } };

/** What an acknowledgement log says. */
export interface AckState {
  mapping?: AckMapping;
  /** Operations [0, acked) were delivered (or rejected for good). */
  acked: number;
  /** Rejected operations and why. */
  errors: { seq: number; error: string }[];
  /** Local model id → server logged model. */
  models: Map<string, { id: string; artifactUri: string }>;
}

/** Reads an acknowledgement log. */
export async function readAcks(path: string): Promise<AckState> {
  const state: AckState = { acked: 0, errors: [], models: new Map() };
  for (const line of await readJsonLines<AckLine>(path)) {
    if ("runId" in line) state.mapping = line;
    else if (typeof line.a === "number") {
      if (line.error) state.errors.push({ seq: line.a - 1, error: line.error });
      if (line.model) {
        state.models.set(line.model.local, {
          id: line.model.id,
          artifactUri: line.model.artifactUri,
        });
      }
      state.acked = Math.max(state.acked, line.a);
    }
  }
  return state;
}

/** Paths of one run in the store. */
export class RunPaths {
  constructor(readonly storeDir: string, readonly id: string) {}
  get dir(): string {
    return `${this.storeDir}/runs/${this.id}`;
  }
  get ops(): string {
    return `${this.dir}/ops.jsonl`;
  }
  get owner(): string {
    return `${this.dir}/owner.json`;
  }
  get artifacts(): string {
    return `${this.dir}/artifacts`;
  }
  get models(): string {
    return `${this.dir}/models`;
  }
  get acksDir(): string {
    return `${this.dir}/acks`;
  }
  ack(key: string): string {
    return `${this.acksDir}/${key}.jsonl`;
  }
  artifact(path: string): string {
    return `${this.artifacts}/${safeRelative(path)}`;
  }
}

/** Rejects absolute paths and `..` segments in artifact paths. */
export function safeRelative(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.some((p) => p === "..") || path.startsWith("/")) {
    throw new TypeError(`Expected a relative artifact path without '..' but found '${path}'`);
  }
  return parts.join("/");
}

/**
 * Whether the process that writes a run is still alive: it holds the lock of the run's
 * `ops.jsonl` from `startRun` until the run ends. Runs written by an older evalkit (no lock
 * file) fall back to the owner file's pid on the same host.
 */
export async function ownerAlive(paths: RunPaths): Promise<boolean> {
  const held = lockHeld(paths.ops);
  if (held !== undefined) return held;
  try {
    const owner = JSON.parse(await Deno.readTextFile(paths.owner)) as {
      pid: number;
      hostname: string;
    };
    if (owner.hostname !== Deno.hostname()) return false;
    if (owner.pid === Deno.pid) return true;
    try {
      Deno.kill(owner.pid, 0 as unknown as Deno.Signal);
      return true;
    } catch {
      return false;
    }
  } catch {
    return false;
  }
}

/** Local run ids in a store, oldest first. */
export async function listRunIds(storeDir: string): Promise<string[]> {
  const out: { id: string; mtime: number }[] = [];
  try {
    for await (const e of Deno.readDir(`${storeDir}/runs`)) {
      if (!e.isDirectory) continue;
      const st = await Deno.stat(`${storeDir}/runs/${e.name}/ops.jsonl`).catch(() => undefined);
      if (st) out.push({ id: e.name, mtime: st.birthtime?.getTime() ?? st.mtime?.getTime() ?? 0 });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => a.mtime - b.mtime || a.id.localeCompare(b.id)).map((r) => r.id);
}

/**
 * When a run whose process died stopped: the last write to its outbox (the time of the last
 * call that returned), never before its start or its last metric timestamp.
 */
export async function localEndTime(paths: RunPaths, ops: readonly Op[]): Promise<number> {
  const st = await Deno.stat(paths.ops);
  let t = st.mtime?.getTime() ?? 0;
  for (const op of ops) if ((op.op === "create" || op.op === "m") && op.t > t) t = op.t;
  return t;
}
