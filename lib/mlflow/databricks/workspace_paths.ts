/**
 * Experiment names on Databricks are workspace paths.
 *
 * @module
 */
import type { Issue, IssueCode } from "../../_internal/errors.ts";

/** The result of {@link validateWorkspaceExperimentName}. */
export interface WorkspacePathValidation {
  /** True when the name can be used as a Databricks experiment name. */
  ok: boolean;
  /** Every problem found. */
  issues: Issue[];
}

// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\x00-\x1f\x7f\\]/;

/**
 * Checks that an experiment name is an absolute workspace path Databricks accepts:
 * `/Shared/<...>`, `/Users/<user>/<...>` (also with a leading `/Workspace`), no empty,
 * `.` or `..` segments, no trailing slash, no control characters, at most 1000 characters.
 *
 * @example
 * ```ts
 * import { validateWorkspaceExperimentName } from "@evalkit/evalkit/databricks";
 * if (!validateWorkspaceExperimentName("/Shared/ai-agents/loan_approval").ok) throw new Error("valid");
 * const bad = validateWorkspaceExperimentName("loan_approval");
 * if (bad.ok || bad.issues[0]?.code !== "not_absolute") throw new Error("expected not_absolute");
 * ```
 */
export function validateWorkspaceExperimentName(name: string): WorkspacePathValidation {
  const issues: Issue[] = [];
  const add = (code: IssueCode, message: string) =>
    issues.push({ code, path: ["experimentName"], message });
  if (typeof name !== "string" || name.trim() === "") {
    add(
      "empty",
      "Expected an experiment name like '/Shared/ai-agents/<agent>' but found an empty name",
    );
    return { ok: false, issues };
  }
  if (!name.startsWith("/")) {
    add(
      "not_absolute",
      `Expected an absolute workspace path like '/Shared/ai-agents/${name}' or '/Users/<user>/${name}' but found '${name}'`,
    );
    return { ok: false, issues };
  }
  if (name.length > 1000) {
    add("too_long", `Expected at most 1000 characters but found ${name.length}`);
  }
  if (FORBIDDEN.test(name)) {
    add("bad_character", `Expected no control characters or backslashes in '${name}'`);
  }
  if (name.endsWith("/")) add("trailing_slash", `Expected no trailing slash in '${name}'`);
  const segments = name.slice(1).replace(/\/$/, "").split("/");
  if (segments.some((s) => s === "")) {
    add("empty_segment", `Expected no empty path segments ('//') in '${name}'`);
  }
  if (segments.some((s) => s === "." || s === "..")) {
    add("relative_segment", `Expected no '.' or '..' segments in '${name}'`);
  }
  const rest = segments[0] === "Workspace" ? segments.slice(1) : segments;
  const root = rest[0];
  if (root === "Shared") {
    if (rest.length < 2) {
      add("missing_name", `Expected '/Shared/<folder…>/<name>' but found '${name}'`);
    }
  } else if (root === "Users") {
    if (rest.length < 3 || rest[1] === "") {
      add(
        "missing_user",
        `Expected '/Users/<user>/<name>' (user is the workspace user name) but found '${name}'`,
      );
    }
  } else {
    add(
      "unknown_root",
      `Expected the path to start with /Shared/ or /Users/<user>/ but found '${name}'`,
    );
  }
  return { ok: issues.length === 0, issues };
}

/**
 * Throws a `TypeError` listing the problems when the name is not a valid workspace path.
 *
 * @example
 * ```ts
 * import { assertWorkspaceExperimentName } from "@evalkit/evalkit/databricks";
 * assertWorkspaceExperimentName("/Users/ana@example.com/loan-eval");
 * ```
 */
export function assertWorkspaceExperimentName(name: string): void {
  const { ok, issues } = validateWorkspaceExperimentName(name);
  if (!ok) {
    throw new TypeError(
      `Invalid Databricks experiment name: ${issues.map((i) => i.message).join("; ")}`,
    );
  }
}

/**
 * The conventional experiment of an agent on Databricks: `/Shared/ai-agents/<agent>`, or
 * `/Users/<user>/ai-agents/<agent>` when a user is given.
 *
 * @example
 * ```ts
 * import { agentExperimentPath } from "@evalkit/evalkit/databricks";
 * if (agentExperimentPath("loan_approval") !== "/Shared/ai-agents/loan_approval") throw new Error();
 * ```
 */
export function agentExperimentPath(agent: string, options: { user?: string } = {}): string {
  if (agent === "" || agent.includes("/")) {
    throw new TypeError(`Expected an agent name without '/' but found '${agent}'`);
  }
  const path = options.user === undefined
    ? `/Shared/ai-agents/${agent}`
    : `/Users/${options.user}/ai-agents/${agent}`;
  assertWorkspaceExperimentName(path);
  return path;
}
