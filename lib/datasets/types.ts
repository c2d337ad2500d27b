/**
 * The shapes of datasets, their schemas and their metadata.
 *
 * @module
 */

/** The value types a column can hold. */
export type ColumnType = "number" | "integer" | "string" | "boolean";

/** One column of a {@link DatasetSchema}. */
export interface ColumnSpec {
  /** Field name in each row (snake_case by convention). */
  name: string;
  /** Value type. `integer` is a number that must be a safe integer. */
  type: ColumnType;
  /** Whether every row must have a non-null value. Default true. */
  required?: boolean;
  /** Personal data: `hash` replaces the value by a digest, `drop` removes it, whenever rows leave the machine. */
  personalData?: "hash" | "drop";
  /** The column's role. The schema's `id` and `target` take precedence. */
  role?: "id" | "target" | "feature";
  /** The allowed values of a categorical string column (e.g. the target's classes). */
  values?: string[];
  /** Smallest allowed value of a number or integer column (inclusive). */
  minimum?: number;
  /** Largest allowed value of a number or integer column (inclusive). */
  maximum?: number;
  /** A human description. */
  description?: string;
}

/** A dataset's declared (or inferred) schema. */
export interface DatasetSchema {
  /** The columns, in display order. */
  columns: ColumnSpec[];
  /** The target (label) column, e.g. `expected_outcome`. */
  target?: string;
  /** The id column whose values must be unique, e.g. `request_id`. */
  id?: string;
}

/** A row: field name to value (number, string, boolean or null). */
export type Row = Record<string, unknown>;

/** Where a dataset version came from. */
export interface DatasetSource {
  /** What produced it: a file import, the generator, a split, or rows saved from code. */
  type: "file" | "generated" | "derived" | "memory";
  /** A URI or path for file sources (relative paths are kept as given). */
  uri?: string;
}

/** A parent of a derived dataset version. */
export interface DatasetParent {
  /** Parent dataset name. */
  name: string;
  /** Parent version. */
  version: string;
  /** Parent content digest (SHA-256 hex). */
  digest: string;
}

/** The operation that derived a dataset from its parents, e.g. a split. */
export interface DatasetOperation {
  /** Operation kind, e.g. `split`, `import`, `generate`. */
  type: string;
  /** Its parameters (split: seed, trainRatio, stratifyBy, part). */
  [key: string]: unknown;
}

/** The metadata stored beside every dataset version (`meta.json`). */
export interface DatasetMetadata {
  /** Format marker, `evalkit.dataset/v1`. */
  format: "evalkit.dataset/v1";
  /** Dataset name. */
  name: string;
  /** Version: semver (`1.2.0`) or date-like (`2025.10`). */
  version: string;
  /** Human description. */
  description: string;
  /** Free-form tags. */
  tags: Record<string, string>;
  /** ISO 8601 creation time. */
  createdAt: string;
  /** Number of rows. */
  numRows: number;
  /** The schema (columns with types, target, id). */
  schema: DatasetSchema;
  /** Content digests: SHA-256 of the canonical form, and MLflow's 8-hex short digest. */
  digest: { sha256: string; mlflow: string };
  /** Data file name inside the version folder. */
  dataFile: string;
  /** Size of the data file in bytes. */
  dataBytes: number;
  /** Where the data came from. */
  source: DatasetSource;
  /** Parents of a derived dataset (empty otherwise). */
  parents: DatasetParent[];
  /** The operation that produced it, when derived, imported or generated. */
  operation?: DatasetOperation;
}

/** A loaded (or freshly built) dataset version. */
export interface Dataset {
  /** Dataset name. */
  readonly name: string;
  /** Version. */
  readonly version: string;
  /** The rows. */
  readonly rows: readonly Row[];
  /** The schema. */
  readonly schema: DatasetSchema;
  /** SHA-256 hex of the canonical form of the rows. */
  readonly digest: string;
  /** MLflow-style 8-hex short digest (fits MLflow's 36-character limit). */
  readonly mlflowDigest: string;
  /** The stored metadata. */
  readonly meta: DatasetMetadata;
  /**
   * Where the data file is stored, as an absolute `file://` URI (set by `DatasetManager.load`
   * and `save`; absent for a dataset that lives only in memory). Recorded as the dataset
   * input's source in MLflow.
   */
  readonly location?: string;
}
