/**
 * Types and zod schemas of the MLflow model registry and MLflow 3 logged models: the
 * snake_case wire shapes, validated and turned into camelCase objects with tags as records.
 *
 * @module
 */
import { z } from "zod";
import { metricSchema } from "./schemas.ts";
import type { Metric } from "./types.ts";

/** Legacy registry stages (deprecated in MLflow in favour of aliases, still served by OSS 3.x). */
export type ModelStage = "None" | "Staging" | "Production" | "Archived";

/** Registration status of a model version. */
export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

/** A version of a registered model. */
export interface ModelVersion {
  /** Registered model name. */
  name: string;
  /** Version number, as a string (`"1"`). */
  version: string;
  /** Creation time (ms). */
  creationTimestamp: number;
  /** Last update time (ms). */
  lastUpdatedTimestamp?: number;
  /** Who created it. */
  userId?: string;
  /** Legacy stage. */
  currentStage: string;
  /** Description. */
  description?: string;
  /** Where the model files are (e.g. a run's artifact URI + path, or `models:/<model id>`). */
  source: string;
  /** The run that produced it. */
  runId?: string;
  /** Registration status. */
  status: string;
  /** Status detail. */
  statusMessage?: string;
  /** Tags. */
  tags: Record<string, string>;
  /** Link to the run in another workspace. */
  runLink?: string;
  /** Aliases pointing at this version. */
  aliases: string[];
  /** The MLflow 3 logged model it was registered from. */
  modelId?: string;
}

/** A registered model. */
export interface RegisteredModel {
  /** Name. */
  name: string;
  /** Creation time (ms). */
  creationTimestamp?: number;
  /** Last update time (ms). */
  lastUpdatedTimestamp?: number;
  /** Who created it. */
  userId?: string;
  /** Description. */
  description?: string;
  /** The latest version per stage (legacy). */
  latestVersions: ModelVersion[];
  /** Tags. */
  tags: Record<string, string>;
  /** Aliases: alias → version. */
  aliases: Record<string, string>;
}

/** Status of an MLflow 3 logged model. */
export type LoggedModelStatus =
  | "LOGGED_MODEL_STATUS_UNSPECIFIED"
  | "LOGGED_MODEL_PENDING"
  | "LOGGED_MODEL_READY"
  | "LOGGED_MODEL_UPLOAD_FAILED";

/** An MLflow 3 logged model (an agent or model version produced by a run). */
export interface LoggedModel {
  /** `m-` followed by 32 hex characters. */
  modelId: string;
  /** Experiment it belongs to. */
  experimentId: string;
  /** Name. */
  name: string;
  /** Where its artifacts go (e.g. `mlflow-artifacts:/1/models/m-…/artifacts`). */
  artifactUri: string;
  /** Status: pending until finalized. */
  status: string;
  /** Status detail. */
  statusMessage?: string;
  /** Free-form type, e.g. `agent`. */
  modelType?: string;
  /** The run that created it. */
  sourceRunId?: string;
  /** Creation time (ms). */
  creationTimestamp: number;
  /** Last update time (ms). */
  lastUpdatedTimestamp: number;
  /** Tags. */
  tags: Record<string, string>;
  /** Params (immutable once logged). */
  params: Record<string, string>;
  /** Metrics logged with this model's id (latest per key and dataset). */
  metrics: Metric[];
  /** Registered model versions made from it. */
  registrations: { name: string; version: string }[];
}

const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v));
const keyValues = z.array(z.object({ key: z.string(), value: z.string().default("") }))
  .default([])
  .transform((list) => {
    const out: Record<string, string> = {};
    for (const { key, value } of list) out[key] = value;
    return out;
  });

/** A model version on the wire. */
export const modelVersionSchema: z.ZodType<ModelVersion> = z.object({
  name: z.string(),
  version: z.union([z.string(), z.number()]).transform(String),
  creation_timestamp: int64.default(0),
  last_updated_timestamp: int64.optional(),
  user_id: z.string().optional(),
  current_stage: z.string().default("None"),
  description: z.string().optional(),
  source: z.string().default(""),
  run_id: z.string().optional(),
  status: z.string().default("READY"),
  status_message: z.string().optional(),
  tags: keyValues,
  run_link: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  model_id: z.string().optional(),
}).transform((v): ModelVersion => {
  const out: ModelVersion = {
    name: v.name,
    version: v.version,
    creationTimestamp: v.creation_timestamp,
    currentStage: v.current_stage,
    source: v.source,
    status: v.status,
    tags: v.tags,
    aliases: v.aliases,
  };
  if (v.last_updated_timestamp !== undefined) out.lastUpdatedTimestamp = v.last_updated_timestamp;
  if (v.user_id !== undefined && v.user_id !== "") out.userId = v.user_id;
  if (v.description !== undefined && v.description !== "") out.description = v.description;
  if (v.run_id !== undefined && v.run_id !== "") out.runId = v.run_id;
  if (v.status_message !== undefined && v.status_message !== "") {
    out.statusMessage = v.status_message;
  }
  if (v.run_link !== undefined && v.run_link !== "") out.runLink = v.run_link;
  if (v.model_id !== undefined && v.model_id !== "") out.modelId = v.model_id;
  else {
    // Servers that do not echo model_id still keep the logged model in the source.
    const m = /^models:\/(m-[0-9a-f]{32})$/.exec(v.source);
    if (m) out.modelId = m[1]!;
  }
  return out;
}) as unknown as z.ZodType<ModelVersion>;

