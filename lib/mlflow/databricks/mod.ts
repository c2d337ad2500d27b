/**
 * Databricks-hosted MLflow: workspace auth (tokens, `~/.databrickscfg` profiles, OAuth
 * machine-to-machine), run artifacts through the Files API or signed URLs, the Unity
 * Catalog model registry, and experiment names as workspace paths.
 *
 * @example
 * ```ts ignore
 * import { databricksTarget } from "@evalkit/evalkit/databricks";
 * const target = databricksTarget("databricks://ci"); // profile [ci] of ~/.databrickscfg
 * await target.verify();
 * ```
 *
 * @module
 */
export { Secret } from "./secret.ts";
export { parseDatabricksCfg, parseDatabricksUri, resolveDatabricksConfig } from "./config.ts";
export type {
  DatabricksConfig,
  DatabricksCredentials,
  DatabricksUri,
  EnvSource,
  ResolveDatabricksConfigOptions,
} from "./config.ts";
export { OAuthM2MTokenSource } from "./oauth.ts";
export type { OAuthM2MOptions } from "./oauth.ts";
export {
  agentExperimentPath,
  assertWorkspaceExperimentName,
  validateWorkspaceExperimentName,
} from "./workspace_paths.ts";
export type { WorkspacePathValidation } from "./workspace_paths.ts";
export { downloadFromSignedUrl, SignedUrlError, uploadToSignedUrl } from "./signed_url.ts";
export type { ArtifactCredential, SignedUrlOptions } from "./signed_url.ts";
export { DatabricksArtifactRepository, DbfsArtifactRepository } from "./artifact_repository.ts";
export type {
  DatabricksArtifactContent,
  DatabricksArtifactEntry,
  DatabricksArtifactLocation,
  DatabricksArtifactRepositoryOptions,
  FilesApiMode,
} from "./artifact_repository.ts";
export { UnityCatalogRegistry } from "./unity_catalog.ts";
export type {
  CreateUcModelVersionInput,
  ModelSignature,
  SignatureColumn,
  SignatureType,
  UcModelVersion,
  UcRegisteredModel,
} from "./unity_catalog.ts";
export { databricksTarget } from "./target.ts";
export type { DatabricksTarget, DatabricksTargetOptions } from "./target.ts";
// Types used in the signatures above, re-exported so the docs can link them.
export type {
  MlflowAuth,
  MlflowTransport,
  QueryValue,
  RawRequestInit,
  RequestInit,
  RetryOptions,
  TransportOptions,
} from "../transport.ts";
export type { Issue } from "../../_internal/errors.ts";
export type {
  ArtifactFileInfo,
  ArtifactRepository,
  ArtifactRepositoryFactory,
  ArtifactRequestOptions,
  ArtifactUploadBody,
} from "../artifacts.ts";
