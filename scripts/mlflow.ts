/**
 * `deno task mlflow`: start a local MLflow server with its UI, to look at evalkit's runs.
 * Data persists in .evalkit/mlflow (or --data-dir). Ctrl-C stops it.
 */
import { parseArgs } from "node:util";
import { ensurePythonEnv } from "./_python_env.ts";
import { startMlflowServer } from "../lib/testing/mod.ts";

const USAGE = `Usage: deno task mlflow [--port N] [--data-dir DIR]

Starts the real MLflow server (pinned in requirements.txt, installed into .venv on first
use) on 127.0.0.1 with a SQLite backend and proxied artifacts, and prints its URL.
Point evalkit at it with MLFLOW_TRACKING_URI=<url>. Ctrl-C stops it.

Options:
  --port N         port on 127.0.0.1 (default 5000)
  --data-dir DIR   where the database and artifacts live (default .evalkit/mlflow)

Example:
  deno task mlflow --port 5000
  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 deno task evaluate`;

const { values } = parseArgs({
  options: {
    help: { type: "boolean", short: "h" },
    port: { type: "string", default: "5000" },
    "data-dir": { type: "string", default: ".evalkit/mlflow" },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Expected --port to be an integer from 1 to 65535 but found '${values.port}'`);
  Deno.exit(2);
}
const dataDir = await Deno.realPath(".").then((cwd) =>
  values["data-dir"]!.startsWith("/") ? values["data-dir"]! : `${cwd}/${values["data-dir"]}`
);
await Deno.mkdir(dataDir, { recursive: true });
const bin = await ensurePythonEnv();
const server = await startMlflowServer({
  mlflowBin: `${bin}/mlflow`,
  port,
  dataDir,
  keepData: true,
});
console.log(`MLflow UI and tracking server: ${server.uri}  (data in ${dataDir}; Ctrl-C to stop)`);
const stop = async () => {
  await server.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
