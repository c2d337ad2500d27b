/**
 * Who started a run and from where, as MLflow's own clients record it: the tags
 * `mlflow.user`, `mlflow.source.name` and `mlflow.source.type`, which the MLflow UI shows as
 * "Created by" and "Source".
 *
 * @module
 */
import { userInfo } from "node:os";
import { fileURLToPath } from "node:url";
import { readEnv } from "../_internal/env.ts";

/** MLflow's source types (`mlflow.entities.SourceType`) that evalkit can tell apart. */
export type RunSourceType = "LOCAL" | "NOTEBOOK" | "JOB";

/** The user name, as Python's `getpass.getuser()`: LOGNAME, USER, LNAME, USERNAME, then the OS. */
export function currentUser(): string {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = readEnv(name);
    if (v) return v;
  }
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // no passwd entry, or no permission to ask
  }
  return "unknown";
}

/**
 * Where the run was started from: the notebook (a Deno Jupyter kernel: its session's notebook
 * path when Jupyter says it, else the kernel's folder), a Databricks job, or the absolute path
 * of the script (`Deno.mainModule`).
 */
export function currentSource(): { name: string; type: RunSourceType } {
  // undefined inside a Web Worker (e.g. the serve task's evaluation jobs)
  const main: string = Deno.mainModule ?? `file://${safeCwd()}`;
  if (/\$deno\$jupyter/.test(main) || readEnv("JPY_PARENT_PID") !== undefined) {
    return { name: readEnv("JPY_SESSION_NAME") ?? safeCwd(), type: "NOTEBOOK" };
  }
  const job = readEnv("DATABRICKS_JOB_ID");
  if (job !== undefined) return { name: `jobs/${job}`, type: "JOB" };
  let name = main;
  try {
    if (main.startsWith("file:")) name = fileURLToPath(main);
  } catch {
    // keep the URL
  }
  return { name, type: "LOCAL" };
}

function safeCwd(): string {
  try {
    return Deno.cwd();
  } catch {
    return "notebook";
  }
}

/** The three standard MLflow tags of a new run. */
export function mlflowContextTags(): Record<string, string> {
  const source = currentSource();
  return {
    "mlflow.user": currentUser(),
    "mlflow.source.name": source.name,
    "mlflow.source.type": source.type,
  };
}
