/**
 * One contender of bench/datasets_load.ts, run in its own process so its peak memory is its own.
 * Usage: deno run -A bench/_datasets_load_worker.ts <evalkit|evalkit-infer|danfojs> <file.csv>
 * Prints one JSON line: { rows, seconds, peakRssMb, digest }.
 */
import {
  datasetDigest,
  type DatasetSchema,
  readDatasetFile,
  validateRows,
} from "../lib/datasets/mod.ts";

/** The 10-column schema of the benchmark file. */
export const BENCH_SCHEMA: DatasetSchema = {
  columns: [
    { name: "request_id", type: "string" },
    { name: "age", type: "integer" },
    { name: "annual_income", type: "number" },
    { name: "credit_score", type: "integer" },
    { name: "loan_amount", type: "number" },
    { name: "loan_term_months", type: "integer" },
    { name: "debt_to_income", type: "number" },
    { name: "employment_years", type: "number" },
    { name: "loan_purpose", type: "string" },
    { name: "expected_outcome", type: "string", values: ["approve", "reject"] },
  ],
  target: "expected_outcome",
  id: "request_id",
};

function peakRssMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

if (import.meta.main) {
  const [mode, file] = Deno.args as [string, string];
  const t0 = performance.now();
  let rows = 0, digest = "";
  let phases: Record<string, number> | undefined;
  if (mode === "evalkit" || mode === "evalkit-infer") {
    const read = await readDatasetFile(
      file,
      mode === "evalkit" ? { schema: BENCH_SCHEMA } : { target: "expected_outcome" },
    );
    const t1 = performance.now();
    const v = validateRows(read.rows, read.schema);
    if (!v.ok) throw new Error(`invalid: ${JSON.stringify(v.issues.slice(0, 3))}`);
    const t2 = performance.now();
    digest = datasetDigest(read.rows).sha256;
    const t3 = performance.now();
    rows = read.rows.length;
    phases = { read: (t1 - t0) / 1000, validate: (t2 - t1) / 1000, digest: (t3 - t2) / 1000 };
  } else if (mode === "danfojs") {
    const dfd = await import("danfojs");
    const tImport = performance.now();
    // The browser build danfojs resolves to reads a File (no XMLHttpRequest in Deno).
    const df = await dfd.readCSV(new File([await Deno.readFile(file)], "bench.csv"));
    const dtypes = df.dtypes as string[];
    // Dtype checks, like the pandas peer.
    if (dtypes.length !== 10) throw new Error(`dtypes ${dtypes}`);
    rows = df.shape[0] as number;
    phases = { import: (tImport - t0) / 1000, readCSV: (performance.now() - tImport) / 1000 };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rows, seconds, peakRssMb: peakRssMb(), digest, phases }));
}
