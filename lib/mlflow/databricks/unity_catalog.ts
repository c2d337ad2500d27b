/**
 * The Unity Catalog model registry (`databricks-uc`): three-level names, aliases instead of
 * stages, and a model signature on every registered version.
 *
 * @module
 */
import { MlflowApiError } from "../../_internal/errors.ts";
import type { MlflowTransport } from "../transport.ts";

const UC = "/api/2.0/mlflow/unity-catalog";

/** MLflow column types allowed in a signature (`mlflow.types.DataType`). */
export type SignatureType =
  | "string"
  | "integer"
  | "long"
  | "float"
  | "double"
  | "boolean"
  | "binary"
  | "datetime";

/** One column of a model signature. */
export interface SignatureColumn {
  /** Column name. */
  name: string;
  /** MLflow data type. */
  type: SignatureType;
  /** Whether the column must be present. Default true. */
  required?: boolean;
}

/** A model signature: inputs and outputs (both required by Unity Catalog). */
export interface ModelSignature {
  /** Input columns. */
  inputs: SignatureColumn[];
  /** Output columns. */
  outputs: SignatureColumn[];
}

/** A registered model in Unity Catalog. */
export interface UcRegisteredModel {
  /** `catalog.schema.model`. */
  name: string;
  /** Description. */
  description?: string;
  /** Aliases. */
  aliases: { alias: string; version: string }[];
  /** Tags. */
  tags: Record<string, string>;
  /** Creation time (ms). */
  creationTimestamp?: number;
  /** Last update (ms). */
  lastUpdatedTimestamp?: number;
}

/** A model version in Unity Catalog. */
export interface UcModelVersion {
  /** `catalog.schema.model`. */
  name: string;
  /** Version number as a string. */
  version: string;
  /** Source URI the version was registered from. */
  source?: string;
  /** Source run. */
  runId?: string;
  /** Logged model id. */
  modelId?: string;
  /** `PENDING_REGISTRATION`, `READY`, `FAILED_REGISTRATION`. */
  status: string;
  /** Where Unity Catalog stores the version's files. */
  storageLocation?: string;
  /** Description. */
  description?: string;
  /** Aliases pointing at this version. */
  aliases: string[];
  /** Tags. */
  tags: Record<string, string>;
  /** Creation time (ms). */
  creationTimestamp?: number;
}

/** Input of {@link UnityCatalogRegistry.createModelVersion}. */
export interface CreateUcModelVersionInput {
  /** `catalog.schema.model`. */
  name: string;
  /** Source URI, e.g. `models:/<model_id>` or `runs:/<run>/model` or the run's artifact URI. */
  source: string;
  /** The run that produced it. */
  runId?: string;
  /** MLflow 3 logged model id. */
  modelId?: string;
  /** The model signature (inputs and outputs). Required: Unity Catalog refuses models without one. */
  signature: ModelSignature;
  /** Description. */
  description?: string;
  /** Tags. */
  tags?: Record<string, string>;
  /** Extra files stored next to `MLmodel` in the version's storage, e.g. the agent config. */
  files?: Record<string, string | Uint8Array>;
}

const SIGNATURE_TYPES = new Set([
  "string",
  "integer",
  "long",
  "float",
  "double",
  "boolean",
  "binary",
  "datetime",
]);
const PART = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * Checks a three-level Unity Catalog name `catalog.schema.model`; throws a `TypeError` otherwise.
 *
 * @example
 * ```ts
 * import { assertUcModelName } from "./unity_catalog.ts";
 * assertUcModelName("main.ai_agents.loan_approval");
 * let threw = false;
 * try { assertUcModelName("loan_approval"); } catch { threw = true; }
 * if (!threw) throw new Error("expected a TypeError");
 * ```
 */
export function assertUcModelName(name: string): void {
  const parts = typeof name === "string" ? name.split(".") : [];
  if (parts.length !== 3 || parts.some((p) => !PART.test(p))) {
    throw new TypeError(
      `Expected a Unity Catalog model name with three levels 'catalog.schema.model' (letters, digits, '_' or '-') ` +
        `but found '${name}': specify all three levels, e.g. 'main.ai_agents.${
          parts.at(-1) && PART.test(parts.at(-1)!) ? parts.at(-1) : "loan_approval"
        }'`,
    );
  }
}

