/**
 * The MLflow model registry: registered models (with tags and aliases) and their versions
 * (with tags and legacy stages).
 *
 * @module
 */
import type { MlflowTransport } from "./transport.ts";
import {
  type ModelStage,
  type ModelVersion,
  modelVersionResponse,
  type RegisteredModel,
  registeredModelResponse,
  searchModelVersionsResponse,
  searchRegisteredModelsResponse,
} from "./registry_schemas.ts";

const API = "/api/2.0/mlflow";

/** Options of the registry search iterators. */
export interface RegistrySearchOptions {
  /** A filter such as `name LIKE 'loan-%'` or `run_id = '…'`. */
  filter?: string;
  /** Order, e.g. `["name ASC"]`, `["version_number DESC"]`. */
  orderBy?: string[];
  /** Results per request (always sent). Default 100 for models, 1000 for versions. */
  pageSize?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

function tagList(
  tags: Record<string, string> | undefined,
): { key: string; value: string }[] | undefined {
  if (tags === undefined) return undefined;
  return Object.entries(tags).map(([key, value]) => {
    if (typeof value !== "string") {
      throw new TypeError(`Expected tag '${key}' to have a string value but found ${typeof value}`);
    }
    return { key, value };
  });
}

function requireName(name: unknown, what = "a registered model name"): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`Expected ${what} but found '${String(name)}'`);
  }
  return name;
}

function versionString(version: string | number): string {
  const v = String(version);
  if (!/^\d+$/.test(v)) throw new TypeError(`Expected a model version number but found '${v}'`);
  return v;
}

function pageSize(value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new RangeError(`Expected pageSize to be an integer in [1, ${max}] but found ${n}`);
  }
  return n;
}

/**
 * Registered models: create, get, search, rename, update, delete, tags and aliases.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * await client.models.create("loan-agent", { description: "Loan approval agent" });
 * await client.models.setAlias("loan-agent", "champion", "1");
 * const champion = await client.models.getByAlias("loan-agent", "champion");
 * for await (const m of client.models.search({ filter: "name LIKE 'loan-%'" })) console.log(m.name);
 * ```
 */
