/**
 * Everything the MLflow client needs to talk to a Databricks workspace, from one URI.
 *
 * @module
 */
import { MlflowApiError } from "../../_internal/errors.ts";
import { type MlflowAuth, MlflowTransport, type RetryOptions } from "../transport.ts";
import type { ArtifactRepositoryFactory } from "../artifacts.ts";
import {
  DatabricksArtifactRepository,
  DbfsArtifactRepository,
  type FilesApiMode,
} from "./artifact_repository.ts";
import {
  type DatabricksConfig,
  type EnvSource,
  parseDatabricksUri,
  resolveDatabricksConfig,
} from "./config.ts";
import { OAuthM2MTokenSource } from "./oauth.ts";
import { UnityCatalogRegistry } from "./unity_catalog.ts";
import { assertWorkspaceExperimentName } from "./workspace_paths.ts";

/** Options for {@link databricksTarget}. */
export interface DatabricksTargetOptions {
  /** Environment variables. Default: the process environment. */
  env?: EnvSource;
  /** Reads the config file (tests). Default `Deno.readTextFileSync`. */
  readFile?: (path: string) => string | undefined;
  /**
   * Registry URI. Default `MLFLOW_REGISTRY_URI`, else `databricks-uc` (MLflow ≥ 3.1 makes Unity
   * Catalog the default registry for Databricks tracking). `databricks` means the legacy
   * workspace registry: then `registry` is `undefined` and the OSS registry paths apply.
   */
  registryUri?: string;
  /** Files API use for artifacts. Default `auto`, or `never` when `MLFLOW_DISABLE_DATABRICKS_SDK_FOR_RUN_ARTIFACTS` is true. */
  filesApi?: FilesApiMode;
  /** Azure block size for signed-URL uploads. Default 4 MiB. */
  blockSize?: number;
  /** Transport timeout per attempt. */
  timeoutMs?: number;
  /** Transport retry policy. */
  retry?: RetryOptions;
  /** HTTP client (private CA). */
  client?: Deno.HttpClient;
  /** OAuth refresh margin (tests). */
  oauthRefreshMarginMs?: number;
}

/** What {@link databricksTarget} returns. */
export interface DatabricksTarget {
  /** The workspace URL: the MLflow REST base. */
  baseUrl: string;
  /** Transport auth: bearer for a token, dynamic (cached, refreshed) for OAuth M2M. */
  auth: MlflowAuth;
  /** The resolved configuration (prints without secrets). */
  config: DatabricksConfig;
  /** A transport on the workspace with that auth (share it, or build your own from baseUrl+auth). */
  transport: MlflowTransport;
  /** Artifact repository for `dbfs:` artifact URIs. */
  artifactRepository: DatabricksArtifactRepository;
  /**
   * For the MLflow client: `client.artifacts.register("dbfs", target.artifactRepositoryFactory)`.
   * Every `dbfs:` URI is served by {@link DatabricksTarget.artifactRepository}.
   */
  artifactRepositoryFactory: ArtifactRepositoryFactory;
  /** Unity Catalog registry, or `undefined` for the legacy workspace registry. */
  registry: UnityCatalogRegistry | undefined;
  /** The OAuth token source, when OAuth M2M is used. */
  tokenSource: OAuthM2MTokenSource | undefined;
  /** Throws a `TypeError` when an experiment name is not a workspace path (`/Shared/…`, `/Users/<user>/…`). */
  validateExperimentName(name: string): void;
  /**
   * Makes one cheap authenticated call (`experiments/search`, one result) and turns a 401/403
   * into an error naming the setting to fix.
   */
  verify(): Promise<void>;
}

function flag(env: EnvSource | undefined, name: string): string | undefined {
  if (env === undefined) {
    try {
      return Deno.env.get(name) || undefined;
    } catch {
      return undefined;
    }
  }
  return (typeof env === "function" ? env(name) : env[name]) || undefined;
}

