/**
 * Checks made before anything is sent to MLflow, mirroring the server's own rules
 * (`mlflow/utils/validation.py`): key names, value lengths, duplicate params, experiment
 * tag and dataset field limits. Validation returns issues; the `assert…` functions throw
 * them as {@link MlflowValidationError}.
 *
 * @module
 */
import { formatIssue, type Issue } from "../_internal/errors.ts";
import type { DatasetInput, MetricInput, Param, RunTag } from "./types.ts";

/** Server limits (`mlflow/utils/validation.py`). */
export const MLFLOW_LIMITS: {
  readonly maxKeyLength: number;
  readonly maxParamValueLength: number;
  readonly maxTagValueLength: number;
  readonly maxExperimentTagKeyLength: number;
  readonly maxExperimentTagValueLength: number;
  readonly maxDatasetNameLength: number;
  readonly maxDatasetDigestLength: number;
  readonly maxDatasetSourceLength: number;
  readonly maxDatasetSchemaLength: number;
  readonly maxDatasetProfileLength: number;
  readonly maxInputTagKeyLength: number;
  readonly maxInputTagValueLength: number;
} = Object.freeze({
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxExperimentTagKeyLength: 250,
  maxExperimentTagValueLength: 5000,
  maxDatasetNameLength: 500,
  maxDatasetDigestLength: 36,
  maxDatasetSourceLength: 65535,
  maxDatasetSchemaLength: 1_048_575,
  maxDatasetProfileLength: 16_777_215,
  maxInputTagKeyLength: 255,
  maxInputTagValueLength: 500,
});

/**
 * Thrown when values are refused before sending; carries every issue found.
 *
 * @example
 * ```ts
 * import { assertValidKey, MlflowValidationError } from "@evalkit/evalkit/mlflow";
 * try {
 *   assertValidKey("a//b", "metric");
 * } catch (err) {
 *   if (!(err instanceof MlflowValidationError)) throw err;
 *   if (err.issues[0]?.code !== "invalid_key") throw new Error("unexpected");
 * }
 * ```
 */
export class MlflowValidationError extends Error {
  /** Every problem found. */
  readonly issues: Issue[];
  /** Creates the error; the message lists the first issues. */
  constructor(message: string, issues: Issue[]) {
    const shown = issues.slice(0, 5).map((i) => `  - ${formatIssue(i)}`);
    const more = issues.length > 5 ? [`  … and ${issues.length - 5} more`] : [];
    super([message, ...shown, ...more].join("\n"));
    this.name = "MlflowValidationError";
    this.issues = issues;
  }
}

// Python's `^[/\w.\- :]*$` with Unicode word characters.
const KEY_RE = /^[/\p{L}\p{N}_.\- :]*$/u;

/** POSIX `normpath`, as Python's `posixpath.normpath`. */
function normpath(path: string): string {
  if (path === "") return ".";
  let initial = 0;
  if (path.startsWith("/")) initial = path.startsWith("//") && !path.startsWith("///") ? 2 : 1;
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (initial === 0 && out.length === 0) || out.at(-1) === "..") {
      out.push(part);
    } else if (out.length > 0) out.pop();
  }
  const joined = "/".repeat(initial) + out.join("/");
  return joined === "" ? "." : joined;
}

/** Kinds of keys, used in messages. */
export type KeyKind = "metric" | "param" | "tag" | "experiment tag";

/**
 * Checks one key: allowed characters (letters, digits, `_ - . / :` and space), at most 250
 * characters, and "path-unique" (no `//`, `./`, `..`, leading or trailing `/`).
 *
 * @example
 * ```ts
 * import { validateKey } from "@evalkit/evalkit/mlflow";
 * if (validateKey("eval/accuracy", "metric").length !== 0) throw new Error("should be valid");
 * if (validateKey("bad$key", "metric")[0]?.code !== "invalid_key") throw new Error("should fail");
 * ```
 */