/** A registered model on the wire. */
export const registeredModelSchema: z.ZodType<RegisteredModel> = z.object({
  name: z.string(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: z.array(modelVersionSchema).default([]),
  tags: keyValues,
  aliases: z.array(
    z.object({ alias: z.string(), version: z.union([z.string(), z.number()]).transform(String) }),
  )
    .default([]),
}).transform((m): RegisteredModel => {
  const aliases: Record<string, string> = {};
  for (const a of m.aliases) aliases[a.alias] = a.version;
  const out: RegisteredModel = {
    name: m.name,
    latestVersions: m.latest_versions,
    tags: m.tags,
    aliases,
  };
  if (m.creation_timestamp !== undefined) out.creationTimestamp = m.creation_timestamp;
  if (m.last_updated_timestamp !== undefined) out.lastUpdatedTimestamp = m.last_updated_timestamp;
  if (m.user_id !== undefined && m.user_id !== "") out.userId = m.user_id;
  if (m.description !== undefined && m.description !== "") out.description = m.description;
  return out;
}) as unknown as z.ZodType<RegisteredModel>;

/** The `mlflow.modelVersions` tag (`[{"name": …, "version": 1}]`) the server keeps on a logged model. */
function registrationsFromTag(tags: Record<string, string>): { name: string; version: string }[] {
  const raw = tags["mlflow.modelVersions"];
  if (raw === undefined) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list.flatMap((e) =>
      e !== null && typeof e === "object" && typeof e.name === "string" &&
        (typeof e.version === "number" || typeof e.version === "string")
        ? [{ name: e.name as string, version: String(e.version) }]
        : []
    );
  } catch {
    return [];
  }
}

/** A logged model on the wire (`{info, data}`), flattened. */
export const loggedModelSchema: z.ZodType<LoggedModel> = z.object({
  info: z.object({
    model_id: z.string(),
    experiment_id: z.string(),
    name: z.string().default(""),
    artifact_uri: z.string().default(""),
    status: z.string().default("LOGGED_MODEL_STATUS_UNSPECIFIED"),
    status_message: z.string().optional(),
    model_type: z.string().optional(),
    source_run_id: z.string().optional(),
    creation_timestamp_ms: int64.default(0),
    last_updated_timestamp_ms: int64.default(0),
    tags: keyValues,
    registrations: z.array(z.object({
      name: z.string(),
      version: z.union([z.string(), z.number()]).transform(String),
    })).default([]),
  }),
  data: z.object({
    params: keyValues,
    metrics: z.array(metricSchema).default([]),
  }).default({ params: {}, metrics: [] }),
}).transform(({ info, data }): LoggedModel => {
  const out: LoggedModel = {
    modelId: info.model_id,
    experimentId: info.experiment_id,
    name: info.name,
    artifactUri: info.artifact_uri,
    status: info.status,
    creationTimestamp: info.creation_timestamp_ms,
    lastUpdatedTimestamp: info.last_updated_timestamp_ms,
    tags: info.tags,
    params: data.params,
    metrics: data.metrics,
    registrations: info.registrations.length > 0
      ? info.registrations
      : registrationsFromTag(info.tags),
  };
  if (info.status_message !== undefined && info.status_message !== "") {
    out.statusMessage = info.status_message;
  }
  if (info.model_type !== undefined && info.model_type !== "") out.modelType = info.model_type;
  if (info.source_run_id !== undefined && info.source_run_id !== "") {
    out.sourceRunId = info.source_run_id;
  }
  return out;
}) as unknown as z.ZodType<LoggedModel>;

/** `{registered_model}` answers. */
export const registeredModelResponse: z.ZodType<{ registered_model: RegisteredModel }> = z.object({
  registered_model: registeredModelSchema,
});

/** `{model_version}` answers. */
export const modelVersionResponse: z.ZodType<{ model_version: ModelVersion }> = z.object({
  model_version: modelVersionSchema,
});

/** registered-models/search answers. */
export const searchRegisteredModelsResponse: z.ZodType<
  { registered_models: RegisteredModel[]; next_page_token?: string }
> = z.object({
  registered_models: z.array(registeredModelSchema).default([]),
  next_page_token: z.string().optional(),
});

/** model-versions/search answers. */
export const searchModelVersionsResponse: z.ZodType<
  { model_versions: ModelVersion[]; next_page_token?: string }
> = z.object({
  model_versions: z.array(modelVersionSchema).default([]),
  next_page_token: z.string().optional(),
});

/** `{model}` answers of the logged-model endpoints. */
export const loggedModelResponse: z.ZodType<{ model: LoggedModel }> = z.object({
  model: loggedModelSchema,
});

/** logged-models/search answers. */
export const searchLoggedModelsResponse: z.ZodType<
  { models: LoggedModel[]; next_page_token?: string }
> = z.object({
  models: z.array(loggedModelSchema).default([]),
  next_page_token: z.string().optional(),
});
