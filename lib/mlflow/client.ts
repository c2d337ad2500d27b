/**
 * `MlflowClient`: the typed MLflow REST client, configured in code or from MLflow's
 * standard environment variables.
 *
 * @module
 */
import { redact } from "../_internal/errors.ts";
import { readEnv } from "../_internal/env.ts";
import { ArtifactsApi } from "./artifacts.ts";
import { ExperimentsApi } from "./experiments.ts";
import { LoggedModelsApi } from "./logged_models.ts";
import { ModelVersionsApi, RegisteredModelsApi } from "./registry.ts";
import { RunsApi } from "./runs.ts";
import { TracesApi } from "./traces.ts";
import { MlflowTransport, type TransportOptions } from "./transport.ts";
import type { ArtifactRepositoryFactory } from "./artifacts.ts";
import { databricksTarget } from "./databricks/target.ts";
import type { UnityCatalogRegistry } from "./databricks/unity_catalog.ts";

/**
 * Options of {@link MlflowClient}: the transport's options (tracking URI, auth, timeout,
 * retries, headers, HTTP client), or a ready transport.
 */
export type MlflowClientOptions = TransportOptions | { transport: MlflowTransport };

/** Reads one environment variable; `undefined` when unset or empty. */
export type EnvReader = (name: string) => string | undefined;

/** Where and how to reach the tracking server, resolved from a URI and the environment. */
export interface TrackingTarget {
  /** Options for the transport. */
  transport: TransportOptions;
  /** Releases what the resolution opened (e.g. an HTTP client with a private CA). */
  close?: () => void;
  /** Artifact repositories by URI scheme beyond the built-in ones (Databricks: `dbfs`). */
  artifactRepositories?: Record<string, ArtifactRepositoryFactory>;
  /** The Unity Catalog registry, when the target is Databricks with a `databricks-uc` registry. */
  unityCatalog?: UnityCatalogRegistry;
  /** Checks an experiment name for the target (Databricks: a workspace path). */
  validateExperimentName?: (name: string) => void;
  /** The target is a Databricks workspace (its UI links differ from open-source MLflow's). */
  databricks?: boolean;
}

function envNumber(read: EnvReader, name: string, integer: boolean): number | undefined {
  const raw = read(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new RangeError(
      `Expected ${name} to be a ${integer ? "whole " : ""}number >= 0 but found '${raw}'`,
    );
  }
  return n;
}

function envFlag(read: EnvReader, name: string): boolean {
  const v = read(name)?.toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}

