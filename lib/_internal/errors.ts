/**
 * Error types shared across evalkit. Domain error classes exist only for what
 * callers catch; everything else uses the built-in error chosen by meaning
 * (`TypeError`, `RangeError`, `SyntaxError`).
 *
 * @module
 */

import type { IssueCode } from "./issue_codes.ts";

export type { IssueCode } from "./issue_codes.ts";

/** One validation problem, as data: what went wrong, where, and a message for humans. */
export interface Issue {
  /** A stable machine-readable code from the closed union {@link IssueCode} (`ISSUE_CODES`). */
  code: IssueCode;
  /** Where the problem is: row index and field name, or a JSON path. */
  path: (string | number)[];
  /** A human readable message. */
  message: string;
  /** The file the problem was found in, when it came from a file. */
  file?: string;
  /** The 1-based line (or record) number in that file, when known. */
  line?: number;
}

/**
 * Formats an issue as `file:line: path: message` for a terminal.
 *
 * @example
 * ```ts
 * import { formatIssue } from "@evalkit/evalkit";
 * const text = formatIssue({
 *   code: "wrong_type", path: [41, "credit_score"], message: "expected a number", file: "a.csv", line: 43,
 * });
 * if (text !== "a.csv:43: 41.credit_score: expected a number") throw new Error(text);
 * ```
 */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line].filter((x) => x !== undefined).join(":");
  const path = issue.path.length > 0 ? issue.path.join(".") : "";
  return [where, path, issue.message].filter((x) => x !== "").join(": ");
}

/**
 * Thrown when a dataset (or its name, file or schema) is invalid. Carries every issue found.
 *
 * @example
 * ```ts
 * import { DatasetError } from "@evalkit/evalkit";
 * const err = new DatasetError("bad", [{ code: "empty_dataset", path: [], message: "no rows" }]);
 * if (err.issues.length !== 1) throw new Error("unexpected");
 * ```
 */
export class DatasetError extends Error {
  /** Every problem that was found. */
  readonly issues: Issue[];
  /** Creates the error; the message is followed by the first issues. */
  constructor(message: string, issues: Issue[], options?: ErrorOptions) {
    const shown = issues.slice(0, 5).map((i) => `  - ${formatIssue(i)}`);
    const more = issues.length > 5 ? [`  … and ${issues.length - 5} more`] : [];
    super([message, ...shown, ...more].join("\n"), options);
    this.name = "DatasetError";
    this.issues = issues;
  }
}

const SECRET_PATTERNS: RegExp[] = [
  /(authorization\s*[:=]\s*)(bearer|basic)\s+[^\s"',;]+/gi,
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(dapi[0-9a-f]{16,}(-\d+)?)\b/gi,
  /((?:token|password|secret|client_secret|access_token)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /(\/\/[^/:@\s]+:)[^@/\s]+@/g,
];

/**
 * Removes credentials (Authorization values, bearer and basic tokens, Databricks tokens,
 * `token=`/`password=` pairs, passwords in URLs) from text meant for logs or errors.
 */
export function redact(text: string): string {
  let out = text;
  out = out.replace(SECRET_PATTERNS[0]!, "$1$2 [REDACTED]");
  out = out.replace(SECRET_PATTERNS[1]!, "$1 [REDACTED]");
  out = out.replace(SECRET_PATTERNS[2]!, "[REDACTED]");
  out = out.replace(SECRET_PATTERNS[3]!, "$1[REDACTED]");
  out = out.replace(SECRET_PATTERNS[4]!, "$1[REDACTED]@");
  return out;
}

/** The details an {@link MlflowApiError} carries. */
export interface MlflowApiErrorInit {
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  status: number;
  /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), or one derived from the status. */
  errorCode: string;
  /** The endpoint path, e.g. `/api/2.0/mlflow/runs/log-batch`. */
  endpoint: string;
  /** The HTTP method. */
  method: string;
  /** The server's message, redacted. */
  message: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
}

/**
 * A failed MLflow REST call: HTTP status, MLflow error code, endpoint and message,
 * with any credential redacted.
 *
 * @example
 * ```ts
 * import { MlflowApiError } from "@evalkit/evalkit";
 * const err = new MlflowApiError({
 *   status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", endpoint: "/api/2.0/mlflow/runs/get",
 *   method: "GET", message: "Run 'x' not found",
 * });
 * if (!err.message.includes("RESOURCE_DOES_NOT_EXIST")) throw new Error("bad message");
 * ```
 */
export class MlflowApiError extends Error {
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** MLflow error code. */
  readonly errorCode: string;
  /** Endpoint path. */
  readonly endpoint: string;
  /** HTTP method. */
  readonly method: string;
  /** The server's message, redacted. */
  readonly serverMessage: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Creates the error from its details. */
  constructor(init: MlflowApiErrorInit, options?: ErrorOptions) {
    const message = redact(init.message);
    const status = init.status === 0 ? "no response" : `HTTP ${init.status}`;
    const tries = (init.attempts ?? 1) > 1 ? ` after ${init.attempts} attempts` : "";
    super(
      `${init.method} ${init.endpoint} failed (${status} ${init.errorCode})${tries}: ${message}`,
      options,
    );
    this.name = "MlflowApiError";
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.endpoint = init.endpoint;
    this.method = init.method;
    this.serverMessage = message;
    this.attempts = init.attempts ?? 1;
  }
}