/**
 * Resolves a `databricks` / `databricks://<profile>` tracking URI into the base URL, auth,
 * artifact repository and registry the MLflow client needs. No request is made.
 *
 * @example
 * ```ts
 * import { databricksTarget } from "@evalkit/evalkit/databricks";
 * const target = databricksTarget("databricks", {
 *   env: {
 *     DATABRICKS_HOST: "https://my-ws.cloud.databricks.com",
 *     DATABRICKS_CLIENT_ID: "sp-id",
 *     DATABRICKS_CLIENT_SECRET: "sp-secret",
 *   },
 * });
 * if (target.auth.type !== "dynamic") throw new Error("OAuth M2M gives a dynamic token");
 * if (target.baseUrl !== "https://my-ws.cloud.databricks.com") throw new Error(target.baseUrl);
 * ```
 */
export function databricksTarget(
  uri: string,
  options: DatabricksTargetOptions = {},
): DatabricksTarget {
  if (parseDatabricksUri(uri)?.scheme === "databricks-uc") {
    throw new TypeError(
      `'${uri}' is a registry URI: set MLFLOW_TRACKING_URI=databricks (or databricks://<profile>) ` +
        "and MLFLOW_REGISTRY_URI=databricks-uc",
    );
  }
  const config = resolveDatabricksConfig(uri, { env: options.env, readFile: options.readFile });
  let tokenSource: OAuthM2MTokenSource | undefined;
  let auth: MlflowAuth;
  if (config.credentials.type === "oauth-m2m") {
    tokenSource = new OAuthM2MTokenSource({
      host: config.host,
      clientId: config.credentials.clientId,
      clientSecret: config.credentials.clientSecret,
      setting: config.credentials.setting,
      refreshMarginMs: options.oauthRefreshMarginMs,
      client: options.client,
    });
    auth = tokenSource.auth;
  } else {
    auth = { type: "bearer", token: config.credentials.token.reveal() };
  }
  const transport = new MlflowTransport({
    trackingUri: config.host,
    auth,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    client: options.client,
  });
  const disableSdk = /^(1|true|yes|on)$/i.test(
    flag(options.env, "MLFLOW_DISABLE_DATABRICKS_SDK_FOR_RUN_ARTIFACTS") ?? "",
  );
  const artifactRepository = new DatabricksArtifactRepository(transport, {
    filesApi: options.filesApi ?? (disableSdk ? "never" : "auto"),
    blockSize: options.blockSize,
  });
  const registryUri = options.registryUri ?? flag(options.env, "MLFLOW_REGISTRY_URI") ??
    "databricks-uc";
  const reg = parseDatabricksUri(registryUri);
  let registry: UnityCatalogRegistry | undefined;
  if (reg?.scheme === "databricks-uc") {
    if (reg.profile !== undefined && reg.profile !== config.profile) {
      const regTarget = databricksTarget(`databricks://${reg.profile}`, {
        ...options,
        registryUri: "databricks",
      });
      registry = new UnityCatalogRegistry(regTarget.transport);
    } else {
      registry = new UnityCatalogRegistry(transport);
    }
  } else if (reg?.scheme !== "databricks") {
    throw new TypeError(
      `MLFLOW_REGISTRY_URI is '${registryUri}'; with a Databricks tracking URI use 'databricks-uc' (Unity Catalog) ` +
        "or 'databricks' (workspace registry)",
    );
  }
  return {
    baseUrl: config.host,
    auth,
    config,
    transport,
    artifactRepository,
    artifactRepositoryFactory: (artifactUri) =>
      new DbfsArtifactRepository(artifactUri, artifactRepository),
    registry,
    tokenSource,
    validateExperimentName: assertWorkspaceExperimentName,
    async verify() {
      try {
        await transport.get("/api/2.0/mlflow/experiments/search", { query: { max_results: 1 } });
      } catch (err) {
        if (err instanceof MlflowApiError && (err.status === 401 || err.status === 403)) {
          throw new Error(
            `Databricks at ${config.host} refused the credentials from ${config.credentials.setting} ` +
              `(HTTP ${err.status} ${err.errorCode}); check ${config.credentials.setting} and ${config.hostSetting}`,
            { cause: err },
          );
        }
        throw err;
      }
    },
  };
}
