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

/** Words that follow "token"/"password" in ordinary messages ("token is expired"): not secrets. */
const NOT_SECRETS = new Set([
  "a",
  "an",
  "and",
  "are",
  "be",
  "been",
  "but",
  "by",
  "can",
  "cannot",
  "could",
  "did",
  "does",
  "expired",
  "for",
  "from",
  "given",
  "has",
  "have",
  "header",
  "in",
  "invalid",
  "is",
  "may",
  "missing",
  "must",
  "not",
  "of",
  "on",
  "or",
  "provided",
  "required",
  "should",
  "the",
  "to",
  "type",
  "used",
  "value",
  "was",
  "were",
  "will",
  "with",
  "without",
  "[redacted]",
]);

const SECRET_PATTERNS: RegExp[] = [
  // An Authorization header echoed back in any shape: `Authorization: Bearer x`,
  // `{"Authorization": "Basic …"}`, `'authorization': 'Token …'`, `HTTP_AUTHORIZATION=…`.
  /(authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest|negotiate)\s+)?[^\s"',;}\]]+/gi,
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(dapi[0-9a-f]{16,}(-\d+)?)\b/gi,
  /((?:token|password|passwd|secret|client_secret|access_token|refresh_token|api[_-]?key|x-api-key)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /(\/\/[^/:@\s]+:)[^@/\s]+@/g,
  // `token <secret>` / `password <secret>` without `=` or `:`.
  /\b(token|password|passwd|secret|api[_-]?key)(\s+)([^\s"',;&()]+)/gi,
  // JSON Web Tokens anywhere.
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

/**
 * Removes credentials (Authorization values in any echoed shape, bearer and basic tokens,
 * Databricks tokens, JWTs, `token=`/`password:` pairs, `token <secret>`, passwords in URLs)
 * from text meant for logs or errors.
 *
 * @example
 * ```ts
 * import { redact } from "./errors.ts";
 * const out = redact(`refused: {'Authorization': 'Bearer x'}, token s3cr3t-1`);
 * if (out.includes("s3cr3t") || out.includes("Bearer x")) throw new Error(out);
 * ```
 */
export function redact(text: string): string {
  let out = text;
  out = out.replace(
    SECRET_PATTERNS[0]!,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ""}[REDACTED]`,
  );
  out = out.replace(SECRET_PATTERNS[1]!, "$1 [REDACTED]");
  out = out.replace(SECRET_PATTERNS[2]!, "[REDACTED]");
  out = out.replace(SECRET_PATTERNS[3]!, "$1[REDACTED]");
  out = out.replace(SECRET_PATTERNS[4]!, "$1[REDACTED]@");
  out = out.replace(
    SECRET_PATTERNS[5]!,
    (m, word: string, space: string, value: string) =>
      NOT_SECRETS.has(value.toLowerCase().replace(/[.!?]+$/, "")) ||
        value.toUpperCase() === value && /^[A-Z_]+$/.test(value) // e.g. "token MLFLOW_TRACKING_TOKEN"
        ? m
        : `${word}${space}[REDACTED]`,
  );
  out = out.replace(SECRET_PATTERNS[6]!, "[REDACTED]");
  return out;
}

/**
 * Replaces the given secret values (a token, a password) wherever they appear, whatever the
 * text around them; values shorter than 6 characters only where they stand as a whole token
 * (replacing every "x" would destroy the message), and 1-character values are left to
 * {@link redact}'s patterns.
 *
 * @example
 * ```ts
 * import { redactValues } from "./errors.ts";
 * const out = redactValues("echo: [Bearer, tok-123456]", ["tok-123456"]);
 * if (out !== "echo: [Bearer, [REDACTED]]") throw new Error(out);
 * ```
 */
export function redactValues(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s === undefined || s.length < 2) continue;
    if (s.length >= 6) out = out.replaceAll(s, "[REDACTED]");
    else {
      const escaped = s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(
        new RegExp(`(^|[^A-Za-z0-9._~+/=-])${escaped}(?![A-Za-z0-9._~+/=-])`, "g"),
        "$1[REDACTED]",
      );
    }
  }
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
