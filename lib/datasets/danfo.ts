/**
 * danfojs adapter: datasets to and from danfojs DataFrames. danfojs (~390 MB with
 * TensorFlow.js) is loaded lazily with `await import()` on first use, and only from this
 * module (`@evalkit/evalkit/danfo`); importing the datasets module or the package root never
 * loads it.
 *
 * @module
 */
import { inferSchema, type InferSchemaOptions } from "./schema.ts";
import type { ColumnSpec, Dataset, DatasetMetadata, DatasetSchema, Row } from "./types.ts";

export type { ColumnSpec, Dataset, DatasetMetadata, DatasetSchema, InferSchemaOptions, Row };
export type { ColumnType, DatasetOperation, DatasetParent, DatasetSource } from "./types.ts";

/** The danfojs module, loaded on first use. */
export type Danfo = typeof import("danfojs");

/** A danfojs `DataFrame` (the class of the lazily loaded module). */
export type DataFrame = InstanceType<Danfo["DataFrame"]>;

let danfo: Promise<Danfo> | undefined;

/**
 * Loads danfojs (once). Useful to pay the ~1 s import cost up front.
 *
 * @example
 * ```ts ignore
 * import { loadDanfo } from "@evalkit/evalkit/danfo";
 * const dfd = await loadDanfo();
 * ```
 */
export function loadDanfo(): Promise<Danfo> {
  danfo ??= import("danfojs");
  return danfo;
}

/**
 * A danfojs DataFrame of a dataset's rows (columns in schema order).
 *
 * @example
 * ```ts ignore
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * import { toDataFrame } from "@evalkit/evalkit/danfo";
 * const df = await toDataFrame(await new DatasetManager().load("loan_approval_test_set"));
 * df.groupby(["expected_outcome"]).count().print();
 * ```
 */
export async function toDataFrame(
  ds: Pick<Dataset, "rows"> & { schema?: DatasetSchema },
): Promise<DataFrame> {
  const dfd = await loadDanfo();
  const columns = ds.schema?.columns.map((c) => c.name) ??
    Object.keys(ds.rows[0] ?? {});
  const data = ds.rows.map((r) => columns.map((c) => r[c] ?? null));
  return new dfd.DataFrame(data, { columns });
}

/**
 * Rows and a schema from a danfojs DataFrame. NaN and undefined cells (danfojs' missing
 * values) become null. Pass the result to `DatasetManager.save` or `createDataset`.
 *
 * @example
 * ```ts ignore
 * import { fromDataFrame } from "@evalkit/evalkit/danfo";
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * const { rows, schema } = await fromDataFrame(df, { target: "expected_outcome" });
 * await new DatasetManager().save(rows, { name: "from_pandas_like", version: "1.0.0", schema });
 * ```
 */
export async function fromDataFrame(
  df: DataFrame,
  options: InferSchemaOptions & { schema?: DatasetSchema } = {},
): Promise<{ rows: Row[]; schema: DatasetSchema }> {
  await loadDanfo();
  const columns = df.columns as string[];
  const values = df.values as unknown[][];
  const rows: Row[] = values.map((vals) => {
    const o: Row = {};
    columns.forEach((c, j) => {
      const v = vals[j];
      o[c] = v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v;
    });
    return o;
  });
  return { rows, schema: options.schema ?? inferSchema(rows, options) };
}
