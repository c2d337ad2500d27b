/** Helpers of the tracing tests: the Python oracle and a fresh experiment. */
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A span as MLflow's Python client reads it. */
export interface PySpan {
  name: string;
  span_id: string;
  parent_id: string | null;
  span_type: string;
  status: string;
  status_message: string;
  inputs: unknown;
  outputs: unknown;
  start_time_ns: number;
  end_time_ns: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

/** A trace as MLflow's Python client reads it. */
export interface PyTrace {
  info: {
    trace_id: string;
    state: string;
    request_time: number;
    execution_duration: number;
    client_request_id: string | null;
    request_preview: string | null;
    response_preview: string | null;
    trace_metadata: Record<string, string>;
    tags: Record<string, string>;
    token_usage: Record<string, number> | null;
  };
  spans: PySpan[];
}

/** Runs the Python oracle (MLflow's own client) and returns what it read. */
export async function pyOracle(args: string[]): Promise<PyTrace[]> {
  const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
  const out = await new Deno.Command(python, {
    args: [`${ROOT}tests/tracing/_read_traces.py`, testMlflowUri(), ...args],
    stdout: "piped",
    stderr: "piped",
    env: { MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false", PYTHONUNBUFFERED: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`python oracle failed: ${stderr.slice(-2000)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A client for the suite's server and a fresh experiment. */
export async function freshExperiment(
  prefix: string,
): Promise<{ client: MlflowClient; experimentId: string }> {
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  const exp = await client.experiments.getOrCreate(uniqueName(prefix));
  return { client, experimentId: exp.experimentId };
}
