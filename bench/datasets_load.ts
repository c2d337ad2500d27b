/**
 * Benchmark: load + validate + digest a 1,000,000-row × 10-column CSV.
 *
 * Contenders, each in its own process (so peak memory is its own), measured in the same run:
 * - evalkit: `readDatasetFile` (csv-parse stream fed bytes) with the declared schema,
 *   `validateRows` (zod), `datasetDigest` (SHA-256 + MD5 of the canonical form);
 * - evalkit with type inference instead of a declared schema;
 * - pandas `read_csv` with declared dtypes + the same checks + a digest (hash_pandas_object);
 * - danfojs `readCSV` (+ dtype check).
 *
 * Prints rows/s, seconds and peak RSS for each, and ratios against evalkit. Exits 0 even when a
 * peer fails (its row says why). Env: EVALKIT_BENCH_ROWS (default 1000000), EVALKIT_PYTHON_BIN.
 */
import { join } from "node:path";
import { generateLoanRows } from "../lib/datasets/mod.ts";

const ROWS = Number(Deno.env.get("EVALKIT_BENCH_ROWS") ?? 1_000_000);
const ROOT = new URL("../", import.meta.url).pathname;
const PYTHON = Deno.env.get("EVALKIT_PYTHON_BIN") ?? join(ROOT, ".venv/bin/python");
const COLUMNS = [
  "request_id",
  "age",
  "annual_income",
  "credit_score",
  "loan_amount",
  "loan_term_months",
  "debt_to_income",
  "employment_years",
  "loan_purpose",
  "expected_outcome",
];

interface Result {
  name: string;
  rows?: number;
  seconds?: number;
  peakRssMb?: number;
  digest?: string;
  phases?: Record<string, number>;
  error?: string;
}

async function writeCsv(path: string): Promise<number> {
  using f = await Deno.open(path, { write: true, create: true, truncate: true });
  const w = f.writable.getWriter();
  const enc = new TextEncoder();
  await w.write(enc.encode(COLUMNS.join(",") + "\n"));
  const batch = 10_000;
  for (let start = 0; start < ROWS; start += batch) {
    const rows = generateLoanRows({
      rows: Math.min(batch, ROWS - start),
      seed: 1000 + start / batch,
      idPrefix: `B${start / batch}`,
    });
    await w.write(
      enc.encode(rows.map((r) => COLUMNS.map((c) => r[c]).join(",")).join("\n") + "\n"),
    );
  }
  await w.close();
  return (await Deno.stat(path)).size;
}

async function run(name: string, cmd: string, args: string[]): Promise<Result> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
    if (out.code !== 0) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
      return { name, error: `exit ${out.code}: ${err.slice(0, 300)}` };
    }
    return { name, ...JSON.parse(text) };
  } catch (err) {
    return { name, error: String(err) };
  }
}

const dir = await Deno.makeTempDir({ prefix: "evalkit-bench-datasets-" });
try {
  const csv = join(dir, "bench.csv");
  const t0 = performance.now();
  const bytes = await writeCsv(csv);
  console.log(
    `datasets_load: ${ROWS.toLocaleString("en")} rows × ${COLUMNS.length} columns, ${
      (bytes / 1e6).toFixed(1)
    } MB CSV (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const worker = join(ROOT, "bench/_datasets_load_worker.ts");
  const deno = Deno.execPath();
  const devConfig = join(ROOT, "deno.dev.json");
  const results: Result[] = [];
  results.push(
    await run("evalkit (declared schema)", deno, [
      "run",
      "--config",
      devConfig,
      "-A",
      worker,
      "evalkit",
      csv,
    ]),
  );
  results.push(
    await run("evalkit (inferred types)", deno, [
      "run",
      "--config",
      devConfig,
      "-A",
      worker,
      "evalkit-infer",
      csv,
    ]),
  );
  results.push(
    await run("pandas read_csv + dtype checks", PYTHON, [
      join(ROOT, "bench/_datasets_load_pandas.py"),
      csv,
    ]),
  );
  results.push(
    await run("danfojs readCSV", deno, [
      "run",
      "--config",
      devConfig,
      "-A",
      worker,
      "danfojs",
      csv,
    ]),
  );
  const base = results[0]!;
  console.log(
    "contender".padEnd(32) + "rows/s".padStart(12) + "seconds".padStart(10) +
      "peak RSS MB".padStart(13) +
      "time vs evalkit".padStart(17) + "memory vs evalkit".padStart(19),
  );
  for (const r of results) {
    if (r.error || r.seconds === undefined) {
      console.log(`${r.name.padEnd(32)}failed: ${r.error}`);
      continue;
    }
    const rate = (r.rows ?? 0) / r.seconds;
    const tr = base.seconds ? (r.seconds / base.seconds).toFixed(2) + "×" : "n/a";
    const mr = base.peakRssMb ? ((r.peakRssMb ?? 0) / base.peakRssMb).toFixed(2) + "×" : "n/a";
    console.log(
      r.name.padEnd(32) + Math.round(rate).toLocaleString("en").padStart(12) +
        r.seconds.toFixed(2).padStart(10) +
        (r.peakRssMb ?? 0).toFixed(0).padStart(13) + tr.padStart(17) + mr.padStart(19),
    );
  }
  for (const r of results) {
    if (r.phases) {
      console.log(
        `  ${r.name}: ${
          Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ")
        }`,
      );
    }
  }
  console.log(
    `file size ${(bytes / 1e6).toFixed(1)} MB; evalkit peak RSS / file size = ${
      base.peakRssMb ? ((base.peakRssMb * 1048576) / bytes).toFixed(2) : "n/a"
    } (rows are held as objects; the CSV text is streamed, never held whole)`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
