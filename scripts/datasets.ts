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
  type DatasetCommandOutput,
  DatasetError,
  DatasetManager,
  formatIssue,
  generateDatasets,
  importDataset,
  listDatasets,
  readSchemaSpec,
  showDataset,
  splitDataset,
  validateDataset,
} from "../lib/datasets/mod.ts";

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

function parseFormat(value: string): "json" | "jsonl" | "csv" {
  if (value === "json" || value === "jsonl" || value === "csv") return value;
  throw new UsageError(
    `Expected --format to be json, jsonl or csv but found ${JSON.stringify(value)}`,
  );
}

/** The file-reading flags shared by validate and import. */
function readFlags(flags: Flags) {
  return {
    ...(flags.target ? { target: flags.target } : {}),
    ...(flags.id ? { id: flags.id } : {}),
    ...(flags.format ? { format: parseFormat(flags.format) } : {}),
    ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {}),
  };
}

function personalFlags(flags: Flags): Record<string, "hash" | "drop"> | undefined {
  const personal = keyValues("personal", flags.personal);
  for (const [k, v] of Object.entries(personal)) {
    if (v !== "hash" && v !== "drop") {
      throw new UsageError(
        `Expected --personal ${k}=hash or ${k}=drop but found ${JSON.stringify(v)}`,
      );
    }
  }
  return Object.keys(personal).length ? personal as Record<string, "hash" | "drop"> : undefined;
}

/** One command: the positionals it wants, and the library call that answers it. */
interface Command {
  args: [number, string];
  run(dm: DatasetManager, flags: Flags, arg: string): Promise<DatasetCommandOutput<unknown>>;
}

const COMMANDS: Record<string, Command> = {
  list: { args: [0, "no arguments"], run: (dm) => listDatasets(dm) },
  show: {
    args: [1, "one dataset name"],
    run: (dm, flags, name) =>
      showDataset(dm, name, {
        head: parseNumber("head", flags.head, 0, true),
        ...(flags.version ? { version: flags.version } : {}),
      }),
  },
  validate: {
    args: [1, "one file or dataset name"],
    run: async (dm, flags, target) => {
      const schema = await readSchemaSpec(flags.schema);
      return await validateDataset(dm, target, {
        ...(schema ? { schema } : {}),
        ...readFlags(flags),
        ...(flags.version ? { version: flags.version } : {}),
      });
    },
  },
  import: {
    args: [1, "one file to import"],
    run: async (dm, flags, file) => {
      if (flags.name === undefined || flags.version === undefined) {
        throw new UsageError(`import needs --name and --version\n\n${HELP.import}`);
      }
      const schema = await readSchemaSpec(flags.schema);
      const personalData = personalFlags(flags);
      return await importDataset(dm, file, {
        name: flags.name,
        version: flags.version,
        ...(schema ? { schema } : {}),
        ...readFlags(flags),
        ...(personalData ? { personalData } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.tag ? { tags: keyValues("tag", flags.tag) } : {}),
      });
    },
  },
  split: {
    args: [1, "one dataset name"],
    run: (dm, flags, name) => {
      const ratio = parseNumber("train-ratio", flags["train-ratio"], 0.8);
      if (!(ratio > 0 && ratio < 1)) {
        throw new UsageError(`Expected --train-ratio to be in (0, 1) but found ${ratio}`);
      }
      return splitDataset(dm, name, {
        trainRatio: ratio,
        seed: parseNumber("seed", flags.seed, 42, true),
        save: flags.save ?? false,
        ...(flags.version ? { version: flags.version } : {}),
        ...(flags["stratify-by"] ? { stratifyBy: flags["stratify-by"] } : {}),
        ...(flags["out-version"] ? { outVersion: flags["out-version"] } : {}),
      });
    },
  },
  log: { args: [1, "one dataset name"], run: logDataset },
  generate: { args: [0, "no arguments"], run: (dm) => generateDatasets(dm) },
};

/** `log`: one way to open a run (server through resolveTrackingTarget, or the local store). */
async function logDataset(
  dm: DatasetManager,
  flags: Flags,
  name: string,
): Promise<DatasetCommandOutput<unknown>> {
  const runArg = flags["run-id"];
  if (!runArg) throw new UsageError(`log needs --run-id\n\n${HELP.log}`);
  const { openRunSource, RunNotFoundError } = await import("../lib/tracking/mod.ts");
  // a tracking URI or credentials that cannot be used, an unknown run, a run its live process
  // still writes in the local store: bad input (exit 2), said in one sentence
  const usage = (err: unknown, when: boolean): never => {
    throw when ? new UsageError((err as Error).message) : err;
  };
  let opened;
  try {
    opened = openRunSource(
      flags["tracking-uri"] !== undefined ? { trackingUri: flags["tracking-uri"] } : {},
    );
  } catch (err) {
    usage(err, err instanceof TypeError || err instanceof RangeError);
  }
  using source = opened!;
  // any id wherever the run is: on a server, a synced run's local id finds its server id
  const run = await source.getRun(runArg).catch((e) => usage(e, e instanceof RunNotFoundError));
  const runId = run.id;
  const input = await dm.logToMlflow(name, {
    // the local store appends the input to the run's outbox (sent by the next sync)
    client: { runs: { logInputs: (_id, i) => source.logInputs(run, i.datasets ?? []) } },
    runId,
    context: flags.context ?? "evaluation",
    ...(flags.version ? { version: flags.version } : {}),
  }).catch((e) => usage(e, e instanceof TypeError && source.kind === "local"));
  const local = source.kind === "local";
  const text = `Logged ${input.dataset.name} (digest ${input.dataset.digest}, ${
    input.tags?.["evalkit.dataset.version"]
  }) to run ${runId}${runId === runArg ? "" : ` (${runArg})`} ${
    local ? "in" : "on"
  } ${source.location}${local ? " (sent by 'deno task sync --to <uri>')" : ""}`;
  return { doc: { runId, input }, text };
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP.main);
    return command === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[command];
  if (!cmd || !Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`Unknown command ${JSON.stringify(command)}\n\n${HELP.main}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP[command]}`);
  }
  const flags = parsed.values as Flags;
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
  if (parsed.positionals.length !== cmd.args[0]) {
    throw new UsageError(`Expected ${cmd.args[1]}\n\n${HELP[command]}`);
  }
  const dm = new DatasetManager({ basePath: flags["base-path"] ?? "datasets" });
  const { doc, text } = await cmd.run(dm, flags, parsed.positionals[0]!);
  console.log(flags.json ? JSON.stringify(doc, null, 2) : text);
  // validate: an invalid file is exit 2
  if ((doc as { ok?: boolean }).ok === false) {
    if (!flags.json) console.error(`error: ${(doc as { file: string }).file} is invalid`);
    return 2;
  }
  return 0;
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