export function validateKey(
  key: unknown,
  kind: KeyKind,
  path: (string | number)[] = [],
): Issue[] {
  if (typeof key !== "string") {
    return [{ code: "invalid_key", path, message: `Expected the ${kind} key to be a string` }];
  }
  if (key.length > MLFLOW_LIMITS.maxKeyLength) {
    return [{
      code: "key_too_long",
      path,
      message: `Expected the ${kind} key to have at most ${MLFLOW_LIMITS.maxKeyLength} ` +
        `characters but found ${key.length}`,
    }];
  }
  if (!KEY_RE.test(key)) {
    return [{
      code: "invalid_key",
      path,
      message: `Invalid ${kind} key '${key}': only letters, digits, underscores (_), ` +
        `dashes (-), periods (.), spaces ( ), colons (:) and slashes (/) are allowed`,
    }];
  }
  const norm = normpath(key);
  if (norm !== key || norm === "." || norm.startsWith("..") || norm.startsWith("/")) {
    return [{
      code: "invalid_key",
      path,
      message: `Invalid ${kind} key '${key}': it must be a normalized relative path ` +
        `(no empty, '.' or '..' segments, no leading or trailing '/')`,
    }];
  }
  return [];
}

/**
 * Throws {@link MlflowValidationError} when {@link validateKey} finds an issue.
 *
 * @example
 * ```ts
 * import { assertValidKey } from "@evalkit/evalkit/mlflow";
 * assertValidKey("loss", "metric");
 * ```
 */
export function assertValidKey(key: unknown, kind: KeyKind): void {
  const issues = validateKey(key, kind);
  if (issues.length > 0) throw new MlflowValidationError(`Invalid ${kind} key`, issues);
}

/** Options for value checks. */
export interface TruncateOptions {
  /**
   * Cut param values to 6000 and run tag values to 8000 characters, as the server would
   * silently do, instead of refusing them. Default false.
   */
  truncate?: boolean;
}

/** A log-batch ready to send: every metric has a timestamp and a step. */
export interface NormalizedLogBatch {
  /** Metrics with timestamp and step filled in. */
  metrics:
    & Required<Pick<MetricInput, "key" | "value" | "timestamp" | "step">>[]
    & MetricInput[];
  /** Params. */
  params: Param[];
  /** Tags. */
  tags: RunTag[];
}

/** What `logBatch` accepts. */
export interface LogBatchInput {
  /** Metric points. */
  metrics?: MetricInput[];
  /** Params, as a record or a list (a list may repeat a key, which is refused). */
  params?: Record<string, string | number | boolean> | Param[];
  /** Run tags, as a record or a list. */
  tags?: Record<string, string> | RunTag[];
}

function toPairs(
  value: Record<string, string | number | boolean> | { key: string; value: string }[] | undefined,
): { key: string; value: unknown }[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  return Object.entries(value).map(([key, v]) => ({ key, value: v }));
}

function checkValue(
  value: unknown,
  max: number,
  kind: "param" | "tag",
  path: (string | number)[],
  truncate: boolean,
  issues: Issue[],
): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else {
    issues.push({
      code: "wrong_type",
      path,
      message: `Expected the ${kind} value to be a string but found ${typeof value}`,
    });
    return "";
  }
  if (text.length > max) {
    if (truncate) return text.slice(0, max);
    issues.push({
      code: "value_too_long",
      path,
      message: `The ${kind} value has ${text.length} characters; MLflow keeps at most ${max} ` +
        `(the server would silently truncate it). Shorten it, or pass { truncate: true }`,
    });
  }
  return text;
}

/**
 * Checks and normalises a log-batch: key names, metric values (numbers; NaN and ±Infinity
 * allowed), integer timestamps ≥ 0 and steps, param values ≤ 6000 and tag values ≤ 8000
 * characters (refused unless `truncate`), and no param key twice. Missing timestamps
 * become `now` and missing steps 0; a tag given twice keeps its last value.
 *
 * @example
 * ```ts
 * import { validateLogBatch } from "@evalkit/evalkit/mlflow";
 * const { issues, batch } = validateLogBatch({ metrics: [{ key: "loss", value: 0.5 }] }, { now: 1000 });
 * if (issues.length !== 0 || batch.metrics[0]?.timestamp !== 1000) throw new Error("unexpected");
 * ```
 */