/**
 * Checks a model signature: inputs and outputs both non-empty, each column with a name and
 * an MLflow type, no duplicate names. Throws a `TypeError` naming the first problem.
 *
 * @example
 * ```ts
 * import { assertModelSignature } from "./unity_catalog.ts";
 * assertModelSignature({
 *   inputs: [{ name: "credit_score", type: "long" }],
 *   outputs: [{ name: "outcome", type: "string" }],
 * });
 * ```
 */
export function assertModelSignature(signature: ModelSignature | undefined): void {
  if (signature === undefined || signature === null || typeof signature !== "object") {
    throw new TypeError(
      "Unity Catalog requires a model signature with inputs and outputs: pass signature: { inputs: [...], outputs: [...] }",
    );
  }
  for (const side of ["inputs", "outputs"] as const) {
    const cols = signature[side];
    if (!Array.isArray(cols) || cols.length === 0) {
      throw new TypeError(
        `Unity Catalog requires a model signature with ${side}: signature.${side} is empty`,
      );
    }
    const seen = new Set<string>();
    cols.forEach((c, i) => {
      if (!c || typeof c.name !== "string" || c.name === "") {
        throw new TypeError(`Expected signature.${side}[${i}].name to be a non-empty string`);
      }
      if (!SIGNATURE_TYPES.has(c.type)) {
        throw new TypeError(
          `Expected signature.${side}[${i}].type to be one of ${
            [...SIGNATURE_TYPES].join(", ")
          } but found '${c.type}'`,
        );
      }
      if (seen.has(c.name)) {
        throw new TypeError(`Duplicate column '${c.name}' in signature.${side}`);
      }
      seen.add(c.name);
    });
  }
}

function colsJson(cols: SignatureColumn[]): string {
  return JSON.stringify(
    cols.map((c) => ({ type: c.type, name: c.name, required: c.required ?? true })),
  );
}

function yamlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Renders the `MLmodel` file (YAML) MLflow writes for a model with a signature; Unity Catalog
 * reads the signature from it.
 *
 * @example
 * ```ts
 * import { renderMlmodel } from "./unity_catalog.ts";
 * const text = renderMlmodel({
 *   inputs: [{ name: "age", type: "long" }], outputs: [{ name: "outcome", type: "string" }],
 * }, { modelId: "m-1" });
 * if (!text.includes("signature:")) throw new Error(text);
 * ```
 */
export function renderMlmodel(
  signature: ModelSignature,
  meta: { modelId?: string; runId?: string; createdAt?: Date } = {},
): string {
  const lines = [
    "artifact_path: model",
    "flavors:",
    "  evalkit_agent:",
    "    evalkit_version: 0.1.0",
    ...(meta.modelId ? [`model_id: ${yamlString(meta.modelId)}`] : []),
    ...(meta.runId ? [`run_id: ${yamlString(meta.runId)}`] : []),
    "signature:",
    `  inputs: ${yamlString(colsJson(signature.inputs))}`,
    `  outputs: ${yamlString(colsJson(signature.outputs))}`,
    "  params: null",
    `utc_time_created: '${
      (meta.createdAt ?? new Date()).toISOString().replace("T", " ").replace("Z", "")
    }'`,
  ];
  return lines.join("\n") + "\n";
}

// deno-lint-ignore no-explicit-any
type Wire = any;

function tagsOf(list: Wire): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of Array.isArray(list) ? list : []) out[t.key] = t.value;
  return out;
}

function toModel(m: Wire): UcRegisteredModel {
  return {
    name: m.name,
    description: m.description || undefined,
    aliases: (m.aliases ?? []).map((a: Wire) => ({ alias: a.alias, version: String(a.version) })),
    tags: tagsOf(m.tags),
    creationTimestamp: m.creation_timestamp === undefined
      ? undefined
      : Number(m.creation_timestamp),
    lastUpdatedTimestamp: m.last_updated_timestamp === undefined
      ? undefined
      : Number(m.last_updated_timestamp),
  };
}

function toVersion(v: Wire): UcModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    source: v.source || undefined,
    runId: v.run_id || undefined,
    modelId: v.model_id || undefined,
    status: v.status ?? "READY",
    storageLocation: v.storage_location || undefined,
    description: v.description || undefined,
    aliases: v.aliases ?? [],
    tags: tagsOf(v.tags),
    creationTimestamp: v.creation_timestamp === undefined
      ? undefined
      : Number(v.creation_timestamp),
  };
}

function assertAlias(alias: string): void {
  if (!/^[\w-]{1,255}$/.test(alias) || alias.toLowerCase() === "latest" || /^v\d+$/i.test(alias)) {
    throw new TypeError(
      `Expected an alias of letters, digits, '_' or '-' (not 'latest', not 'v<number>') but found '${alias}'`,
    );
  }
}

