/**
 * MLflow experiments: create, get, get by name, get-or-create, search, update, delete,
 * restore and tags.
 *
 * @module
 */
import { MlflowApiError } from "../_internal/errors.ts";
import type { MlflowTransport } from "./transport.ts";
import {
  createExperimentResponse,
  getExperimentResponse,
  searchExperimentsResponse,
} from "./schemas.ts";
import type { Experiment, SearchPageOptions, ViewType } from "./types.ts";
import { MlflowValidationError, validateExperimentTag } from "./validation.ts";

const API = "/api/2.0/mlflow/experiments";

/** Options of {@link ExperimentsApi.search}. */
export interface SearchExperimentsOptions extends SearchPageOptions {
  /** Filter, e.g. `name LIKE 'eval-%' AND tags.team = 'risk'`. */
  filter?: string;
  /** Order, e.g. `["creation_time DESC"]`. */
  orderBy?: string[];
  /** Lifecycle stages to include. Default `ACTIVE_ONLY`. */
  viewType?: ViewType;
}

/** Options of {@link ExperimentsApi.create}. */
export interface CreateExperimentOptions {
  /** Where the runs' artifacts go. Default: the server's artifact root. */
  artifactLocation?: string;
  /** Experiment tags (key ≤ 250, value ≤ 5000 characters). */
  tags?: Record<string, string>;
}

function assertName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(
      `Expected the experiment name to be a non-empty string but found '${name}'`,
    );
  }
  if (name.length > 256) {
    throw new RangeError(
      `Expected the experiment name to have at most 256 characters but found ${name.length}`,
    );
  }
}

function assertTags(tags: Record<string, string> | undefined): void {
  const issues = Object.entries(tags ?? {}).flatMap(([k, v]) =>
    validateExperimentTag(k, v).map((i) => ({ ...i, path: ["tags", k, ...i.path.slice(1)] }))
  );
  if (issues.length > 0) throw new MlflowValidationError("Invalid experiment tags", issues);
}

/**
 * The experiments endpoints, as `client.experiments`.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const exp = await client.experiments.getOrCreate("loan-agent-evals", { tags: { team: "risk" } });
 * for await (const e of client.experiments.search({ filter: "name LIKE 'loan-%'" })) console.log(e.name);
 * ```
 */
export class ExperimentsApi {
  readonly #t: MlflowTransport;
  readonly #checkName: (name: string) => void;

  /**
   * Creates the API over a transport. `checkName` adds a target's own rule for new experiment
   * names (Databricks: a workspace path such as `/Shared/ai-agents/<agent>`).
   */
  constructor(transport: MlflowTransport, checkName: (name: string) => void = () => {}) {
    this.#t = transport;
    this.#checkName = checkName;
  }

  /** Creates an experiment and returns its id. A taken name fails with `RESOURCE_ALREADY_EXISTS`. */
  async create(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    assertName(name);
    this.#checkName(name);
    assertTags(options.tags);
    const res = await this.#t.post(`${API}/create`, {
      name,
      ...(options.artifactLocation !== undefined
        ? { artifact_location: options.artifactLocation }
        : {}),
      tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
    }, { schema: createExperimentResponse });
    return res.experiment_id;
  }

  /** Gets an experiment by id (`RESOURCE_DOES_NOT_EXIST` when absent). */
  async get(experimentId: string): Promise<Experiment> {
    const res = await this.#t.get(`${API}/get`, {
      query: { experiment_id: experimentId },
      schema: getExperimentResponse,
    });
    return res.experiment;
  }

  /**
   * Gets an experiment by name, or `undefined` when there is none. A deleted experiment is
   * returned too (check `lifecycleStage`).
   */
  async getByName(name: string): Promise<Experiment | undefined> {
    try {
      const res = await this.#t.get(`${API}/get-by-name`, {
        query: { experiment_name: name },
        schema: getExperimentResponse,
      });
      return res.experiment;
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_DOES_NOT_EXIST") {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Returns the active experiment with this name, creating it when absent (safe when several
   * processes race). Refuses a deleted experiment with a message saying how to restore it.
   */
  async getOrCreate(name: string, options: CreateExperimentOptions = {}): Promise<Experiment> {
    let found = await this.getByName(name);
    if (found === undefined) {
      try {
        const id = await this.create(name, options);
        return await this.get(id);
      } catch (err) {
        if (!(err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS")) {
          throw err;
        }
        found = await this.getByName(name);
        if (found === undefined) throw err;
      }
    }
    if (found.lifecycleStage !== "active") {
      throw new Error(
        `Experiment '${name}' (id ${found.experimentId}) exists but is deleted; restore it with ` +
          `client.experiments.restore("${found.experimentId}") or choose another name`,
      );
    }
    return found;
  }

  /** Searches experiments, page by page, as an async iterator. */
  async *search(options: SearchExperimentsOptions = {}): AsyncGenerator<Experiment> {
    let pageToken: string | undefined;
    do {
      const res = await this.#t.post(`${API}/search`, {
        max_results: options.pageSize ?? 1000,
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        ...(options.orderBy !== undefined ? { order_by: options.orderBy } : {}),
        view_type: options.viewType ?? "ACTIVE_ONLY",
        ...(pageToken ? { page_token: pageToken } : {}),
      }, { schema: searchExperimentsResponse, signal: options.signal });
      yield* res.experiments;
      pageToken = res.next_page_token;
    } while (pageToken);
  }

  /** Renames an experiment. */
  async update(experimentId: string, newName: string): Promise<void> {
    assertName(newName);
    await this.#t.post(`${API}/update`, { experiment_id: experimentId, new_name: newName });
  }

  /** Soft-deletes an experiment (its name stays taken). */
  async delete(experimentId: string): Promise<void> {
    await this.#t.post(`${API}/delete`, { experiment_id: experimentId });
  }

  /** Restores a deleted experiment. */
  async restore(experimentId: string): Promise<void> {
    await this.#t.post(`${API}/restore`, { experiment_id: experimentId });
  }

  /** Sets an experiment tag (key ≤ 250, value ≤ 5000 characters, refused otherwise). */
  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    assertTags({ [key]: value });
    await this.#t.post(`${API}/set-experiment-tag`, { experiment_id: experimentId, key, value });
  }

  /** Deletes an experiment tag. */
  async deleteTag(experimentId: string, key: string): Promise<void> {
    await this.#t.post(`${API}/delete-experiment-tag`, { experiment_id: experimentId, key });
  }
}
