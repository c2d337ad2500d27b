/**
 * Reading the local store (the embedded default): list runs, show one with its params,
 * metrics, tags, inputs and artifacts, as `deno task runs` does.
 *
 * @module
 */
import type { DatasetInput, RunStatus } from "../mlflow/types.ts";
import {
  type CreateOp,
  decodeValue,
  defaultStoreDir,
  listRunIds,
  localEndTime,
  type Op,
  ownerAlive,
  publicTrackingUri,
  readAcks,
  readJsonLinesReport,
  RunPaths,
  targetKey,
} from "./_outbox.ts";

/** One metric point of a local run. */
export interface LocalMetricPoint {
  /** Step. */
  step: number;
  /** Timestamp (ms). */
  timestamp: number;
  /** Value. */
  value: number;
}

/** A run of the local store, summarised. */
export interface LocalRunSummary {
  /** Local run id. */
  localRunId: string;
  /** Run name. */
  runName: string;
  /** Experiment name. */
  experimentName: string;
  /** Agent name. */
  agent?: string;
  /** `RUNNING` while its process lives; `INTERRUPTED` when it died before ending. */
  status: RunStatus | "INTERRUPTED";
  /** Start time (ms). */
  startTime: number;
  /** End time (ms); for an `INTERRUPTED` run, the last write to its outbox. */
  endTime?: number;
  /** Tracking URI it was written for, without credentials (undefined = local only). */
  trackingUri?: string;
  /** Number of outbox operations. */
  ops: number;
  /** Latest value per metric key. */
  latestMetrics: Record<string, number>;
  /** Params. */
  params: Record<string, string>;
  /** Servers it was delivered to: uri (without credentials) → server run id and operations pending. */
  synced: { uri: string; runId: string; pending: number }[];
  /** 1-based lines of its outbox that were torn (a full disk, a crash) and skipped. */
  tornLines?: number[];
}

/** A run of the local store in full. */
export interface LocalRun extends LocalRunSummary {
  /** Tags. */
  tags: Record<string, string>;
  /** Metric histories by key, in logging order. */
  metrics: Record<string, LocalMetricPoint[]>;
  /** Dataset inputs. */
  inputs: DatasetInput[];
  /** Artifact paths (relative) with sizes in bytes. */
  artifacts: { path: string; size: number }[];
  /** Logged models (local ids and names). */
  models: { localModelId: string; name: string }[];
}