const NO_STAGES =
  "Unity Catalog has no model stages; use aliases instead, e.g. setAlias(name, 'champion', version) and getByAlias(name, 'champion')";

/**
 * Model registry calls for Unity Catalog (`/api/2.0/mlflow/unity-catalog/...`). Names are
 * validated as `catalog.schema.model`; registering a version requires a signature, which is
 * written as the version's `MLmodel` through the Files API
 * (`/Models/<catalog>/<schema>/<model>/<version>/MLmodel`) before the version is finalized.
 * Stage calls are refused: Unity Catalog uses aliases.
 *
 * @example
 * ```ts ignore
 * import { databricksTarget } from "@evalkit/evalkit/databricks";
 * const { registry } = databricksTarget("databricks");
 * await registry!.createModel("main.ai_agents.loan_approval");
 * const v = await registry!.createModelVersion({
 *   name: "main.ai_agents.loan_approval", source: "models:/m-123", runId: "abc",
 *   signature: { inputs: [{ name: "credit_score", type: "long" }], outputs: [{ name: "outcome", type: "string" }] },
 * });
 * await registry!.setAlias("main.ai_agents.loan_approval", "champion", v.version);
 * ```
 */
export class UnityCatalogRegistry {
  readonly #transport: MlflowTransport;

  /** Creates the registry over a workspace transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }

  /** Creates a registered model. */
  async createModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<UcRegisteredModel> {
    assertUcModelName(name);
    const res = await this.#transport.post<Wire>(`${UC}/registered-models/create`, {
      name,
      description: options.description,
      tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    return toModel(res.registered_model);
  }

  /** Gets a registered model, or creates it when absent. */
  async getOrCreateModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<UcRegisteredModel> {
    try {
      return await this.createModel(name, options);
    } catch (err) {
      if (err instanceof MlflowApiError && /ALREADY_EXISTS/.test(err.errorCode)) {
        return await this.getModel(name);
      }
      throw err;
    }
  }

  /** Gets a registered model. */
  async getModel(name: string): Promise<UcRegisteredModel> {
    assertUcModelName(name);
    const res = await this.#transport.get<Wire>(`${UC}/registered-models/get`, { query: { name } });
    return toModel(res.registered_model);
  }

