/**
 * Datasets: versioned, validated, digested datasets with lineage, reproducible splits and
 * MLflow dataset inputs. The danfojs adapter lives behind its own export
 * (`@evalkit/evalkit/danfo`) so importing this module never loads danfojs.
 *
 * @example
 * ```ts
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: "datasets" }); // the repository's shipped datasets
 * const ds = await dm.load("loan_approval_test_set");
 * if (ds.rows.length !== ds.meta.numRows || ds.digest.length !== 64) throw new Error("dataset");
 * ```
 *
 * @module
 */
export type {
  ColumnSpec,
  ColumnType,
  Dataset,
  DatasetMetadata,
  DatasetOperation,
  DatasetParent,
  DatasetSchema,
  DatasetSource,
  Row,
} from "./types.ts";
export {
  createDataset,
  type CreateDatasetOptions,
  type DatasetInputLogger,
  type DatasetListing,
  DatasetManager,
  type ImportOptions,
  type LogToMlflowOptions,
  type ManagerSplitOptions,
  type SavedDataset,
} from "./manager.ts";
export {
  type DatasetFormat,
  formatFromPath,
  parseDatasetBytes,
  readCsvStream,
  readDatasetFile,
  type ReadDatasetOptions,
  type ReadDatasetResult,
} from "./formats.ts";
export {
  buildSchema,
  inferSchema,
  type InferSchemaOptions,
  KindCounter,
  type RowParseIssue,
  type RowParseResult,
  type RowValidator,
  rowZodSchema,
  schemaFromZod,
  type SchemaFromZodOptions,
  type ValueKind,
  type ZodObjectLike,
} from "./schema.ts";
export {
  assertValidRows,
  type ValidateOptions,
  validateRows,
  type ValidationResult,
} from "./validate.ts";
export { type DatasetDigest, datasetDigest } from "./digest.ts";
export {
  type DatasetCommandOutput,
  type DatasetValidation,
  generateDatasets,
  importDataset,
  listDatasets,
  readSchemaSpec,
  showDataset,
  splitDataset,
  type SplitPart,
  validateDataset,
  type ValidateDatasetOptions,
} from "./commands.ts";
export { type SplitOptions, type SplitResult, splitRows } from "./split.ts";
export {
  hashPersonalValue,
  protectedSchema,
  type ProtectOptions,
  protectPersonalData,
  protectRows,
} from "./personal_data.ts";
export {
  type ColumnProfile,
  type DatasetProfile,
  type MlflowDatasetEntity,
  type MlflowDatasetInput,
  type MlflowDatasetInputOptions,
  type MlflowInputDataset,
  profileColumns,
  toMlflowDatasetInput,
} from "./mlflow_input.ts";
export {
  checkDatasetName,
  checkDatasetVersion,
  compareVersions,
  DATASET_NAME_PATTERN,
  DATASET_VERSION_PATTERN,
} from "./names.ts";
export {
  failedLoanRules,
  generateLoanRows,
  generateShippedDatasets,
  LOAN_PURPOSES,
  LOAN_RULES,
  type LoanApplicationFigures,
  loanApprovalSchema,
  type LoanGeneratorOptions,
  type LoanRule,
  type LoanRuleDecision,
  loanRuleDecision,
  type LoanRules,
  SHIPPED_DATASETS,
  type ShippedDatasetSpec,
} from "./loan.ts";
export { createRng, type Rng } from "../_internal/rng.ts";
export {
  canonicalJson,
  createIncrementalHash,
  type IncrementalHash,
  sha256Hex,
} from "../_internal/digest.ts";
export {
  type CsvParseOptions,
  type CsvRecord,
  CsvSyntaxError,
  parseCsvRecords,
  stringifyCsv,
  type StringifyCsvOptions,
} from "../_internal/csv.ts";
export { DatasetError, formatIssue, type Issue } from "../_internal/errors.ts";
export { ISSUE_CODES, type IssueCode } from "../_internal/issue_codes.ts";
