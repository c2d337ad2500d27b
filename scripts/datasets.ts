/**
 * `deno task datasets <command>`: list, show, validate, import, split, log and generate
 * versioned datasets. Every command takes `--help` and `--json`. Exit codes: 0 ok,
 * 1 unexpected error, 2 bad usage or input.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./_cli.ts";
import {
  DatasetError,
  DatasetManager,
  type DatasetSchema,
  formatIssue,
  generateShippedDatasets,
  type Issue,
  loanApprovalSchema,
  protectRows,
  readDatasetFile,
  validateRows,
} from "../lib/datasets/mod.ts";
import { z } from "zod";

const COMMON = `Common flags:
  --base-path <dir>   dataset folder (default: datasets)
  --json              print one JSON document on stdout
  --help              this help`;

const HELP: Record<string, string> = {
  main: `Usage: deno task datasets <command> [flags]

Commands:
  list       list datasets and their versions
  show       show a dataset's versions and metadata
  validate   validate a file (JSON, JSONL, CSV) or a stored dataset
  import     import a file as a new immutable dataset version
  split      split a dataset into train/test reproducibly (seeded)
  log        log a dataset version as an input of an MLflow run
  generate   (re)generate the shipped datasets deterministically

Run 'deno task datasets <command> --help' for a command's flags.
Example: deno task datasets show loan_approval_test_set

Exit codes: 0 ok, 1 unexpected error, 2 bad usage or input.`,
  list: `Usage: deno task datasets list [--json]

Lists every dataset with its versions, latest version and row count.
Example: deno task datasets list --json

${COMMON}`,
  show: `Usage: deno task datasets show <name> [--version <v>] [--head <n>] [--json]

Shows the versions of a dataset with their metadata (digests, rows, columns, lineage).
--head prints the first rows of the version, personal data hashed or dropped.
Example: deno task datasets show loan_approval_test_set --head 3

${COMMON}`,
  validate: `Usage: deno task datasets validate <file | name[@version]> [flags]

Validates a JSON array, JSONL or CSV file (or a stored dataset) and prints every issue with
file, line, row and field. Exit code 2 when invalid.
  --schema <file.json | loan>   declared schema (a DatasetSchema JSON file, or the built-in loan schema)
  --target <column>             target column (default expected_outcome when present)
  --id <column>                 id column whose values must be unique (default request_id when present)
  --format json|jsonl|csv       file format (default from the extension)
  --delimiter <char>            CSV delimiter (default ",")
Example: deno task datasets validate data/applications.csv --schema loan

${COMMON}`,
  import: `Usage: deno task datasets import <file> --name <name> --version <version> [flags]

Imports a JSON array, JSONL or CSV file (CSV is streamed) as a new immutable version under
<base-path>/<name>/<version>/ (data.jsonl + meta.json). Invalid input writes nothing.
Saving the same content again is a no-op; other content under an existing version is refused.
  --name <name>                 dataset name: lowercase letters, digits, _ and -
  --version <version>           semver (1.0.0) or date-like (2025.10)
  --description <text>          description
  --tag <key=value>             tag (repeatable)
  --schema <file.json | loan>   declared schema; otherwise types are inferred
  --target <column>             target column
  --id <column>                 id column
  --personal <column=hash|drop> personal data column (repeatable)
  --format json|jsonl|csv       file format (default from the extension)
  --delimiter <char>            CSV delimiter (default ",")
Example: deno task datasets import apps.csv --name loans_oct --version 2025.10 --schema loan

${COMMON}`,
  split: `Usage: deno task datasets split <name> [flags]

Splits a dataset version into train and test with the project's seeded generator: the same
seed gives the same rows on every machine. Stratified splits keep each class's share within
one row. With --save the parts are saved as <name>_train and <name>_test with lineage.
  --version <v>          version to split (default latest)
  --train-ratio <r>      train share in (0, 1) (default 0.8)
  --seed <n>             seed (default 42)
  --stratify-by <col>    column whose classes keep their shares (e.g. expected_outcome)
  --save                 save both parts
  --out-version <v>      version of the parts (default <version>-s<seed>.t<percent>)
Example: deno task datasets split loan_approval_test_set --seed 42 --stratify-by expected_outcome --save

${COMMON}`,
  log: `Usage: deno task datasets log <name> --run-id <id> [flags]

Logs a dataset version as an input of a run (runs/log-inputs, or the local store's run): 8-hex digest, source,
schema (mlflow_colspec) and profile (rows, per-column statistics, full SHA-256).
  --run-id <id>          the MLflow run: its id, a unique prefix, its name, or the local id of
                         a run synced to the server
  --version <v>          version (default latest)
  --context <ctx>        mlflow.data.context tag (default evaluation)
  --tracking-uri <uri>   MLflow server or databricks (default MLFLOW_TRACKING_URI; credentials
                         from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD).
                         Without a server, the input is added to the run in the local store
                         (its outbox) and sent by the next 'deno task sync'.
Example: deno task datasets log loan_approval_test_set --run-id 0f3c... --tracking-uri http://127.0.0.1:5000

${COMMON}`,
  generate: `Usage: deno task datasets generate [--base-path <dir>] [--json]

Generates the shipped datasets (loan_approval_test_set, baseline_v1, current_month) with a
fixed seed and fixed metadata times: the output is byte-identical on every run. Existing
identical versions are left as they are.
Example: deno task datasets generate --base-path /tmp/ds

${COMMON}`,
};

const OPTIONS = {
  help: { type: "boolean" },
  json: { type: "boolean" },
  "base-path": { type: "string" },
  version: { type: "string" },
  head: { type: "string" },
  schema: { type: "string" },
  target: { type: "string" },
  id: { type: "string" },
  format: { type: "string" },
  delimiter: { type: "string" },
  name: { type: "string" },
  description: { type: "string" },
  tag: { type: "string", multiple: true },
  personal: { type: "string", multiple: true },
  "train-ratio": { type: "string" },
  seed: { type: "string" },
  "stratify-by": { type: "string" },
  save: { type: "boolean" },
  "out-version": { type: "string" },
  "run-id": { type: "string" },
  context: { type: "string" },
  "tracking-uri": { type: "string" },
} as const;

const ALLOWED: Record<string, string[]> = {
  list: [],
  show: ["version", "head"],
  validate: ["schema", "target", "id", "format", "delimiter", "version"],
  import: [
    "name",
    "version",
    "description",
    "tag",
    "schema",
    "target",
    "id",
    "personal",
    "format",
    "delimiter",
  ],
  split: ["version", "train-ratio", "seed", "stratify-by", "save", "out-version"],
  log: ["run-id", "version", "context", "tracking-uri"],
  generate: [],
};

type Flags = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[]
    : (typeof OPTIONS)[K] extends { type: "boolean" } ? boolean
    : string;
};

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

async function loadSchema(spec: string | undefined): Promise<DatasetSchema | undefined> {
  if (spec === undefined) return undefined;
  if (spec === "loan") return loanApprovalSchema;
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch (err) {
    throw new UsageError(
      `Cannot read schema file ${spec}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`Schema file ${spec} is not valid JSON: ${(err as Error).message}`);
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

function parseNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(
      `Expected --${flag} to be ${integer ? "an integer" : "a number"} but found ${
        JSON.stringify(value)
      }`,
    );
  }
  return n;
}

function keyValues(flag: string, items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Expected --${flag} as key=value but found ${JSON.stringify(item)}`);
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? "").length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd()).join("\n");
}

function print(json: boolean, doc: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(doc, null, 2) : human());
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP.main);
    return command === undefined ? 2 : 0;
  }
  if (!(command in ALLOWED)) {
    throw new UsageError(`Unknown command ${JSON.stringify(command)}\n\n${HELP.main}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP[command]}`);
  }
  const flags = parsed.values as Flags;
  const positionals = parsed.positionals;
  if (flags.help) {
    console.log(HELP[command]);
    return 0;
  }
  for (const key of Object.keys(flags)) {
    if (["help", "json", "base-path"].includes(key)) continue;
    if (!ALLOWED[command]!.includes(key)) {
      throw new UsageError(`'${command}' does not take --${key}\n\n${HELP[command]}`);
    }
  }
  const json = flags.json ?? false;
  const dm = new DatasetManager({ basePath: flags["base-path"] ?? "datasets" });
  const want = (n: number, what: string) => {
    if (positionals.length !== n) throw new UsageError(`Expected ${what}\n\n${HELP[command]}`);
  };

  switch (command) {
    case "list": {
      want(0, "no arguments");
      const list = await dm.list();
      print(
        json,
        { basePath: dm.basePath, datasets: list },
        () =>
          list.length === 0 ? `No datasets in ${dm.basePath}` : table([
            ["NAME", "LATEST", "ROWS", "VERSIONS", "DESCRIPTION"],
            ...list.map((
              d,
            ) => [
              d.name,
              d.latest,
              String(d.numRows),
              d.versions.join(","),
              d.description.slice(0, 60),
            ]),
          ]),
      );
      return 0;
    }
    case "show": {
      want(1, "one dataset name");
      const shown = await dm.show(positionals[0]!);
      const head = parseNumber("head", flags.head, 0, true);
      let rows: Record<string, unknown>[] = [];
      if (head > 0) {
        const ds = await dm.load(shown.name, flags.version ? { version: flags.version } : {});
        rows = protectRows(ds.rows.slice(0, head), ds.schema);
      }
      const versions = flags.version
        ? shown.versions.filter((v) => v.version === flags.version)
        : shown.versions;
      if (versions.length === 0) {
        throw new DatasetError(`Version not found`, [{
          code: "not_found",
          path: ["version"],
          message: `No version ${flags.version} of ${shown.name}`,
        }]);
      }
      print(json, { name: shown.name, versions, ...(head > 0 ? { head: rows } : {}) }, () => {
        const out: string[] = [];
        for (const m of versions) {
          out.push(
            `${m.name}@${m.version}  ${m.numRows} rows  sha256 ${m.digest.sha256}  mlflow ${m.digest.mlflow}`,
          );
          out.push(
            `  created ${m.createdAt}  source ${m.source.type}${
              m.source.uri ? ` ${m.source.uri}` : ""
            }`,
          );
          if (m.description) out.push(`  ${m.description}`);
          if (Object.keys(m.tags).length) {
            out.push(`  tags ${Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(" ")}`);
          }
          out.push(
            `  columns ${
              m.schema.columns.map((c) =>
                `${c.name}:${c.type}${c.personalData ? `(${c.personalData})` : ""}`
              ).join(" ")
            }`,
          );
          if (m.schema.target) {
            out.push(`  target ${m.schema.target}${m.schema.id ? `  id ${m.schema.id}` : ""}`);
          }
          for (const p of m.parents) out.push(`  parent ${p.name}@${p.version} sha256 ${p.digest}`);
          if (m.operation) out.push(`  operation ${JSON.stringify(m.operation)}`);
        }
        for (const r of rows) out.push(JSON.stringify(r));
        return out.join("\n");
      });
      return 0;
    }
    case "validate": {
      want(1, "one file or dataset name");
      const target = positionals[0]!;
      const schema = await loadSchema(flags.schema);
      let rowsCount: number, issues: Issue[], truncated: boolean, file: string;
      const isFile = await Deno.stat(target).then((s) => s.isFile).catch(() => false);
      if (!isFile && /^[a-z][a-z0-9_-]*(@.+)?$/.test(target)) {
        const [name, version] = target.split("@") as [string, string | undefined];
        const v = version ?? flags.version;
        const ds = await dm.load(name, v ? { version: v } : {});
        const r = validateRows(ds.rows, schema ?? ds.schema, { file: `${name}@${ds.version}` });
        rowsCount = ds.rows.length,
          issues = r.issues,
          truncated = r.truncated,
          file = `${name}@${ds.version}`;
      } else {
        const read = await readDatasetFile(target, {
          ...(schema ? { schema } : {}),
          ...(flags.target ? { target: flags.target } : {}),
          ...(flags.id ? { id: flags.id } : {}),
          ...(flags.format ? { format: parseFormat(flags.format) } : {}),
          ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
        });
        const r = validateRows(read.rows, read.schema, { file: target, lineOf: read.lineOf });
        rowsCount = read.rows.length, issues = r.issues, truncated = r.truncated, file = target;
      }
      const ok = issues.length === 0;
      print(
        json,
        { ok, file, rows: rowsCount, issues, truncated },
        () =>
          ok ? `${file}: ${rowsCount} rows, valid` : [
            `${file}: ${issues.length}${truncated ? "+" : ""} issue(s)`,
            ...issues.map((i) => `  ${formatIssue(i)}`),
          ].join("\n"),
      );
      if (!ok && !json) console.error(`error: ${file} is invalid`);
      return ok ? 0 : 2;
    }
    case "import": {
      want(1, "one file to import");
      if (flags.name === undefined || flags.version === undefined) {
        throw new UsageError(`import needs --name and --version\n\n${HELP.import}`);
      }
      const schema = await loadSchema(flags.schema);
      const personal = keyValues("personal", flags.personal);
      for (const [k, v] of Object.entries(personal)) {
        if (v !== "hash" && v !== "drop") {
          throw new UsageError(
            `Expected --personal ${k}=hash or ${k}=drop but found ${JSON.stringify(v)}`,
          );
        }
      }
      const saved = await dm.importFile(positionals[0]!, {
        name: flags.name,
        version: flags.version,
        ...(schema ? { schema } : {}),
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.id ? { id: flags.id } : {}),
        ...(Object.keys(personal).length
          ? { personalData: personal as Record<string, "hash" | "drop"> }
          : {}),
        ...(flags.format ? { format: parseFormat(flags.format) } : {}),
        ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.tag ? { tags: keyValues("tag", flags.tag) } : {}),
      });
      print(
        json,
        { created: saved.created, path: saved.path, meta: saved.meta },
        () =>
          `${
            saved.created ? "Imported" : "Unchanged (same content already saved)"
          } ${saved.name}@${saved.version}: ${saved.meta.numRows} rows, sha256 ${saved.digest} → ${saved.path}`,
      );
      return 0;
    }
    case "split": {
      want(1, "one dataset name");
      const ratio = parseNumber("train-ratio", flags["train-ratio"], 0.8);
      if (!(ratio > 0 && ratio < 1)) {
        throw new UsageError(`Expected --train-ratio to be in (0, 1) but found ${ratio}`);
      }
      const seed = parseNumber("seed", flags.seed, 42, true);
      const { train, test } = await dm.split(positionals[0]!, {
        trainRatio: ratio,
        seed,
        save: flags.save ?? false,
        ...(flags.version ? { version: flags.version } : {}),
        ...(flags["stratify-by"] ? { stratifyBy: flags["stratify-by"] } : {}),
        ...(flags["out-version"] ? { outVersion: flags["out-version"] } : {}),
      });
      const part = (d: typeof train) => ({
        name: d.name,
        version: d.version,
        rows: d.rows.length,
        sha256: d.digest,
        mlflowDigest: d.mlflowDigest,
        parents: d.meta.parents,
        operation: d.meta.operation,
        ...("created" in d ? { created: d.created } : {}),
      });
      print(
        json,
        { saved: flags.save ?? false, train: part(train), test: part(test) },
        () =>
          [train, test].map((d) =>
            `${d.name}@${d.version}: ${d.rows.length} rows, sha256 ${d.digest}${
              flags.save ? "" : " (not saved; pass --save)"
            }`
          ).join("\n"),
      );
      return 0;
    }
    case "log": {
      want(1, "one dataset name");
      if (!flags["run-id"]) throw new UsageError(`log needs --run-id\n\n${HELP.log}`);
      const { openRunSource, RunNotFoundError } = await import("../lib/tracking/mod.ts");
      const runArg = flags["run-id"];
      // One way to open a run: the server of --tracking-uri / MLFLOW_TRACKING_URI through
      // resolveTrackingTarget (tokens, basic auth, databricks), else the local store.
      let opened;
      try {
        opened = openRunSource(
          flags["tracking-uri"] !== undefined ? { trackingUri: flags["tracking-uri"] } : {},
        );
      } catch (err) {
        // A tracking URI or credentials that cannot be used: bad input, said in one sentence.
        if (err instanceof TypeError || err instanceof RangeError) {
          throw new UsageError(err.message);
        }
        throw err;
      }
      using source = opened;
      let run;
      try {
        // Any id wherever the run is: on a server, a synced run's local id finds its server id.
        run = await source.getRun(runArg);
      } catch (err) {
        if (err instanceof RunNotFoundError) throw new UsageError(err.message);
        throw err;
      }
      const runId = run.id;
      let input;
      try {
        input = await dm.logToMlflow(positionals[0]!, {
          // The local store appends the input to the run's outbox (sent by the next sync).
          client: { runs: { logInputs: (_id, i) => source.logInputs(run, i.datasets ?? []) } },
          runId,
          context: flags.context ?? "evaluation",
          ...(flags.version ? { version: flags.version } : {}),
        });
      } catch (err) {
        // The local store refuses a run its live process still writes: say so, exit 2.
        if (err instanceof TypeError && source.kind === "local") {
          throw new UsageError(err.message);
        }
        throw err;
      }
      print(
        json,
        { runId, input },
        () =>
          `Logged ${input.dataset.name} (digest ${input.dataset.digest}, ${
            input.tags?.["evalkit.dataset.version"]
          }) to run ${runId}${runId === runArg ? "" : ` (${runArg})`} ${
            source.kind === "local" ? "in" : "on"
          } ${source.location}${
            source.kind === "local" ? " (sent by 'deno task sync --to <uri>')" : ""
          }`,
      );
      return 0;
    }
    case "generate": {
      want(0, "no arguments");
      const saved = await generateShippedDatasets(dm);
      print(
        json,
        {
          basePath: dm.basePath,
          datasets: saved.map((s) => ({
            name: s.name,
            version: s.version,
            rows: s.rows.length,
            sha256: s.digest,
            created: s.created,
            path: s.path,
          })),
        },
        () =>
          saved.map((s) =>
            `${
              s.created ? "wrote" : "unchanged"
            } ${s.name}@${s.version}: ${s.rows.length} rows, sha256 ${s.digest}`
          ).join("\n"),
      );
      return 0;
    }
  }
  return 1;
}

function parseFormat(value: string): "json" | "jsonl" | "csv" {
  if (value === "json" || value === "jsonl" || value === "csv") return value;
  throw new UsageError(
    `Expected --format to be json, jsonl or csv but found ${JSON.stringify(value)}`,
  );
}

if (import.meta.main) {
  const json = Deno.args.includes("--json");
  let code: number;
  try {
    code = await run(Deno.args);
  } catch (err) {
    if (err instanceof UsageError || err instanceof DatasetError) {
      const issues = err instanceof DatasetError ? err.issues : [];
      const headline = err instanceof DatasetError ? err.message.split("\n")[0]! : err.message;
      if (json) console.log(JSON.stringify({ ok: false, error: headline, issues }, null, 2));
      console.error(`error: ${headline}`);
      for (const i of issues.slice(0, 20)) console.error(`  ${formatIssue(i)}`);
      if (issues.length > 20) console.error(`  … and ${issues.length - 20} more`);
      code = 2;
    } else {
      const e = err as Error;
      if (json) {
        console.log(JSON.stringify({ ok: false, error: e?.message ?? String(err) }, null, 2));
      }
      console.error(`error: unexpected: ${e?.stack ?? String(err)}`);
      code = 1;
    }
  }
  Deno.exit(code);
}