  /** Updates a registered model's description. */
  async updateModel(name: string, description: string): Promise<UcRegisteredModel> {
    assertUcModelName(name);
    const res = await this.#transport.patch<Wire>(`${UC}/registered-models/update`, {
      name,
      description,
    });
    return toModel(res.registered_model);
  }

  /** Deletes a registered model. */
  async deleteModel(name: string): Promise<void> {
    assertUcModelName(name);
    await this.#transport.delete(`${UC}/registered-models/delete`, { name });
  }

  /** Sets a tag on a registered model. */
  async setModelTag(name: string, key: string, value: string): Promise<void> {
    assertUcModelName(name);
    await this.#transport.post(`${UC}/registered-models/set-tag`, { name, key, value });
  }

  /** Searches registered models (`filter` e.g. `name LIKE 'main.ai_agents.%'`). */
  async *searchModels(
    options: { filter?: string; pageSize?: number } = {},
  ): AsyncIterable<UcRegisteredModel> {
    let pageToken: string | undefined;
    do {
      const res = await this.#transport.get<Wire>(`${UC}/registered-models/search`, {
        query: {
          filter: options.filter,
          max_results: options.pageSize ?? 100,
          page_token: pageToken,
        },
      });
      for (const m of res.registered_models ?? []) yield toModel(m);
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
  }

  /**
   * Registers a version: validates the name and signature, calls `model-versions/create`,
   * writes `MLmodel` (with the signature) and any extra files to the version's storage, then
   * calls `model-versions/finalize`. Returns the finalized version (status `READY`).
   */
  async createModelVersion(input: CreateUcModelVersionInput): Promise<UcModelVersion> {
    assertUcModelName(input.name);
    assertModelSignature(input.signature);
    if (typeof input.source !== "string" || input.source === "") {
      throw new TypeError("Expected source to be the URI of the model (e.g. 'models:/<model_id>')");
    }
    const created = await this.#transport.post<Wire>(`${UC}/model-versions/create`, {
      name: input.name,
      source: input.source,
      run_id: input.runId,
      model_id: input.modelId,
      description: input.description,
      tags: Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    const version = toVersion(created.model_version);
    const [catalog, schema, model] = input.name.split(".") as [string, string, string];
    const dir = `/Models/${catalog}/${schema}/${model}/${version.version}`;
    const files: Record<string, string | Uint8Array> = {
      MLmodel: renderMlmodel(input.signature, { modelId: input.modelId, runId: input.runId }),
      ...input.files,
    };
    for (const [path, content] of Object.entries(files)) {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      const res = await this.#transport.raw(
        "PUT",
        `/api/2.0/fs/files${dir}/${path.split("/").map(encodeURIComponent).join("/")}`,
        {
          query: { overwrite: true },
          body: () => bytes as Uint8Array<ArrayBuffer>,
          headers: { "Content-Type": "application/octet-stream" },
        },
      );
      await res.body?.cancel();
    }
    const finalized = await this.#transport.post<Wire>(`${UC}/model-versions/finalize`, {
      name: input.name,
      version: version.version,
    });
    return toVersion(finalized.model_version ?? { ...created.model_version, status: "READY" });
  }

  /** Gets a model version. */
  async getModelVersion(name: string, version: string): Promise<UcModelVersion> {
    assertUcModelName(name);
    const res = await this.#transport.get<Wire>(`${UC}/model-versions/get`, {
      query: { name, version },
    });
    return toVersion(res.model_version);
  }

  /** Searches versions (`filter` e.g. `name='main.ai_agents.loan_approval'`). */
  async *searchModelVersions(
    options: { filter?: string; pageSize?: number } = {},
  ): AsyncIterable<UcModelVersion> {
    let pageToken: string | undefined;
    do {
      const res = await this.#transport.get<Wire>(`${UC}/model-versions/search`, {
        query: {
          filter: options.filter,
          max_results: options.pageSize ?? 100,
          page_token: pageToken,
        },
      });
      for (const v of res.model_versions ?? []) yield toVersion(v);
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
  }

  /** Updates a version's description. */
  async updateModelVersion(
    name: string,
    version: string,
    description: string,
  ): Promise<UcModelVersion> {
    assertUcModelName(name);
    const res = await this.#transport.patch<Wire>(`${UC}/model-versions/update`, {
      name,
      version,
      description,
    });
    return toVersion(res.model_version);
  }

  /** Deletes a version. */
  async deleteModelVersion(name: string, version: string): Promise<void> {
    assertUcModelName(name);
    await this.#transport.delete(`${UC}/model-versions/delete`, { name, version });
  }

  /** Sets a tag on a version. */
  async setModelVersionTag(
    name: string,
    version: string,
    key: string,
    value: string,
  ): Promise<void> {
    assertUcModelName(name);
    await this.#transport.post(`${UC}/model-versions/set-tag`, { name, version, key, value });
  }

  /** The URI to download a version's files from. */
  async getDownloadUri(name: string, version: string): Promise<string> {
    assertUcModelName(name);
    const res = await this.#transport.get<Wire>(`${UC}/model-versions/get-download-uri`, {
      query: { name, version },
    });
    return res.artifact_uri;
  }

  /** Points an alias (e.g. `champion`) at a version. */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    assertUcModelName(name);
    assertAlias(alias);
    await this.#transport.post(`${UC}/registered-models/alias`, {
      name,
      alias,
      version: String(version),
    });
  }

  /** Removes an alias. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    assertUcModelName(name);
    assertAlias(alias);
    await this.#transport.delete(`${UC}/registered-models/alias`, { name, alias });
  }

  /** The version an alias points at. */
  async getByAlias(name: string, alias: string): Promise<UcModelVersion> {
    assertUcModelName(name);
    assertAlias(alias);
    const res = await this.#transport.get<Wire>(`${UC}/registered-models/alias`, {
      query: { name, alias },
    });
    return toVersion(res.model_version);
  }

  /** Refused: Unity Catalog has no stages. Throws a `TypeError` pointing to aliases; sends nothing. */
  transitionStage(_name: string, _version: string, _stage: string): Promise<never> {
    return Promise.reject(new TypeError(`transitionStage is not supported: ${NO_STAGES}`));
  }

  /** Refused: Unity Catalog has no stages. Throws a `TypeError` pointing to aliases; sends nothing. */
  getLatestVersions(_name: string, _stages?: string[]): Promise<never> {
    return Promise.reject(new TypeError(`getLatestVersions is not supported: ${NO_STAGES}`));
  }
}
