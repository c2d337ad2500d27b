/**
 * The dataset commands as library calls: what `deno task datasets list|show|validate|import|
 * split|generate` computes, returned as data (the command's `--json` document) with its
 * terminal text, so a notebook, the Databricks job and the script get the same answers. Nothing
 * here prints or exits.
 *
 * @module
 */
import { z } from "zod";
import { DatasetError, formatIssue, type Issue } from "../_internal/errors.ts";
import type { DatasetManager, ImportOptions, ManagerSplitOptions } from "./manager.ts";
import { type DatasetFormat, readDatasetFile } from "./formats.ts";
import { generateShippedDatasets, loanApprovalSchema } from "./loan.ts";
import { protectRows } from "./personal_data.ts";
import type { DatasetMetadata, DatasetSchema, Row } from "./types.ts";
import { validateRows } from "./validate.ts";

/** What a dataset command returns: its JSON document and the same answer as terminal text. */
export interface DatasetCommandOutput<T> {
  /** The `--json` document. */
  doc: T;
  /** The human-readable text. */
  text: string;
}

const columnSpec = z.object({
  name: z.string().min(1),
  type: z.enum(["number", "integer", "string", "boolean"]),
  required: z.boolean().optional(),
  personalData: z.enum(["hash", "drop"]).optional(),
  role: z.enum(["id", "target", "feature"]).optional(),
  values: z.array(z.string()).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  description: z.string().optional(),
});
const schemaFile = z.object({
  columns: z.array(columnSpec).min(1),
  target: z.string().optional(),
  id: z.string().optional(),
});

/**
 * A declared schema from `loan` (the built-in loan schema) or a DatasetSchema JSON file.
 * Throws {@link DatasetError} naming the file when it cannot be read, is not JSON or is not a
 * schema (one `invalid_schema` issue per problem).
 *
 * @example
 * ```ts
 * import { readSchemaSpec } from "@evalkit/evalkit/datasets";
 * const schema = await readSchemaSpec("loan");
 * if (schema?.target !== "expected_outcome") throw new Error("loan schema");
 * ```
 */
export async function readSchemaSpec(spec: string | undefined): Promise<DatasetSchema | undefined> {
  if (spec === undefined) return undefined;
  if (spec === "loan") return loanApprovalSchema;
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DatasetError(`Cannot read schema file ${spec}: ${why}`, [], { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`Schema file ${spec} is not valid JSON: ${(err as Error).message}`, []);
  }
  const r = schemaFile.safeParse(json);
  if (!r.success) {
    const issues: Issue[] = r.error.issues.map((i) => ({
      code: "invalid_schema",
      path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: i.message,
      file: spec,
    }));
    throw new DatasetError(`Invalid schema file ${spec}`, issues);
  }
  return r.data as DatasetSchema;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? "").length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd()).join("\n");
}

/**
 * Every dataset of a manager with its versions, latest version and row count.
 *
 * @example
 * ```ts
 * import { DatasetManager, listDatasets } from "@evalkit/evalkit/datasets";
 * const { doc } = await listDatasets(new DatasetManager({ basePath: "datasets" }));
 * if (!doc.datasets.some((d) => d.name === "loan_approval_test_set")) throw new Error("list");
 * ```
 */
export async function listDatasets(
  dm: DatasetManager,
): Promise<
  DatasetCommandOutput<
    { basePath: string; datasets: Awaited<ReturnType<DatasetManager["list"]>> }
  >
> {
  const list = await dm.list();
  const text = list.length === 0 ? `No datasets in ${dm.basePath}` : table([
    ["NAME", "LATEST", "ROWS", "VERSIONS", "DESCRIPTION"],
    ...list.map((d) => [
      d.name,
      d.latest,
      String(d.numRows),
      d.versions.join(","),
      d.description.slice(0, 60),
    ]),
  ]);
  return { doc: { basePath: dm.basePath, datasets: list }, text };
}