export class RegisteredModelsApi {
  readonly #transport: MlflowTransport;

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }

  /** Creates a registered model. Fails with `RESOURCE_ALREADY_EXISTS` when the name is taken. */
  async create(
    name: string,
    options: { tags?: Record<string, string>; description?: string; signal?: AbortSignal } = {},
  ): Promise<RegisteredModel> {
    const res = await this.#transport.post<{ registered_model: RegisteredModel }>(
      `${API}/registered-models/create`,
      { name: requireName(name), tags: tagList(options.tags), description: options.description },
      { schema: registeredModelResponse, signal: options.signal },
    );
    return res.registered_model;
  }

  /** Gets a registered model by name. */
  async get(name: string, options: { signal?: AbortSignal } = {}): Promise<RegisteredModel> {
    const res = await this.#transport.get<{ registered_model: RegisteredModel }>(
      `${API}/registered-models/get`,
      {
        query: { name: requireName(name) },
        schema: registeredModelResponse,
        signal: options.signal,
      },
    );
    return res.registered_model;
  }

  /** Iterates over registered models matching a filter, page by page (`max_results` always sent). */
  async *search(options: RegistrySearchOptions = {}): AsyncGenerator<RegisteredModel> {
    const maxResults = pageSize(options.pageSize, 100, 1000);
    let pageToken: string | undefined;
    do {
      const res = await this.#transport.get<
        { registered_models: RegisteredModel[]; next_page_token?: string }
      >(
        `${API}/registered-models/search`,
        {
          query: {
            filter: options.filter,
            max_results: maxResults,
            order_by: options.orderBy,
            page_token: pageToken,
          },
          schema: searchRegisteredModelsResponse,
          signal: options.signal,
        },
      );
      yield* res.registered_models;
      pageToken = res.next_page_token || undefined;
    } while (pageToken !== undefined);
  }

  /** Renames a registered model (its versions follow). */
  async rename(
    name: string,
    newName: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<RegisteredModel> {
    const res = await this.#transport.post<{ registered_model: RegisteredModel }>(
      `${API}/registered-models/rename`,
      { name: requireName(name), new_name: requireName(newName, "a new registered model name") },
      { schema: registeredModelResponse, signal: options.signal },
    );
    return res.registered_model;
  }

  /** Updates the description. */
  async update(
    name: string,
    changes: { description: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<RegisteredModel> {
    const res = await this.#transport.patch<{ registered_model: RegisteredModel }>(
      `${API}/registered-models/update`,
      { name: requireName(name), description: changes.description },
      { schema: registeredModelResponse, signal: options.signal },
    );
    return res.registered_model;
  }

  /** Deletes a registered model and all its versions. */
  async delete(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#transport.delete(`${API}/registered-models/delete`, { name: requireName(name) }, {
      signal: options.signal,
    });
  }

  /** Sets a tag. */
  async setTag(
    name: string,
    key: string,
    value: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.post(`${API}/registered-models/set-tag`, {
      name: requireName(name),
      key,
      value,
    }, {
      signal: options.signal,
    });
  }

  /** Deletes a tag. */
  async deleteTag(
    name: string,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.delete(`${API}/registered-models/delete-tag`, {
      name: requireName(name),
      key,
    }, {
      signal: options.signal,
    });
  }

  /**
   * Points an alias (e.g. `champion`) at a version, moving it if it pointed elsewhere.
   * Aliases match `^[\w-]+$`; `latest` and `v<digits>` are reserved by MLflow.
   */
  async setAlias(
    name: string,
    alias: string,
    version: string | number,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.post(`${API}/registered-models/alias`, {
      name: requireName(name),
      alias: requireName(alias, "an alias"),
      version: versionString(version),
    }, { signal: options.signal });
  }

  /** Removes an alias. */
  async deleteAlias(
    name: string,
    alias: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.delete(`${API}/registered-models/alias`, {
      name: requireName(name),
      alias: requireName(alias, "an alias"),
    }, { signal: options.signal });
  }

  /** The version an alias points at. */
  async getByAlias(
    name: string,
    alias: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ModelVersion> {
    const res = await this.#transport.get<{ model_version: ModelVersion }>(
      `${API}/registered-models/alias`,
      {
        query: { name: requireName(name), alias: requireName(alias, "an alias") },
        schema: modelVersionResponse,
        signal: options.signal,
      },
    );
    return res.model_version;
  }
}

/** What {@link ModelVersionsApi.create} needs. */
export interface CreateModelVersionOptions {
  /** Registered model name (create it first). */
  name: string;
  /**
   * Where the model files are: a run's artifact URI plus path
   * (`mlflow-artifacts:/1/<run>/artifacts/model`) or a logged model (`models:/<model id>`).
   */
  source: string;
  /** The run that produced it. */
  runId?: string;
  /** The MLflow 3 logged model it comes from. */
  modelId?: string;
  /** Tags. */
  tags?: Record<string, string>;
  /** Description. */
  description?: string;
  /** Link to the run in another workspace. */
  runLink?: string;
  /** Abort signal. */
  signal?: AbortSignal;
}

/**
 * Model versions: create (from a run's artifacts or a logged model), get, search, update,
 * delete, tags, legacy stage transitions and the download URI.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const run = await client.runs.get("0f3c…");
 * const v = await client.modelVersions.create({
 *   name: "loan-agent", source: `${run.info.artifactUri}/agent`, runId: run.info.runId,
 * });
 * await client.modelVersions.transitionStage("loan-agent", v.version, "Production", {
 *   archiveExistingVersions: true,
 * });
 * ```
 */