/**
 * Resolves a tracking URI and MLflow's environment variables into transport options.
 * This is the one place where URI schemes are dispatched: `http(s)://host[:port][/prefix]`
 * is handled here, and `databricks` / `databricks://<profile>` by `lib/mlflow/databricks`
 * (workspace host and credentials from `DATABRICKS_*` variables or `~/.databrickscfg`, OAuth
 * machine-to-machine, `dbfs:` artifacts, the Unity Catalog registry).
 *
 * Variables read: `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (Basic; wins over
 * the token, as in MLflow's Python client), `MLFLOW_TRACKING_TOKEN` (Bearer),
 * `MLFLOW_TRACKING_SERVER_CERT_PATH` (a PEM CA bundle), `MLFLOW_TRACKING_INSECURE_TLS`
 * (needs `--unsafely-ignore-certificate-errors`, see docs/mlflow-client.md),
 * `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds per attempt), `MLFLOW_HTTP_REQUEST_MAX_RETRIES`.
 *
 * @example
 * ```ts
 * import { resolveTrackingTarget } from "@evalkit/evalkit/mlflow";
 * const env: Record<string, string> = { MLFLOW_TRACKING_TOKEN: "t0k3n", MLFLOW_HTTP_REQUEST_TIMEOUT: "5" };
 * const target = resolveTrackingTarget("https://mlflow.example.com/prefix", (n) => env[n]);
 * if (target.transport.auth?.type !== "bearer" || target.transport.timeoutMs !== 5000) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function resolveTrackingTarget(uri: string, read: EnvReader = readEnv): TrackingTarget {
  const trimmed = uri.trim();
  if (/^databricks(-uc)?(:|$)/i.test(trimmed)) {
    // Workspace host and credentials from DATABRICKS_* or ~/.databrickscfg (lib/mlflow/databricks).
    const timeout = envNumber(read, "MLFLOW_HTTP_REQUEST_TIMEOUT", false);
    if (timeout === 0) throw new RangeError("Expected MLFLOW_HTTP_REQUEST_TIMEOUT to be > 0");
    const maxRetries = envNumber(read, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", true);
    const db = databricksTarget(trimmed, {
      env: read,
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
      ...(maxRetries === undefined ? {} : { retry: { maxRetries } }),
    });
    return {
      transport: {
        trackingUri: db.baseUrl,
        auth: db.auth,
        ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
        ...(maxRetries === undefined ? {} : { retry: { maxRetries } }),
      },
      artifactRepositories: { dbfs: db.artifactRepositoryFactory },
      ...(db.registry ? { unityCatalog: db.registry } : {}),
      validateExperimentName: db.validateExperimentName,
      databricks: true,
    };
  }
  if (!/^https?:\/\//i.test(trimmed)) {
    throw new TypeError(
      `Expected MLFLOW_TRACKING_URI to be an http(s):// URL of an MLflow server but found ` +
        `'${redact(trimmed)}'. evalkit talks to MLflow over REST only (file:, sqlite: and other ` +
        "store URIs are not supported); start a server with 'deno task mlflow', or leave the " +
        "variable unset to use evalkit's local store.",
    );
  }
  const transport: TransportOptions = { trackingUri: trimmed };
  const username = read("MLFLOW_TRACKING_USERNAME");
  const password = read("MLFLOW_TRACKING_PASSWORD");
  const token = read("MLFLOW_TRACKING_TOKEN");
  if ((username === undefined) !== (password === undefined)) {
    throw new TypeError(
      "Set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD for basic auth " +
        `(only ${username === undefined ? "the password" : "the username"} is set)`,
    );
  }
  if (username !== undefined && password !== undefined) {
    transport.auth = { type: "basic", username, password };
  } else if (token !== undefined) {
    transport.auth = { type: "bearer", token };
  }
  const timeout = envNumber(read, "MLFLOW_HTTP_REQUEST_TIMEOUT", false);
  if (timeout !== undefined) {
    if (timeout === 0) throw new RangeError("Expected MLFLOW_HTTP_REQUEST_TIMEOUT to be > 0");
    transport.timeoutMs = timeout * 1000;
  }
  const maxRetries = envNumber(read, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", true);
  if (maxRetries !== undefined) transport.retry = { maxRetries };
  const insecure = envFlag(read, "MLFLOW_TRACKING_INSECURE_TLS");
  const certPath = read("MLFLOW_TRACKING_SERVER_CERT_PATH");
  if (insecure && certPath !== undefined) {
    throw new TypeError(
      "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set " +
        "(as in MLflow's Python client): either trust a CA bundle or skip verification",
    );
  }
  let close: (() => void) | undefined;
  if (certPath !== undefined) {
    let pem: string;
    try {
      pem = Deno.readTextFileSync(certPath);
    } catch (err) {
      throw new Error(`Cannot read MLFLOW_TRACKING_SERVER_CERT_PATH '${certPath}'`, {
        cause: err,
      });
    }
    const client = Deno.createHttpClient({ caCerts: [pem] });
    transport.client = client;
    close = () => client.close();
  }
  if (insecure) transport.insecureTls = true;
  return close ? { transport, close } : { transport };
}

/**
 * The typed MLflow REST client.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * using client = MlflowClient.fromEnv(); // MLFLOW_TRACKING_URI=http://127.0.0.1:5000
 * const exp = await client.experiments.getOrCreate("loan-agent-evals");
 * const run = await client.runs.create({ experimentId: exp.experimentId, runName: "eval" });
 * await client.runs.logBatch(run.info.runId, { metrics: [{ key: "accuracy", value: 0.93 }] });
 * ```
 */
export class MlflowClient implements Disposable {
  /** The HTTP layer (base URL, auth, retries). */
  readonly transport: MlflowTransport;
  /** Experiments. */
  readonly experiments: ExperimentsApi;
  /** Runs, metrics, params, tags, inputs and outputs. */
  readonly runs: RunsApi;
  /** Artifacts of runs and logged models. */
  readonly artifacts: ArtifactsApi;
  /** Registered models. */
  readonly models: RegisteredModelsApi;
  /** Model versions. */
  readonly modelVersions: ModelVersionsApi;
  /** MLflow 3 logged models. */
  readonly loggedModels: LoggedModelsApi;
  /** MLflow 3 traces: OTLP span export, trace info, search, tags, analytics. */
  readonly traces: TracesApi;
  /** The Unity Catalog registry when the client targets Databricks with `databricks-uc`. */
  unityCatalog?: UnityCatalogRegistry;
  readonly #onClose: (() => void) | undefined;
  #databricks = false;
  #closed = false;

  /**
   * Creates a client from transport options or a ready transport. `extras.onClose` runs on
   * {@link MlflowClient.close}; `extras.checkExperimentName` adds a target's rule for new
   * experiment names.
   */
  constructor(
    options: MlflowClientOptions,
    extras: { onClose?: () => void; checkExperimentName?: (name: string) => void } = {},
  ) {
    this.transport = "transport" in options ? options.transport : new MlflowTransport(options);
    this.experiments = new ExperimentsApi(this.transport, extras.checkExperimentName);
    this.runs = new RunsApi(this.transport);
    this.artifacts = new ArtifactsApi(this.transport);
    this.models = new RegisteredModelsApi(this.transport);
    this.modelVersions = new ModelVersionsApi(this.transport);
    this.loggedModels = new LoggedModelsApi(this.transport);
    this.traces = new TracesApi(this.transport);
    this.#onClose = extras.onClose;
  }