function versionText(m: DatasetMetadata): string[] {
  const out = [
    `${m.name}@${m.version}  ${m.numRows} rows  sha256 ${m.digest.sha256}  mlflow ${m.digest.mlflow}`,
    `  created ${m.createdAt}  source ${m.source.type}${m.source.uri ? ` ${m.source.uri}` : ""}`,
  ];
  if (m.description) out.push(`  ${m.description}`);
  if (Object.keys(m.tags).length) {
    out.push(`  tags ${Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  const columns = m.schema.columns.map((c) =>
    `${c.name}:${c.type}${c.personalData ? `(${c.personalData})` : ""}`
  );
  out.push(`  columns ${columns.join(" ")}`);
  if (m.schema.target) {
    out.push(`  target ${m.schema.target}${m.schema.id ? `  id ${m.schema.id}` : ""}`);
  }
  for (const p of m.parents) out.push(`  parent ${p.name}@${p.version} sha256 ${p.digest}`);
  if (m.operation) out.push(`  operation ${JSON.stringify(m.operation)}`);
  return out;
}

/**
 * A dataset's versions with their metadata (digests, rows, columns, lineage), one version with
 * `version`, and with `head` its first rows, personal data hashed or dropped.
 *
 * @example
 * ```ts
 * import { DatasetManager, showDataset } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: "datasets" });
 * const { doc } = await showDataset(dm, "loan_approval_test_set", { head: 1 });
 * if (doc.head?.length !== 1 || !String(doc.head[0]!.applicant_name).startsWith("pd_")) {
 *   throw new Error("show");
 * }
 * ```
 */
export async function showDataset(
  dm: DatasetManager,
  name: string,
  options: { version?: string; head?: number } = {},
): Promise<
  DatasetCommandOutput<{ name: string; versions: DatasetMetadata[]; head?: Row[] }>
> {
  const { version, head = 0 } = options;
  const shown = await dm.show(name);
  let rows: Row[] = [];
  if (head > 0) {
    const ds = await dm.load(shown.name, version ? { version } : {});
    rows = protectRows(ds.rows.slice(0, head), ds.schema);
  }
  const versions = version ? shown.versions.filter((v) => v.version === version) : shown.versions;
  if (versions.length === 0) {
    throw new DatasetError(`Version not found`, [{
      code: "not_found",
      path: ["version"],
      message: `No version ${version} of ${shown.name}`,
    }]);
  }
  const text = [...versions.flatMap(versionText), ...rows.map((r) => JSON.stringify(r))];
  return {
    doc: { name: shown.name, versions, ...(head > 0 ? { head: rows } : {}) },
    text: text.join("\n"),
  };
}

/** What {@link validateDataset} reads: a file's format and columns, or a stored version. */
export interface ValidateDatasetOptions {
  /** Declared schema (otherwise the stored one, or inferred from the file). */
  schema?: DatasetSchema;
  /** Target column of a file. */
  target?: string;
  /** Id column of a file. */
  id?: string;
  /** File format (default from the extension). */
  format?: DatasetFormat;
  /** CSV delimiter. */
  delimiter?: string;
  /** Version of a stored dataset named without `@version`. */
  version?: string;
}

/** The result of {@link validateDataset}. */
export interface DatasetValidation {
  /** No issue found. */
  ok: boolean;
  /** The file, or `name@version` of a stored dataset. */
  file: string;
  /** Rows read. */
  rows: number;
  /** Every issue with file, line, row and field. */
  issues: Issue[];
  /** More issues than the limit were found. */
  truncated: boolean;
}

/**
 * Validates a JSON array, JSONL or CSV file, or a stored dataset (`name` or `name@version`
 * when no such file exists), and returns every issue.
 *
 * @example
 * ```ts
 * import { DatasetManager, validateDataset } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: "datasets" });
 * const { doc } = await validateDataset(dm, "loan_approval_test_set@1.0.0");
 * if (!doc.ok) throw new Error(doc.issues.map((i) => i.message).join("; "));
 * ```
 */
export async function validateDataset(
  dm: DatasetManager,
  target: string,
  options: ValidateDatasetOptions = {},
): Promise<DatasetCommandOutput<DatasetValidation>> {
  const { schema, version, ...read } = options;
  let r: { issues: Issue[]; truncated: boolean }, file: string, rows: number;
  const isFile = await Deno.stat(target).then((s) => s.isFile).catch(() => false);
  if (!isFile && /^[a-z][a-z0-9_-]*(@.+)?$/.test(target)) {
    const [name, at] = target.split("@") as [string, string | undefined];
    const v = at ?? version;
    const ds = await dm.load(name, v ? { version: v } : {});
    file = `${name}@${ds.version}`, rows = ds.rows.length;
    r = validateRows(ds.rows, schema ?? ds.schema, { file });
  } else {
    const f = await readDatasetFile(target, { ...(schema ? { schema } : {}), ...read });
    file = target, rows = f.rows.length;
    r = validateRows(f.rows, f.schema, { file: target, lineOf: f.lineOf });
  }
  const { issues, truncated } = r, ok = issues.length === 0;
  const text = ok ? `${file}: ${rows} rows, valid` : [
    `${file}: ${issues.length}${truncated ? "+" : ""} issue(s)`,
    ...issues.map((i) => `  ${formatIssue(i)}`),
  ].join("\n");
  return { doc: { ok, file, rows, issues, truncated }, text };
}

/**
 * Imports a file as a new immutable dataset version ({@link DatasetManager.importFile}) and
 * says what happened.
 *
 * @example
 * ```ts
 * import { DatasetManager, importDataset } from "@evalkit/evalkit/datasets";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, '{"x":1}\n{"x":2}\n');
 * const dm = new DatasetManager({ basePath: dir });
 * const { doc } = await importDataset(dm, `${dir}/a.jsonl`, { name: "a", version: "1.0.0" });
 * if (!doc.created || doc.meta.numRows !== 2) throw new Error("import");
 * ```
 */
export async function importDataset(
  dm: DatasetManager,
  file: string,
  options: ImportOptions,
): Promise<DatasetCommandOutput<{ created: boolean; path: string; meta: DatasetMetadata }>> {
  const saved = await dm.importFile(file, options);
  return {
    doc: { created: saved.created, path: saved.path, meta: saved.meta },
    text: `${
      saved.created ? "Imported" : "Unchanged (same content already saved)"
    } ${saved.name}@${saved.version}: ${saved.meta.numRows} rows, sha256 ${saved.digest} → ${saved.path}`,
  };
}

/** One part of a split as {@link splitDataset} reports it. */
export interface SplitPart {
  /** Dataset name of the part. */
  name: string;
  /** Version of the part. */
  version: string;
  /** Rows in the part. */
  rows: number;
  /** SHA-256 content digest. */
  sha256: string;
  /** MLflow's short digest. */
  mlflowDigest: string;
  /** Lineage. */
  parents: DatasetMetadata["parents"];
  /** The split that made it. */
  operation: DatasetMetadata["operation"];
  /** Whether saving wrote it (only when saved). */
  created?: boolean;
}

/**
 * Splits a dataset version into train and test with the seeded generator
 * ({@link DatasetManager.split}); `save` stores both parts with lineage.
 *
 * @example
 * ```ts
 * import { DatasetManager, splitDataset } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: "datasets" });
 * const { doc } = await splitDataset(dm, "loan_approval_test_set", { trainRatio: 0.8, seed: 42 });
 * if (doc.train.rows + doc.test.rows === 0 || doc.saved) throw new Error("split");
 * ```
 */
export async function splitDataset(
  dm: DatasetManager,
  name: string,
  options: ManagerSplitOptions,
): Promise<DatasetCommandOutput<{ saved: boolean; train: SplitPart; test: SplitPart }>> {
  const { train, test } = await dm.split(name, options);
  const saved = options.save ?? false;
  const part = (d: typeof train): SplitPart => ({
    name: d.name,
    version: d.version,
    rows: d.rows.length,
    sha256: d.digest,
    mlflowDigest: d.mlflowDigest,
    parents: d.meta.parents,
    operation: d.meta.operation,
    ...("created" in d ? { created: d.created as boolean } : {}),
  });
  const text = [train, test].map((d) =>
    `${d.name}@${d.version}: ${d.rows.length} rows, sha256 ${d.digest}${
      saved ? "" : " (not saved; pass --save)"
    }`
  ).join("\n");
  return { doc: { saved, train: part(train), test: part(test) }, text };
}

/**
 * (Re)generates the shipped datasets deterministically ({@link generateShippedDatasets}) and
 * says which versions were written and which were already there.
 *
 * @example
 * ```ts
 * import { DatasetManager, generateDatasets } from "@evalkit/evalkit/datasets";
 * const dm = new DatasetManager({ basePath: await Deno.makeTempDir() });
 * const { doc } = await generateDatasets(dm);
 * if (!doc.datasets.every((d) => d.created)) throw new Error("generate");
 * ```
 */
export async function generateDatasets(dm: DatasetManager): Promise<
  DatasetCommandOutput<{
    basePath: string;
    datasets: {
      name: string;
      version: string;
      rows: number;
      sha256: string;
      created: boolean;
      path: string;
    }[];
  }>
> {
  const saved = await generateShippedDatasets(dm);
  const datasets = saved.map((s) => ({
    name: s.name,
    version: s.version,
    rows: s.rows.length,
    sha256: s.digest,
    created: s.created,
    path: s.path,
  }));
  const text = saved.map((s) =>
    `${
      s.created ? "wrote" : "unchanged"
    } ${s.name}@${s.version}: ${s.rows.length} rows, sha256 ${s.digest}`
  ).join("\n");
  return { doc: { basePath: dm.basePath, datasets }, text };
}
