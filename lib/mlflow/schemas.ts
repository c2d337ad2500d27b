/**
 * zod schemas for MLflow tracking responses. Each one validates the snake_case wire shape
 * and turns it into the camelCase types of `types.ts`: absent repeated fields default to
 * empty, tag lists become records, metric values accept numbers and MLflow's strings for
 * NaN and ±Infinity.
 *
 * @module
 */
import { z } from "zod";
import type {
  DatasetInput,
  Experiment,
  Metric,
  ModelOutput,
  Run,
  RunInfo,
  RunStatus,
} from "./types.ts";

/**
 * Decodes a metric value from MLflow's JSON: a number, or `"NaN"`, `"Infinity"`,
 * `"-Infinity"`. SQL backends store ±Infinity clamped to ±1.7976931348623157e308
 * (`Number.MAX_VALUE`); those two values are decoded back to ±Infinity.
 *
 * @example
 * ```ts
 * import { decodeMetricValue } from "@evalkit/evalkit/mlflow";
 * if (!Number.isNaN(decodeMetricValue("NaN"))) throw new Error("expected NaN");
 * if (decodeMetricValue(1.7976931348623157e308) !== Infinity) throw new Error("expected Infinity");
 * ```
 */
export function decodeMetricValue(value: number | string): number {
  if (typeof value === "string") {
    switch (value) {
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
      case "-Infinity":
        return -Infinity;
    }
    const n = Number(value);
    if (value.trim() === "" || Number.isNaN(n)) {
      throw new SyntaxError(`Expected a metric value but found '${value.slice(0, 40)}'`);
    }
    return decodeMetricValue(n);
  }
  if (value === Number.MAX_VALUE) return Infinity;
  if (value === -Number.MAX_VALUE) return -Infinity;
  return value;
}

const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v));
const keyValues = z.array(z.object({ key: z.string(), value: z.string().default("") }))
  .default([])
  .transform((list) => {
    const out: Record<string, string> = {};
    for (const { key, value } of list) out[key] = value;
    return out;
  });

const metricValue = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return decodeMetricValue(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** A metric on the wire. */
export const metricSchema: z.ZodType<Metric> = z.object({
  key: z.string(),
  value: metricValue,
  timestamp: int64.default(0),
  step: int64.default(0),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
}).transform((m): Metric => {
  const out: Metric = { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step };
  if (m.dataset_name !== undefined) out.datasetName = m.dataset_name;
  if (m.dataset_digest !== undefined) out.datasetDigest = m.dataset_digest;
  if (m.model_id !== undefined) out.modelId = m.model_id;
  if (m.run_id !== undefined) out.runId = m.run_id;
  return out;
}) as unknown as z.ZodType<Metric>;

/** An experiment on the wire. */
export const experimentSchema: z.ZodType<Experiment> = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().default(""),
  lifecycle_stage: z.string().default("active"),
  creation_time: int64.optional(),
  last_update_time: int64.optional(),
  tags: keyValues,
}).transform((e): Experiment => {
  const out: Experiment = {
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
    tags: e.tags,
  };
  if (e.creation_time !== undefined) out.creationTime = e.creation_time;
  if (e.last_update_time !== undefined) out.lastUpdateTime = e.last_update_time;
  return out;
}) as unknown as z.ZodType<Experiment>;

const runStatus = z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]);

/** A run's info on the wire. */
export const runInfoSchema: z.ZodType<RunInfo> = z.object({
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
  run_name: z.string().default(""),
  experiment_id: z.string(),
  user_id: z.string().optional(),
  status: runStatus.default("RUNNING"),
  start_time: int64.default(0),
  end_time: int64.optional(),
  artifact_uri: z.string().default(""),
  lifecycle_stage: z.string().default("active"),
}).refine((i) => (i.run_id ?? i.run_uuid) !== undefined, { message: "run_id is missing" })
  .transform((i): RunInfo => {
    const out: RunInfo = {
      runId: (i.run_id ?? i.run_uuid)!,
      runName: i.run_name,
      experimentId: i.experiment_id,
      status: i.status as RunStatus,
      startTime: i.start_time,
      artifactUri: i.artifact_uri,
      lifecycleStage: i.lifecycle_stage,
    };
    if (i.user_id !== undefined) out.userId = i.user_id;
    if (i.end_time !== undefined) out.endTime = i.end_time;
    return out;
  }) as unknown as z.ZodType<RunInfo>;

