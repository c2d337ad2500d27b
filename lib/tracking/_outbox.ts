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

/** A short stable key for a tracking URI (file name of its acknowledgement log). */
export async function targetKey(uri: string): Promise<string> {
  const norm = uri.replace(/\/+$/, "");
  const bytes = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(norm)),
  );
  return Array.from(bytes.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();

/**
 * An append-only JSONL file written synchronously: each {@link AppendLog.append} is one
 * `write` syscall, so a returned call survives the process being killed.
 */
export class AppendLog {
  #file: Deno.FsFile;
  #buf = new Uint8Array(4096);
  /** Number of complete lines in the file. */
  lines: number;

  private constructor(file: Deno.FsFile, lines: number) {
    this.#file = file;
    this.lines = lines;
  }

  /** Opens (creating) the file for appending; `lines` is the count already in it. */
  static open(path: string, lines = 0): AppendLog {
    const file = Deno.openSync(path, { append: true, create: true });
    return new AppendLog(file, lines);
  }

  /** Appends one line (without its newline). */
  append(line: string): void {
    // encodeInto a reusable buffer: no allocation per call on the hot path.
    const need = line.length * 3 + 1;
    if (need > this.#buf.length) this.#buf = new Uint8Array(Math.max(need, this.#buf.length * 2));
    const { written } = encoder.encodeInto(line, this.#buf);
    this.#buf[written] = 10;
    let off = 0;
    const end = written + 1;
    while (off < end) off += this.#file.writeSync(this.#buf.subarray(off, end));
    this.lines++;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}

/** Reads complete JSON lines of a file (a torn last line, from a crash, is ignored). */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const out: T[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) break; // no newline: incomplete write
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      break; // torn line: nothing after it can be trusted
    }
  }
  return out;
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

/** Whether the process that owns a run is still alive (same host only). */
export async function ownerAlive(paths: RunPaths): Promise<boolean> {
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