export function validateLogBatch(
  input: LogBatchInput,
  options: TruncateOptions & { now?: number } = {},
): { issues: Issue[]; batch: NormalizedLogBatch } {
  const issues: Issue[] = [];
  const truncate = options.truncate ?? false;
  const now = options.now ?? Date.now();
  const goodKeys = new Set<string>();
  const keyOk = (key: unknown, kind: KeyKind, path: (string | number)[]) => {
    if (typeof key === "string" && goodKeys.has(key)) return;
    const found = validateKey(key, kind, path);
    if (found.length === 0) goodKeys.add(key as string);
    else issues.push(...found);
  };
  const metrics: NormalizedLogBatch["metrics"] = [];
  const list = input.metrics ?? [];
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    keyOk(m.key, "metric", ["metrics", i, "key"]);
    if (typeof m.value !== "number") {
      issues.push({
        code: "wrong_type",
        path: ["metrics", i, "value"],
        message: `Expected the metric value to be a number but found ${typeof m.value}`,
      });
    }
    const timestamp = m.timestamp ?? now;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      issues.push({
        code: "invalid_timestamp",
        path: ["metrics", i, "timestamp"],
        message: `Expected the timestamp to be an integer >= 0 (ms) but found ${timestamp}`,
      });
    }
    const step = m.step ?? 0;
    if (!Number.isSafeInteger(step)) {
      issues.push({
        code: "invalid_step",
        path: ["metrics", i, "step"],
        message: `Expected the step to be an integer but found ${step}`,
      });
    }
    metrics.push(
      m.timestamp === timestamp && m.step === step ? m as NormalizedLogBatch["metrics"][number] : {
        ...m,
        timestamp,
        step,
      },
    );
  }
  const params: Param[] = [];
  const seen = new Map<string, number>();
  toPairs(input.params).forEach((p, i) => {
    keyOk(p.key, "param", ["params", i, "key"]);
    const value = checkValue(
      p.value,
      MLFLOW_LIMITS.maxParamValueLength,
      "param",
      ["params", i, "value"],
      truncate,
      issues,
    );
    const first = seen.get(p.key);
    if (first !== undefined) {
      issues.push({
        code: "duplicate_param",
        path: ["params", i, "key"],
        message: `Param '${p.key}' appears twice in one batch (first at index ${first}); ` +
          `MLflow refuses duplicate param keys in a batch`,
      });
    } else seen.set(p.key, i);
    params.push({ key: p.key, value });
  });
  // A tag set twice keeps its last value, as sequential set-tag calls would.
  const tagMap = new Map<string, RunTag>();
  toPairs(input.tags).forEach((t, i) => {
    keyOk(t.key, "tag", ["tags", i, "key"]);
    const value = checkValue(
      t.value,
      MLFLOW_LIMITS.maxTagValueLength,
      "tag",
      ["tags", i, "value"],
      truncate,
      issues,
    );
    tagMap.delete(t.key);
    tagMap.set(t.key, { key: t.key, value });
  });
  return { issues, batch: { metrics, params, tags: [...tagMap.values()] } };
}

/**
 * {@link validateLogBatch} that throws {@link MlflowValidationError} on any issue and
 * returns the normalised batch.
 *
 * @example
 * ```ts
 * import { assertValidLogBatch } from "@evalkit/evalkit/mlflow";
 * const batch = assertValidLogBatch({ params: { model: "gpt-x" } });
 * if (batch.params[0]?.value !== "gpt-x") throw new Error("unexpected");
 * ```
 */
