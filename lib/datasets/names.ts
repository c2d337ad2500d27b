/**
 * Dataset names and versions: what is allowed, and how versions sort.
 *
 * @module
 */
import type { Issue } from "../_internal/errors.ts";

/**
 * What a dataset name may look like: 1–100 characters, lowercase letters, digits, `_` and
 * `-`, starting with a letter (so never a path). The one definition: {@link checkDatasetName}
 * and the Loan Agent API's request schema both use it.
 *
 * @example
 * ```ts
 * import { DATASET_NAME_PATTERN } from "@evalkit/evalkit/datasets";
 * if (!DATASET_NAME_PATTERN.test("baseline_v1") || DATASET_NAME_PATTERN.test("a/b")) {
 *   throw new Error("pattern");
 * }
 * ```
 */
export const DATASET_NAME_PATTERN: RegExp = /^[a-z][a-z0-9_-]{0,99}$/;
const NAME_RE = DATASET_NAME_PATTERN;
const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const DATE_RE =
  /^\d{4}([.-](0[1-9]|1[0-2]))([.-](0[1-9]|[12]\d|3[01]))?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/**
 * The dataset versions {@link checkDatasetVersion} accepts, as one regular expression (semver
 * or date-like); usable as a JSON Schema `pattern`.
 *
 * @example
 * ```ts
 * import { DATASET_VERSION_PATTERN } from "@evalkit/evalkit/datasets";
 * if (!DATASET_VERSION_PATTERN.test("2025.10") || DATASET_VERSION_PATTERN.test("latest")) {
 *   throw new Error("pattern");
 * }
 * ```
 */
export const DATASET_VERSION_PATTERN: RegExp = new RegExp(
  `^(?:${SEMVER_RE.source.slice(1, -1)}|${DATE_RE.source.slice(1, -1)})$`,
);

/**
 * Checks a dataset name: 1–100 characters, lowercase letters, digits, `_` and `-`, starting
 * with a letter. Names become folder names, so `..`, slashes and dots are refused.
 * Returns the issues (empty when valid).
 *
 * @example
 * ```ts
 * import { checkDatasetName } from "@evalkit/evalkit/datasets";
 * if (checkDatasetName("loan_approval_test_set").length !== 0) throw new Error("valid");
 * if (checkDatasetName("../../etc/passwd")[0]?.code !== "invalid_name") throw new Error("invalid");
 * ```
 */
export function checkDatasetName(name: string): Issue[] {
  if (NAME_RE.test(name)) return [];
  const why = name === ""
    ? "it is empty"
    : /[/\\]/.test(name)
    ? "it contains a path separator"
    : name.includes("..")
    ? "it contains '..'"
    : "only lowercase letters, digits, '_' and '-' are allowed, starting with a letter (max 100)";
  return [{
    code: "invalid_name",
    path: ["name"],
    message: `Invalid dataset name ${JSON.stringify(name)}: ${why}`,
  }];
}

/**
 * Checks a version: semver (`1.0.0`, `1.0.0-s42.t80`) or date-like (`2025.10`, `2025-10-31`).
 *
 * @example
 * ```ts
 * import { checkDatasetVersion } from "@evalkit/evalkit/datasets";
 * if (checkDatasetVersion("2025.10").length !== 0) throw new Error("valid");
 * if (checkDatasetVersion("v1/../x").length !== 1) throw new Error("invalid");
 * ```
 */
export function checkDatasetVersion(version: string): Issue[] {
  if (DATASET_VERSION_PATTERN.test(version)) return [];
  return [{
    code: "invalid_version",
    path: ["version"],
    message: `Invalid dataset version ${
      JSON.stringify(version)
    }: expected semver like 1.0.0 or a date like 2025.10 or 2025-10-31`,
  }];
}

function parts(v: string): { main: number[]; pre: string[] | undefined } {
  // Date versions like 2025-10-31 use '-' as a separator, so only a '-' followed by a part
  // with a letter starts a pre-release.
  const m = /^(\d+(?:[.-]\d+)*?)(?:-([0-9A-Za-z.-]*[A-Za-z][0-9A-Za-z.-]*))?$/.exec(v);
  if (!m) return { main: [Number.NaN], pre: undefined };
  return { main: m[1]!.split(/[.-]/).map(Number), pre: m[2]?.split(".") };
}

/**
 * Orders two versions: numeric parts compared as numbers, and a pre-release (`1.0.0-rc.1`)
 * before its release. Returns a negative number, zero or a positive number.
 *
 * @example
 * ```ts
 * import { compareVersions } from "@evalkit/evalkit/datasets";
 * const sorted = ["1.10.0", "1.2.0", "1.2.0-rc.1"].sort(compareVersions);
 * if (sorted.join() !== "1.2.0-rc.1,1.2.0,1.10.0") throw new Error(sorted.join());
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a), pb = parts(b);
  const n = Math.max(pa.main.length, pb.main.length);
  for (let i = 0; i < n; i++) {
    const x = pa.main[i] ?? 0, y = pb.main[i] ?? 0;
    if (x !== y) return x - y;
  }
  if (pa.pre === undefined && pb.pre === undefined) return 0;
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  const m = Math.max(pa.pre.length, pb.pre.length);
  for (let i = 0; i < m; i++) {
    const x = pa.pre[i], y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN, ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
