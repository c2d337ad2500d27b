/**
 * #12 item 10: issue codes are a closed union with one documented meaning each, pinned here
 * (as zod pins its issue shapes). Adding, renaming or removing a code changes this list on purpose.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ISSUE_CODES, type IssueCode } from "../../lib/_internal/issue_codes.ts";
import type { Issue } from "../../lib/_internal/errors.ts";
import { ROOT } from "./_helpers.ts";

const PINNED = [
  "bad_character",
  "digest_mismatch",
  "duplicate_id",
  "duplicate_key",
  "duplicate_param",
  "empty",
  "empty_dataset",
  "empty_file",
  "empty_segment",
  "invalid_csv",
  "invalid_header",
  "invalid_id",
  "invalid_json",
  "invalid_key",
  "invalid_name",
  "invalid_option",
  "invalid_schema",
  "invalid_step",
  "invalid_text",
  "invalid_timestamp",
  "invalid_utf8",
  "invalid_value",
  "invalid_version",
  "key_too_long",
  "missing_column",
  "missing_field",
  "missing_name",
  "missing_target",
  "missing_user",
  "non_finite",
  "not_absolute",
  "not_an_array",
  "not_an_object",
  "not_found",
  "out_of_range",
  "ragged_row",
  "relative_segment",
  "too_deep",
  "too_long",
  "trailing_slash",
  "unknown_format",
  "unknown_root",
  "unsupported_encoding",
  "value_too_long",
  "version_exists",
  "wrong_delimiter",
  "wrong_type",
] as const satisfies readonly IssueCode[];

/** True only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/**
 * Type-checks only while `Issue.code` is exactly the pinned union: typed `string` (an open set),
 * or with a code added to ISSUE_CODES but not pinned, this line fails `deno check`.
 */
const CLOSED: Equals<Issue["code"], (typeof PINNED)[number]> = true;

function exhaustive(code: Issue["code"]): string {
  return ISSUE_CODES[code];
}

async function sources(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".ts")) {
        out.set(p.slice(ROOT.length + 1), await Deno.readTextFile(p));
      }
    }
  }
  await walk(join(ROOT, dir));
  return out;
}

Deno.test("the issue codes are exactly the pinned list, each with one non-empty, distinct meaning", () => {
  assert.equal(CLOSED, true);
  assert.deepEqual(Object.keys(ISSUE_CODES).sort(), [...PINNED]);
  const meanings = Object.values(ISSUE_CODES);
  for (const code of PINNED) {
    assert.ok(exhaustive(code).length >= 15, `${code} has no real meaning`);
    assert.match(code, /^[a-z]+(_[a-z0-9]+)*$/, "snake_case");
  }
  assert.equal(new Set(meanings).size, meanings.length, "two codes share a meaning");
});

Deno.test("no free-string issue codes in lib/ or scripts/, and every listed code is emitted somewhere", async () => {
  const files = new Map([...await sources("lib"), ...await sources("scripts")]);
  const listed = new Set<string>(PINNED);
  const used = new Set<string>();
  for (const [path, text] of files) {
    if (path === "lib/_internal/issue_codes.ts") continue;
    // Issue producers: `code: "x"`, `code = "x"`, `add("x", …)`, `? "x" : "y"` in an issue.
    for (const m of text.matchAll(/\bcode(?:: | = )"([a-z0-9_]+)"/g)) {
      const code = m[1]!;
      used.add(code);
      // zod's own codes (in lib/mlflow/schemas.ts and the server's zod-shaped HTTP issues) are
      // not evalkit issue codes.
      if (path.startsWith("lib/server/") || code === "custom" || text.includes("ctx.addIssue")) {
        continue;
      }
      assert.ok(listed.has(code), `${path}: code "${code}" is not in ISSUE_CODES`);
    }
    for (const m of text.matchAll(/\badd\(\s*"([a-z0-9_]+)"/g)) used.add(m[1]!);
    for (const m of text.matchAll(/code: [^,\n]*\? "([a-z0-9_]+)" : "([a-z0-9_]+)"/g)) {
      used.add(m[1]!).add(m[2]!);
    }
    // A `code: string` field on an issue-shaped object would reopen the union (schema.ts's
    // RowParseIssue carries zod's codes, which are zod's union).
    if (path === "lib/datasets/schema.ts") continue;
    assert.doesNotMatch(text, /^\s+code: string;\s*\n\s+\/\*\*[^*]*\*\/\s*\n\s+path:/m, path);
  }
  const scanner = files.get("lib/datasets/_json_scan.ts")!;
  for (const m of scanner.matchAll(/"(invalid_json|duplicate_key|too_deep)"/g)) used.add(m[1]!);
  const unused = PINNED.filter((c) => !used.has(c));
  assert.deepEqual(unused, [], "codes listed but never emitted");
});

Deno.test("docs/datasets.md documents every code the datasets module emits", async () => {
  const doc = await Deno.readTextFile(join(ROOT, "docs/datasets.md"));
  const files = await sources("lib/datasets");
  const codes = new Set<string>();
  for (const text of files.values()) {
    for (
      const m of text.matchAll(
        /\bcode(?:: | = )"([a-z0-9_]+)"|code: [^,\n]*\? "([a-z0-9_]+)" : "([a-z0-9_]+)"/g,
      )
    ) {
      for (const c of m.slice(1)) if (c !== undefined) codes.add(c);
    }
  }
  codes.add("duplicate_key").add("too_deep");
  for (const c of codes) {
    assert.ok(doc.includes(`\`${c}\``), `docs/datasets.md does not mention ${c}`);
  }
});