  /**
   * A client for a resolved {@link TrackingTarget}: its transport (with `overrides`, e.g. a
   * shorter retry policy), artifact repositories (Databricks `dbfs:`), Unity Catalog registry
   * and experiment-name rule.
   *
   * @example
   * ```ts
   * import { MlflowClient, resolveTrackingTarget } from "@evalkit/evalkit/mlflow";
   * const target = resolveTrackingTarget("http://127.0.0.1:5000", () => undefined);
   * using client = MlflowClient.fromTarget(target, { retry: { maxRetries: 2 } });
   * if (!client.transport.baseUrl.endsWith(":5000")) throw new Error("unexpected");
   * ```
   */
  static fromTarget(
    target: TrackingTarget,
    overrides: Partial<TransportOptions> = {},
  ): MlflowClient {
    const client = new MlflowClient({ ...target.transport, ...overrides }, {
      ...(target.close ? { onClose: target.close } : {}),
      ...(target.validateExperimentName
        ? { checkExperimentName: target.validateExperimentName }
        : {}),
    });
    for (const [scheme, factory] of Object.entries(target.artifactRepositories ?? {})) {
      client.artifacts.register(scheme, factory);
    }
    if (target.unityCatalog) client.unityCatalog = target.unityCatalog;
    client.#databricks = target.databricks === true;
    return client;
  }

  /**
   * A client for a tracking URI (`http(s)://…`, `databricks`, `databricks://<profile>`),
   * with credentials, TLS, timeout and retry settings read from MLflow's environment
   * variables as {@link resolveTrackingTarget} does: the one way to open a client for a URI
   * given in code or on a command line. `read` replaces the process environment.
   *
   * @example
   * ```ts
   * import { MlflowClient } from "@evalkit/evalkit/mlflow";
   * const env: Record<string, string> = { MLFLOW_TRACKING_TOKEN: "t0k3n" };
   * using client = MlflowClient.fromUri("http://127.0.0.1:5000", { read: (n) => env[n] });
   * if (client.runUrl("1", "abc") !== "http://127.0.0.1:5000/#/experiments/1/runs/abc") {
   *   throw new Error("unexpected");
   * }
   * ```
   */
  static fromUri(
    uri: string,
    options: { read?: EnvReader; overrides?: Partial<TransportOptions> } = {},
  ): MlflowClient {
    const target = resolveTrackingTarget(uri, options.read ?? readEnv);
    return MlflowClient.fromTarget(target, {
      ...options.overrides,
      ...(options.overrides?.retry || target.transport.retry
        ? { retry: { ...options.overrides?.retry, ...target.transport.retry } }
        : {}),
    });
  }

  /**
   * The run's page in the MLflow UI: `<server>/#/experiments/<id>/runs/<run>` on an
   * open-source server, `<workspace>/ml/experiments/<id>/runs/<run>` on Databricks. Never
   * carries credentials.
   *
   * @example
   * ```ts
   * import { MlflowClient } from "@evalkit/evalkit/mlflow";
   * using client = new MlflowClient({ trackingUri: "http://user:pw@127.0.0.1:5000/mlflow/" });
   * if (client.runUrl("0", "r1") !== "http://127.0.0.1:5000/mlflow/#/experiments/0/runs/r1") {
   *   throw new Error("unexpected");
   * }
   * ```
   */
  runUrl(experimentId: string, runId: string): string {
    const base = this.transport.baseUrl;
    const e = encodeURIComponent(experimentId), r = encodeURIComponent(runId);
    return this.#databricks
      ? `${base}/ml/experiments/${e}/runs/${r}`
      : `${base}/#/experiments/${e}/runs/${r}`;
  }

  /**
   * A client configured from `MLFLOW_TRACKING_URI` and MLflow's other variables (see
   * {@link resolveTrackingTarget}). Pass `env` to read from a record instead of the process
   * environment. Close it (or `using`) when it opened an HTTP client for a CA bundle.
   */
  static fromEnv(options: { env?: Record<string, string | undefined> } = {}): MlflowClient {
    const env = options.env;
    const read: EnvReader = env
      ? (name) => (env[name] === undefined || env[name] === "" ? undefined : env[name])
      : readEnv;
    const uri = read("MLFLOW_TRACKING_URI");
    if (uri === undefined) {
      throw new Error(
        "MLFLOW_TRACKING_URI is not set: set it to an MLflow server (e.g. http://127.0.0.1:5000)",
      );
    }
    return MlflowClient.fromTarget(resolveTrackingTarget(uri, read));
  }

  /** Releases resources opened by {@link MlflowClient.fromEnv} (an HTTP client for a CA bundle). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose?.();
  }

  /** Same as {@link MlflowClient.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