export function assertValidLogBatch(
  input: LogBatchInput,
  options: TruncateOptions & { now?: number } = {},
): NormalizedLogBatch {
  const { issues, batch } = validateLogBatch(input, options);
  if (issues.length > 0) {
    throw new MlflowValidationError("Refused to log the batch: it breaks MLflow's rules", issues);
  }
  return batch;
}

/**
 * Checks an experiment tag: key rules, key ≤ 250 and value ≤ 5000 characters (the server
 * refuses longer ones).
 *
 * @example
 * ```ts
 * import { validateExperimentTag } from "@evalkit/evalkit/mlflow";
 * if (validateExperimentTag("team", "x".repeat(5001))[0]?.code !== "value_too_long") {
 *   throw new Error("should refuse");
 * }
 * ```
 */
export function validateExperimentTag(key: unknown, value: unknown): Issue[] {
  const issues = validateKey(key, "experiment tag", ["key"]);
  if (typeof value !== "string") {
    issues.push({ code: "wrong_type", path: ["value"], message: "Expected a string value" });
  } else if (value.length > MLFLOW_LIMITS.maxExperimentTagValueLength) {
    issues.push({
      code: "value_too_long",
      path: ["value"],
      message: `Expected the experiment tag value to have at most ` +
        `${MLFLOW_LIMITS.maxExperimentTagValueLength} characters but found ${value.length}`,
    });
  }
  return issues;
}

function lengthIssue(
  value: unknown,
  max: number,
  what: string,
  path: (string | number)[],
  required: boolean,
): Issue[] {
  if (value === undefined && !required) return [];
  if (typeof value !== "string" || (required && value === "")) {
    return [{ code: "missing_field", path, message: `Expected ${what} to be a non-empty string` }];
  }
  if (value.length > max) {
    return [{
      code: "value_too_long",
      path,
      message: `Expected ${what} to have at most ${max} characters but found ${value.length}`,
    }];
  }
  return [];
}

/**
 * Checks dataset inputs against MLflow's limits: name ≤ 500, digest ≤ 36, source ≤ 65535,
 * schema ≤ 1,048,575 and profile ≤ 16,777,215 characters; input tag key ≤ 255 and value
 * ≤ 500 characters.
 *
 * @example
 * ```ts
 * import { validateDatasetInputs } from "@evalkit/evalkit/mlflow";
 * const issues = validateDatasetInputs([{
 *   dataset: { name: "golden", digest: "x".repeat(40), sourceType: "local", source: "{}" },
 * }]);
 * if (issues[0]?.path.join(".") !== "datasets.0.dataset.digest") throw new Error("unexpected");
 * ```
 */
export function validateDatasetInputs(datasets: DatasetInput[]): Issue[] {
  const L = MLFLOW_LIMITS;
  const issues: Issue[] = [];
  datasets.forEach((input, i) => {
    const d = input.dataset ?? ({} as DatasetInput["dataset"]);
    const p = (f: string) => ["datasets", i, "dataset", f];
    issues.push(
      ...lengthIssue(d.name, L.maxDatasetNameLength, "the dataset name", p("name"), true),
      ...lengthIssue(d.digest, L.maxDatasetDigestLength, "the dataset digest", p("digest"), true),
      ...lengthIssue(d.sourceType, 1 << 30, "the dataset source type", p("sourceType"), true),
      ...lengthIssue(d.source, L.maxDatasetSourceLength, "the dataset source", p("source"), true),
      ...lengthIssue(d.schema, L.maxDatasetSchemaLength, "the dataset schema", p("schema"), false),
      ...lengthIssue(
        d.profile,
        L.maxDatasetProfileLength,
        "the dataset profile",
        p("profile"),
        false,
      ),
    );
    for (const [key, value] of Object.entries(input.tags ?? {})) {
      const tp = ["datasets", i, "tags", key];
      issues.push(
        ...lengthIssue(key, L.maxInputTagKeyLength, "the input tag key", tp, true),
        ...lengthIssue(value, L.maxInputTagValueLength, `the input tag '${key}'`, tp, true),
      );
    }
  });
  return issues;
}
