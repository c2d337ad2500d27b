/**
 * MLflow 3 logged models: the model (or agent version) a run produces, with its params,
 * tags, artifacts and lifecycle status.
 *
 * @module
 */
import type { MlflowTransport } from "./transport.ts";
import {
  type LoggedModel,
  loggedModelResponse,
  type LoggedModelStatus,
  searchLoggedModelsResponse,
} from "./registry_schemas.ts";

const API = "/api/2.0/mlflow/logged-models";

/**
 * Params per request, as MLflow's Python client sends them.
 *
 * @example
 * ```ts
 * import { LOGGED_MODEL_PARAMS_BATCH } from "./logged_models.ts";
 * if (LOGGED_MODEL_PARAMS_BATCH !== 100) throw new Error();
 * ```
 */
export const LOGGED_MODEL_PARAMS_BATCH = 100;

/** What {@link LoggedModelsApi.create} needs. */
export interface CreateLoggedModelOptions {
  /** Experiment the model belongs to. */
  experimentId: string;
  /** Name: non-empty, none of `/ : . % " '`. */
  name: string;
  /** Free-form type, e.g. `agent`. */
  modelType?: string;
  /** The run that produced it. */
  sourceRunId?: string;
  /** Params (immutable). More than 100 are sent in further requests. */
  params?: Record<string, string | number | boolean>;
  /** Tags. */
  tags?: Record<string, string>;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Ordering of {@link LoggedModelsApi.search}. */
export interface LoggedModelOrderBy {
  /** e.g. `creation_timestamp`, `name`, `metrics.accuracy`. */
  fieldName: string;
  /** Default true. */
  ascending?: boolean;
  /** For metric fields: only metrics of this dataset. */
  datasetName?: string;
  /** For metric fields: only metrics of this dataset digest. */
  datasetDigest?: string;
}

/** Options of {@link LoggedModelsApi.search}. */
export interface SearchLoggedModelsOptions {
  /** Experiments to search (required by the server). */
  experimentIds: string[];
  /** A filter such as `name = 'loan-agent' AND metrics.accuracy > 0.9`. */
  filter?: string;
  /** Restrict metric filters to these datasets. */
  datasets?: { datasetName: string; datasetDigest?: string }[];
  /** Order. */
  orderBy?: LoggedModelOrderBy[];
  /** Results per request (always sent). Default 100. */
  pageSize?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

function modelPath(modelId: string): string {
  if (typeof modelId !== "string" || modelId === "") {
    throw new TypeError(`Expected a logged model id but found '${String(modelId)}'`);
  }
  return `${API}/${encodeURIComponent(modelId)}`;
}

function paramList(
  params: Record<string, string | number | boolean>,
): { key: string; value: string }[] {
  return Object.entries(params).map(([key, value]) => {
    if (!["string", "number", "boolean"].includes(typeof value)) {
      throw new TypeError(
        `Expected param '${key}' to be a string, number or boolean but found ${typeof value}`,
      );
    }
    return { key, value: String(value) };
  });
}

function tagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => {
    if (typeof value !== "string") {
      throw new TypeError(`Expected tag '${key}' to have a string value but found ${typeof value}`);
    }
    return { key, value };
  });
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name === "" || /[/:.%"']/.test(name)) {
    throw new TypeError(
      `Expected a logged model name that is non-empty and has none of / : . % " ' but found '${
        String(name)
      }'`,
    );
  }
  return name;
}

/**
 * MLflow 3 logged models: create (status `LOGGED_MODEL_PENDING`), upload artifacts to its
 * `artifactUri`, then finalize (`LOGGED_MODEL_READY` or `LOGGED_MODEL_UPLOAD_FAILED`). Link it
 * to the run that produced it with `client.runs.logOutputs(runId, [{ modelId, step }])`.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const model = await client.loggedModels.create({
 *   experimentId: "1", name: "loan-agent", modelType: "agent", params: { temperature: 0.2 },
 * });
 * await client.artifacts.upload(model.artifactUri, "config.json", '{"temperature":0.2}');
 * await client.loggedModels.finalize(model.modelId, "LOGGED_MODEL_READY");
 * ```
 */
