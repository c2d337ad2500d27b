import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, ROOT, tempDir } from "./_helpers.ts";

const COMMANDS = ["list", "show", "validate", "import", "split", "log", "generate"];

Deno.test("every command prints --help with usage and an example, exit 0", async (t) => {
  for (const c of COMMANDS) {
    await t.step(c, async () => {
      const r = await cli([c, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: deno task datasets ${c}`));
      assert.match(r.stdout, /Example: /);
      assert.match(r.stdout, /--json/);
    });
  }
  const main = await cli(["--help"]);
  assert.equal(main.code, 0);
  for (const c of COMMANDS) assert.match(main.stdout, new RegExp(`\\n  ${c} `));
});

Deno.test("bad usage exits 2 with a message on stderr", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["unknown command", ["frobnicate"], /Unknown command "frobnicate"/],
    ["unknown flag", ["list", "--nope"], /Unknown option '--nope'/],
    ["flag of another command", ["list", "--seed", "1"], /'list' does not take --seed/],
    ["missing name", ["show"], /Expected one dataset name/],
    [
      "bad ratio",
      ["split", "loan_approval_test_set", "--train-ratio", "1.5"],
      /train-ratio to be in \(0, 1\)/,
    ],
    ["bad seed", ["split", "loan_approval_test_set", "--seed", "x"], /seed to be an integer/],
    ["import without version", ["import", "a.csv", "--name", "x"], /needs --name and --version/],
    ["log without run", ["log", "loan_approval_test_set"], /needs --run-id/],
    ["unknown dataset", ["show", "no_such_dataset"], /not found/],
    [
      "unreadable schema file",
      ["validate", "loan_approval_test_set", "--schema", "/nonexistent/schema.json"],
      /Cannot read schema file \/nonexistent\/schema\.json: No such file/,
    ],
  ];
  for (const [label, args, re] of cases) {
    await t.step(label, async () => {
      const r = await cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
});

Deno.test("list, show, validate and split print one JSON document with --json", async () => {
  const list = JSON.parse((await cli(["list", "--json"])).stdout);
  assert.deepEqual(list.datasets.map((d: { name: string }) => d.name), [
    "baseline_v1",
    "current_month",
    "loan_approval_test_set",
  ]);
  const show = await cli(["show", "loan_approval_test_set", "--head", "2", "--json"]);
  const doc = JSON.parse(show.stdout);
  assert.equal(doc.versions[0].numRows, 1200);
  assert.equal(doc.head.length, 2);
  assert.match(
    doc.head[0].applicant_name,
    /^pd_[0-9a-f]{16}$/,
    "personal data is hashed in printed rows",
  );
  const val = JSON.parse((await cli(["validate", "loan_approval_test_set", "--json"])).stdout);
  assert.deepEqual([val.ok, val.rows], [true, 1200]);
  const split = JSON.parse(
    (await cli([
      "split",
      "loan_approval_test_set",
      "--seed",
      "42",
      "--stratify-by",
      "expected_outcome",
      "--json",
    ])).stdout,
  );
  assert.equal(split.train.rows, 960);
  assert.equal(split.test.rows, 240);
  assert.equal(split.train.operation.seed, 42);
});

Deno.test("validate of a bad file prints every issue with file:line and exits 2", async () => {
  const file = join(ROOT, "tests/fixtures/datasets/malformed/text_in_numeric.csv");
  const r = await cli(["validate", file, "--schema", "loan"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stdout,
    new RegExp(
      `${file}:3: 1\\.credit_score: Expected credit_score to be an integer but found "excellent"`,
    ),
  );
});

Deno.test("import then split --save through the CLI writes versions with lineage", async () => {
  await using dir = await tempDir();
  const file = join(ROOT, "tests/fixtures/datasets/valid_small.csv");
  const imp = await cli([
    "import",
    file,
    "--name",
    "small",
    "--version",
    "1.0.0",
    "--schema",
    "loan",
    "--tag",
    "a=b",
    "--base-path",
    dir.path,
    "--json",
  ]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.deepEqual(JSON.parse(imp.stdout).meta.tags, { a: "b" });
  const again = await cli([
    "import",
    file,
    "--name",
    "small",
    "--version",
    "1.0.0",
    "--schema",
    "loan",
    "--base-path",
    dir.path,
  ]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /Unchanged \(same content already saved\)/);
  const sp = await cli([
    "split",
    "small",
    "--train-ratio",
    "0.5",
    "--save",
    "--base-path",
    dir.path,
    "--json",
  ]);
  assert.equal(sp.code, 0, sp.stderr);
  const doc = JSON.parse(sp.stdout);
  assert.equal(doc.train.parents[0].name, "small");
  const list = JSON.parse((await cli(["list", "--base-path", dir.path, "--json"])).stdout);
  assert.deepEqual(list.datasets.map((d: { name: string }) => d.name), [
    "small",
    "small_test",
    "small_train",
  ]);
});