async function load(storeDir: string, id: string, full: boolean): Promise<LocalRun | undefined> {
  const paths = new RunPaths(storeDir, id);
  const { records: ops, torn } = await readJsonLinesReport<Op>(paths.ops);
  const create = ops[0] as CreateOp | undefined;
  if (!create || create.op !== "create") return undefined;
  const params: Record<string, string> = {};
  const tags: Record<string, string> = { ...create.tags };
  const latest: Record<string, { step: number; t: number; v: number }> = {};
  const metrics: Record<string, LocalMetricPoint[]> = {};
  const inputs: DatasetInput[] = [];
  const models: { localModelId: string; name: string }[] = [];
  let status: LocalRunSummary["status"] = "RUNNING";
  let endTime: number | undefined;
  for (const op of ops) {
    switch (op.op) {
      case "m":
        for (const [k, raw] of Object.entries(op.m)) {
          const v = decodeValue(raw);
          const cur = latest[k];
          // MLflow's "latest" = highest (step, timestamp).
          if (!cur || op.s > cur.step || (op.s === cur.step && op.t >= cur.t)) {
            latest[k] = { step: op.s, t: op.t, v };
          }
          if (full) (metrics[k] ??= []).push({ step: op.s, timestamp: op.t, value: v });
        }
        break;
      case "p":
        Object.assign(params, op.p);
        break;
      case "tag":
        Object.assign(tags, op.tags);
        break;
      case "input":
        inputs.push(...op.datasets);
        break;
      case "model":
        models.push({ localModelId: op.local, name: op.name });
        break;
      case "end":
        status = op.status;
        endTime = op.t;
        break;
    }
  }
  if (status === "RUNNING" && !(await ownerAlive(paths))) {
    status = "INTERRUPTED";
    endTime = await localEndTime(paths, ops);
  }
  const synced: LocalRunSummary["synced"] = [];
  try {
    for await (const e of Deno.readDir(paths.acksDir)) {
      if (!e.name.endsWith(".jsonl")) continue;
      const acks = await readAcks(`${paths.acksDir}/${e.name}`);
      if (acks.mapping) {
        synced.push({
          uri: publicTrackingUri(acks.mapping.uri),
          runId: acks.mapping.runId,
          pending: ops.length - acks.acked,
        });
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // no acks folder: never synced
  }
  const artifacts: { path: string; size: number }[] = [];
  if (full) {
    const walk = async (dir: string, prefix: string) => {
      for await (const e of Deno.readDir(dir)) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory) await walk(`${dir}/${e.name}`, rel);
        else artifacts.push({ path: rel, size: (await Deno.stat(`${dir}/${e.name}`)).size });
      }
    };
    await walk(paths.artifacts, "").catch(() => {});
    artifacts.sort((a, b) => a.path.localeCompare(b.path));
  }
  return {
    localRunId: id,
    runName: create.runName,
    experimentName: create.experiment,
    agent: create.agent,
    status,
    startTime: create.t,
    endTime,
    trackingUri: create.uri === undefined ? undefined : publicTrackingUri(create.uri),
    ops: ops.length,
    latestMetrics: Object.fromEntries(Object.entries(latest).map(([k, v]) => [k, v.v])),
    params,
    synced,
    ...(torn.length ? { tornLines: torn } : {}),
    tags,
    metrics,
    inputs,
    artifacts,
    models,
  };
}

/**
 * Lists the runs of the local store, oldest first.
 *
 * @example
 * ```ts
 * import { listLocalRuns } from "@evalkit/evalkit/tracking";
 * const runs = await listLocalRuns({ storeDir: await Deno.makeTempDir() });
 * console.log(runs.length); // 0
 * ```
 */
export async function listLocalRuns(
  options: { storeDir?: string } = {},
): Promise<LocalRunSummary[]> {
  const storeDir = options.storeDir ?? defaultStoreDir();
  const out: LocalRunSummary[] = [];
  for (const id of await listRunIds(storeDir)) {
    const run = await load(storeDir, id, false);
    if (run) {
      const { tags: _t, metrics: _m, inputs: _i, artifacts: _a, models: _mo, ...summary } = run;
      out.push(summary);
    }
  }
  return out;
}

/**
 * Reads one local run in full. `idOrName` is a local run id, a unique prefix of one, or a
 * run name (the newest run with that name).
 *
 * @example
 * ```ts
 * import { readLocalRun } from "@evalkit/evalkit/tracking";
 * console.log(await readLocalRun("nope", { storeDir: await Deno.makeTempDir() })); // undefined
 * ```
 */
export async function readLocalRun(
  idOrName: string,
  options: { storeDir?: string } = {},
): Promise<LocalRun | undefined> {
  const storeDir = options.storeDir ?? defaultStoreDir();
  const ids = await listRunIds(storeDir);
  if (ids.includes(idOrName)) return await load(storeDir, idOrName, true);
  const byPrefix = ids.filter((id) => id.startsWith(idOrName));
  if (byPrefix.length === 1) return await load(storeDir, byPrefix[0]!, true);
  for (const id of ids.toReversed()) {
    const run = await load(storeDir, id, false);
    if (run?.runName === idOrName) return await load(storeDir, id, true);
  }
  return undefined;
}

/** The server run id a local run was synced to on `uri`, if any. */
export async function serverRunIdFor(
  localRunId: string,
  uri: string,
  options: { storeDir?: string } = {},
): Promise<string | undefined> {
  const paths = new RunPaths(options.storeDir ?? defaultStoreDir(), localRunId);
  return (await readAcks(paths.ack(await targetKey(uri)))).mapping?.runId;
}