export class ModelVersionsApi {
  readonly #transport: MlflowTransport;

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }

  /** Registers a new version of a registered model. */
  async create(options: CreateModelVersionOptions): Promise<ModelVersion> {
    if (typeof options.source !== "string" || options.source === "") {
      throw new TypeError(`Expected a model version source but found '${String(options.source)}'`);
    }
    const res = await this.#transport.post<{ model_version: ModelVersion }>(
      `${API}/model-versions/create`,
      {
        name: requireName(options.name),
        source: options.source,
        run_id: options.runId,
        model_id: options.modelId,
        tags: tagList(options.tags),
        description: options.description,
        run_link: options.runLink,
      },
      { schema: modelVersionResponse, signal: options.signal },
    );
    return res.model_version;
  }

  /** Gets one version. */
  async get(
    name: string,
    version: string | number,
    options: { signal?: AbortSignal } = {},
  ): Promise<ModelVersion> {
    const res = await this.#transport.get<{ model_version: ModelVersion }>(
      `${API}/model-versions/get`,
      {
        query: { name: requireName(name), version: versionString(version) },
        schema: modelVersionResponse,
        signal: options.signal,
      },
    );
    return res.model_version;
  }

  /**
   * Iterates over versions matching a filter (e.g. `name = 'loan-agent'`), page by page
   * (`max_results` always sent).
   */
  async *search(options: RegistrySearchOptions = {}): AsyncGenerator<ModelVersion> {
    const maxResults = pageSize(options.pageSize, 1000, 200_000);
    let pageToken: string | undefined;
    do {
      const res = await this.#transport.get<
        { model_versions: ModelVersion[]; next_page_token?: string }
      >(
        `${API}/model-versions/search`,
        {
          query: {
            filter: options.filter,
            max_results: maxResults,
            order_by: options.orderBy,
            page_token: pageToken,
          },
          schema: searchModelVersionsResponse,
          signal: options.signal,
        },
      );
      yield* res.model_versions;
      pageToken = res.next_page_token || undefined;
    } while (pageToken !== undefined);
  }

  /** Updates the description. */
  async update(
    name: string,
    version: string | number,
    changes: { description: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<ModelVersion> {
    const res = await this.#transport.patch<{ model_version: ModelVersion }>(
      `${API}/model-versions/update`,
      {
        name: requireName(name),
        version: versionString(version),
        description: changes.description,
      },
      { schema: modelVersionResponse, signal: options.signal },
    );
    return res.model_version;
  }

  /** Deletes a version. */
  async delete(
    name: string,
    version: string | number,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.delete(`${API}/model-versions/delete`, {
      name: requireName(name),
      version: versionString(version),
    }, { signal: options.signal });
  }

  /** Sets a tag on a version. */
  async setTag(
    name: string,
    version: string | number,
    key: string,
    value: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.post(`${API}/model-versions/set-tag`, {
      name: requireName(name),
      version: versionString(version),
      key,
      value,
    }, { signal: options.signal });
  }

  /** Deletes a tag of a version. */
  async deleteTag(
    name: string,
    version: string | number,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#transport.delete(`${API}/model-versions/delete-tag`, {
      name: requireName(name),
      version: versionString(version),
      key,
    }, { signal: options.signal });
  }

  /**
   * Moves a version to a legacy stage. With `archiveExistingVersions`, other versions in
   * that stage move to `Archived`. (MLflow deprecates stages in favour of aliases.)
   */
  async transitionStage(
    name: string,
    version: string | number,
    stage: ModelStage,
    options: { archiveExistingVersions?: boolean; signal?: AbortSignal } = {},
  ): Promise<ModelVersion> {
    if (!["None", "Staging", "Production", "Archived"].includes(stage)) {
      throw new TypeError(
        `Expected a stage among None, Staging, Production, Archived but found '${stage}'`,
      );
    }
    const res = await this.#transport.post<{ model_version: ModelVersion }>(
      `${API}/model-versions/transition-stage`,
      {
        name: requireName(name),
        version: versionString(version),
        stage,
        archive_existing_versions: options.archiveExistingVersions ?? false,
      },
      { schema: modelVersionResponse, signal: options.signal },
    );
    return res.model_version;
  }

  /** The artifact URI to download a version's files from. */
  async getDownloadUri(
    name: string,
    version: string | number,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const res = await this.#transport.get<{ artifact_uri?: string }>(
      `${API}/model-versions/get-download-uri`,
      {
        query: { name: requireName(name), version: versionString(version) },
        signal: options.signal,
      },
    );
    if (typeof res.artifact_uri !== "string") {
      throw new TypeError(
        `Expected an artifact_uri for ${name} version ${version} but the server sent none`,
      );
    }
    return res.artifact_uri;
  }
}