export class LoggedModelsApi {
  readonly #transport: MlflowTransport;

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }

  /** Creates a logged model (pending). The first 100 params go with it, the rest in batches. */
  async create(options: CreateLoggedModelOptions): Promise<LoggedModel> {
    if (typeof options.experimentId !== "string" || options.experimentId === "") {
      throw new TypeError(
        `Expected an experiment id string but found '${String(options.experimentId)}'`,
      );
    }
    const params = paramList(options.params ?? {});
    const res = await this.#transport.post<{ model: LoggedModel }>(API, {
      experiment_id: options.experimentId,
      name: checkName(options.name),
      model_type: options.modelType,
      source_run_id: options.sourceRunId,
      params: params.slice(0, LOGGED_MODEL_PARAMS_BATCH),
      tags: tagList(options.tags ?? {}),
    }, { schema: loggedModelResponse, signal: options.signal });
    if (params.length <= LOGGED_MODEL_PARAMS_BATCH) return res.model;
    await this.#logParamList(
      res.model.modelId,
      params.slice(LOGGED_MODEL_PARAMS_BATCH),
      options.signal,
    );
    return await this.get(res.model.modelId, { signal: options.signal });
  }

  /** Sets the final status once its artifacts are uploaded (or failed to). */
  async finalize(
    modelId: string,
    status: Extract<LoggedModelStatus, "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED">,
    options: { signal?: AbortSignal } = {},
  ): Promise<LoggedModel> {
    if (status !== "LOGGED_MODEL_READY" && status !== "LOGGED_MODEL_UPLOAD_FAILED") {
      throw new TypeError(
        `Expected status LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED but found '${
          String(status)
        }'`,
      );
    }
    const res = await this.#transport.patch<{ model: LoggedModel }>(modelPath(modelId), {
      model_id: modelId,
      status,
    }, { schema: loggedModelResponse, signal: options.signal });
    return res.model;
  }

  /** Gets a logged model; `allowDeleted` also finds deleted ones. */
  async get(
    modelId: string,
    options: { allowDeleted?: boolean; signal?: AbortSignal } = {},
  ): Promise<LoggedModel> {
    const res = await this.#transport.get<{ model: LoggedModel }>(modelPath(modelId), {
      query: { allow_deleted: options.allowDeleted ? true : undefined },
      schema: loggedModelResponse,
      signal: options.signal,
    });
    return res.model;
  }

  /** Iterates over logged models of some experiments, page by page (`max_results` always sent). */
  async *search(options: SearchLoggedModelsOptions): AsyncGenerator<LoggedModel> {
    if (!Array.isArray(options.experimentIds) || options.experimentIds.length === 0) {
      throw new TypeError("Expected experimentIds to list at least one experiment id");
    }
    const maxResults = options.pageSize ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw new RangeError(`Expected pageSize to be an integer >= 1 but found ${maxResults}`);
    }
    let pageToken: string | undefined;
    do {
      const res = await this.#transport.post<{ models: LoggedModel[]; next_page_token?: string }>(
        `${API}/search`,
        {
          experiment_ids: options.experimentIds,
          filter: options.filter,
          datasets: options.datasets?.map((d) => ({
            dataset_name: d.datasetName,
            dataset_digest: d.datasetDigest,
          })),
          order_by: options.orderBy?.map((o) => ({
            field_name: o.fieldName,
            ascending: o.ascending ?? true,
            dataset_name: o.datasetName,
            dataset_digest: o.datasetDigest,
          })),
          max_results: maxResults,
          page_token: pageToken,
        },
        { schema: searchLoggedModelsResponse, signal: options.signal },
      );
      yield* res.models;
      pageToken = res.next_page_token || undefined;
    } while (pageToken !== undefined);
  }

  /** Sets (adds or overwrites) tags. */
  async setTags(
    modelId: string,
    tags: Record<string, string>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const list = tagList(tags);
    if (list.length === 0) return;
    await this.#transport.patch(`${modelPath(modelId)}/tags`, { tags: list }, {
      signal: options.signal,
    });
  }

  /** Deletes a tag. */
  async deleteTag(
    modelId: string,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (typeof key !== "string" || key === "") throw new TypeError("Expected a tag key");
    await this.#transport.delete(
      `${modelPath(modelId)}/tags/${encodeURIComponent(key)}`,
      undefined,
      {
        signal: options.signal,
      },
    );
  }

  /** Logs params, 100 per request. */
  async logParams(
    modelId: string,
    params: Record<string, string | number | boolean>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#logParamList(modelId, paramList(params), options.signal);
  }

  async #logParamList(
    modelId: string,
    params: { key: string; value: string }[],
    signal?: AbortSignal,
  ) {
    for (let i = 0; i < params.length; i += LOGGED_MODEL_PARAMS_BATCH) {
      await this.#transport.post(`${modelPath(modelId)}/params`, {
        model_id: modelId,
        params: params.slice(i, i + LOGGED_MODEL_PARAMS_BATCH),
      }, { signal });
    }
  }

  /** Deletes a logged model (soft delete: `get(id, { allowDeleted: true })` still finds it). */
  async delete(modelId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#transport.delete(modelPath(modelId), { model_id: modelId }, {
      signal: options.signal,
    });
  }
}