const datasetInputSchema = z.object({
  tags: keyValues,
  dataset: z.object({
    name: z.string(),
    digest: z.string(),
    source_type: z.string().default(""),
    source: z.string().default(""),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
}).transform((d): DatasetInput => {
  const out: DatasetInput = {
    dataset: {
      name: d.dataset.name,
      digest: d.dataset.digest,
      sourceType: d.dataset.source_type,
      source: d.dataset.source,
    },
    tags: d.tags,
  };
  if (d.dataset.schema !== undefined) out.dataset.schema = d.dataset.schema;
  if (d.dataset.profile !== undefined) out.dataset.profile = d.dataset.profile;
  return out;
});

/** A run on the wire. */
export const runSchema: z.ZodType<Run> = z.object({
  info: runInfoSchema,
  data: z.object({
    metrics: z.array(metricSchema).default([]),
    params: keyValues,
    tags: keyValues,
  }).default(() => ({ metrics: [], params: {}, tags: {} })),
  inputs: z.object({
    dataset_inputs: z.array(datasetInputSchema).default([]),
    model_inputs: z.array(z.object({ model_id: z.string() })).default([]),
  }).default(() => ({ dataset_inputs: [], model_inputs: [] })),
  outputs: z.object({
    model_outputs: z.array(z.object({ model_id: z.string(), step: int64.default(0) })).default([]),
  }).default(() => ({ model_outputs: [] })),
}).transform((r): Run => ({
  info: r.info,
  data: r.data,
  inputs: {
    datasetInputs: r.inputs.dataset_inputs,
    modelInputs: r.inputs.model_inputs.map((m) => ({ modelId: m.model_id })),
  },
  outputs: {
    modelOutputs: r.outputs.model_outputs.map((m): ModelOutput => ({
      modelId: m.model_id,
      step: m.step,
    })),
  },
})) as unknown as z.ZodType<Run>;

const pageToken = z.string().optional();

/** Response of `experiments/create`. */
export const createExperimentResponse: z.ZodType<{ experiment_id: string }> = z.object({
  experiment_id: z.string(),
});
/** Response of `experiments/get` and `get-by-name`. */
export const getExperimentResponse: z.ZodType<{ experiment: Experiment }> = z.object({
  experiment: experimentSchema,
});
/** Response of `experiments/search`. */
export const searchExperimentsResponse: z.ZodType<
  { experiments: Experiment[]; next_page_token?: string | undefined }
> = z.object({
  experiments: z.array(experimentSchema).default([]),
  next_page_token: pageToken,
});
/** Response of `runs/create` and `runs/get`. */
export const getRunResponse: z.ZodType<{ run: Run }> = z.object({ run: runSchema });
/** Response of `runs/update`. */
export const updateRunResponse: z.ZodType<{ run_info: RunInfo }> = z.object({
  run_info: runInfoSchema,
});
/** Response of `runs/search`. */
export const searchRunsResponse: z.ZodType<
  { runs: Run[]; next_page_token?: string | undefined }
> = z.object({
  runs: z.array(runSchema).default([]),
  next_page_token: pageToken,
});
/** Response of `metrics/get-history`. */
export const metricHistoryResponse: z.ZodType<
  { metrics: Metric[]; next_page_token?: string | undefined }
> = z.object({
  metrics: z.array(metricSchema).default([]),
  next_page_token: pageToken,
});
