/**
 * #18 items 13 and 15: every error csv-parse can raise becomes a located issue, and CSV rows
 * carry their physical line. The codes are read from csv-parse's own source in the npm cache.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CsvError } from "csv-parse/stream";
import { CSV_ERROR_KINDS, parseCsvRecords } from "../../lib/_internal/csv.ts";
import { DatasetError, parseDatasetBytes, readCsvStream } from "../../lib/datasets/mod.ts";

const enc = new TextEncoder();
const HEADER = "request_id,name,score\n";

async function csvIssue(
  text: string,
  options: { delimiter?: string; maxRecordSize?: number } = {},
) {
  try {
    await parseDatasetBytes(enc.encode(text), { format: "csv", file: "t.csv", ...options });
  } catch (err) {
    if (err instanceof DatasetError) return err.issues[0]!;
    throw err;
  }
  throw new Error("expected a DatasetError");
}

/** csv-parse's error codes, from the `new CsvError("CODE"` calls in its installed source. */
async function csvParseCodes(): Promise<Set<string>> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const cache = JSON.parse(new TextDecoder().decode(info.stdout)).npmCache as string;
  const deno = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const version = /csv-parse@([\d.]+)/.exec(deno.imports["csv-parse"])![1]!;
  const dir = join(cache, "registry.npmjs.org", "csv-parse", version, "lib");
  const codes = new Set<string>();
  async function walk(d: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".js")) {
        const src = await Deno.readTextFile(p);
        for (const m of src.matchAll(/new CsvError\(\s*"([A-Z_]+)"/g)) codes.add(m[1]!);
      }
    }
  }
  await walk(dir);
  return codes;
}

Deno.test("CSV_ERROR_KINDS places every error code in csv-parse's source (none missing, none invented)", async () => {
  const codes = await csvParseCodes();
  assert.ok(codes.size >= 20, `only ${codes.size} codes found`);
  // CSV_UNKNOWN_ERROR is declared in the type but raised by wrapping, not by `new CsvError`.
  const ours = new Set(Object.keys(CSV_ERROR_KINDS));
  for (const c of codes) assert.ok(ours.has(c), `csv-parse raises ${c}, not placed`);
  for (const c of ours) {
    assert.ok(codes.has(c) || c === "CSV_UNKNOWN_ERROR", `${c} is not in csv-parse's source`);
  }
});

Deno.test("every csv-parse error code, raised by the parser, becomes a located issue and never escapes", async (t) => {
  for (const code of Object.keys(CSV_ERROR_KINDS) as (keyof typeof CSV_ERROR_KINDS)[]) {
    await t.step(code, async () => {
      // The parser's error as csv-parse builds it, raised from inside the stream on line 1,
      // field 1, before any record was read.
      const raised = new CsvError(code as never, `${code} happened`, {} as never, {
        lines: 1,
        empty_lines: 0,
        records: 0,
        column: 1,
      });
      const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(raised) });
      const err = await readCsvStream(stream, { file: "t.csv" }).then(
        () => assert.fail("no error"),
        (e) => e,
      );
      assert.ok(err instanceof DatasetError, String(err));
      const issue = err.issues[0]!;
      const kind = CSV_ERROR_KINDS[code];
      const want = kind === "ragged"
        ? "ragged_row"
        : kind === "option"
        ? "invalid_option"
        : "invalid_csv";
      assert.equal(issue.code, want);
      assert.equal(issue.file, "t.csv");
      assert.ok(issue.message.includes(`${code} happened`), "csv-parse's own words are kept");
      if (kind !== "option") {
        assert.equal(issue.line, 1);
        assert.deepEqual(issue.path, kind === "ragged" ? [] : [1], "field 1 of the header line");
      } else assert.equal(issue.line, undefined);
    });
  }
});

Deno.test("the CSV errors real input produces are located: file, physical line, row and field", async (t) => {
  const cases: {
    name: string;
    text: string;
    code: string;
    line: number;
    path: (string | number)[];
    opts?: { maxRecordSize?: number };
  }[] = [
    {
      name: "INVALID_OPENING_QUOTE (a quote inside an unquoted value)",
      text: HEADER + 'a,Ada,1\nT-2,Alan "The" Turing,2\n',
      code: "invalid_csv",
      line: 3,
      path: [1, "name"],
    },
    {
      name: "CSV_INVALID_CLOSING_QUOTE (text after the closing quote), after a blank line",
      text: HEADER + 'a,Ada,1\n\n"T-2"x,Alan,2\n',
      code: "invalid_csv",
      line: 4,
      path: [1, "request_id"],
    },
    {
      name: "CSV_INVALID_CLOSING_QUOTE on the second line of a record with a quoted newline",
      text: HEADER + 'a,Ada,1\n\nb,"Al\nan"x,2\n',
      code: "invalid_csv",
      line: 5,
      path: [1, "name"],
    },
    {
      name: "CSV_QUOTE_NOT_CLOSED: the line the record starts on, not the end of the file",
      text: HEADER + '\na,Ada,1\nb,"Alan,2\nc,Grace,3\n',
      code: "invalid_csv",
      line: 4,
      path: [1, "name"],
    },
    {
      name: "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH on a record spanning two lines",
      text: HEADER + 'a,Ada,1\n"b","Al\nan"\n',
      code: "ragged_row",
      line: 3,
      path: [1],
    },
    {
      name: "CSV_MAX_RECORD_SIZE",
      text: HEADER + "a,Ada,1\nb," + "x".repeat(200) + ",2\n",
      code: "invalid_csv",
      line: 3,
      path: [1, "name"],
      opts: { maxRecordSize: 100 },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const issue = await csvIssue(c.text, c.opts);
      assert.equal(issue.code, c.code, issue.message);
      assert.equal(issue.line, c.line, issue.message);
      assert.deepEqual(issue.path, c.path, issue.message);
      assert.equal(issue.file, "t.csv");
    });
  }
  await t.step(
    "CSV_INVALID_OPTION_DELIMITER and other unusable delimiters: invalid_option",
    async () => {
      for (const d of ["", '"', "\n", "\r"]) {
        const issue = await csvIssue(HEADER + "a,b,1\n", { delimiter: d });
        assert.equal(issue.code, "invalid_option", JSON.stringify(d));
        assert.deepEqual(issue.path, ["delimiter"]);
      }
    },
  );
});

Deno.test("CSV rows carry their physical line: blank lines and newlines inside quotes are counted", async () => {
  const text = 'id,v\n\na,1\n\n\nb,"x\ny\nz"\nc,3\n\nd,4';
  const lines: number[] = [];
  for await (const r of parseCsvRecords(ReadableStream.from([enc.encode(text)]))) {
    lines.push(r.line);
  }
  assert.deepEqual(lines, [1, 3, 6, 9, 11]);
  const r = await parseDatasetBytes(enc.encode(text), { format: "csv", id: "id" });
  assert.deepEqual(r.rows.map((_, i) => r.lineOf(i)), [3, 6, 9, 11]);
  // A declared schema takes the other code path: the same lines.
  const schema = {
    columns: [{ name: "id", type: "string" as const }, { name: "v", type: "string" as const }],
  };
  const s = await parseDatasetBytes(enc.encode(text), { format: "csv", schema });
  assert.deepEqual(s.rows.map((_, i) => s.lineOf(i)), [3, 6, 9, 11]);
  // Windows line ends count the same.
  const crlf = await parseDatasetBytes(enc.encode(text.replaceAll("\n", "\r\n")), {
    format: "csv",
    id: "id",
  });
  assert.deepEqual(crlf.rows.map((_, i) => crlf.lineOf(i)), [3, 6, 9, 11]);
  assert.equal(crlf.rows[1]!.v, "x\r\ny\r\nz");
});

Deno.test('`datasets validate|import --delimiter ""` is refused with exit 2 and invalid_option (was silently a comma)', async () => {
  const { cli, ROOT } = await import("./_helpers.ts");
  const file = join(ROOT, "tests/fixtures/datasets/valid_small.csv");
  for (const args of [["validate", file], ["import", file, "--name", "x", "--version", "1.0.0"]]) {
    const r = await cli([
      ...args,
      "--delimiter",
      "",
      "--base-path",
      "/nonexistent-evalkit",
      "--json",
    ]);
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.issues[0].code, "invalid_option", r.stdout);
    assert.equal(doc.issues[0].file, file);
  }
  // A real one-character delimiter still works from the CLI.
  const tsv = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    await Deno.writeTextFile(tsv, "request_id;x\na;1\n");
    const ok = await cli(["validate", tsv, "--format", "csv", "--delimiter", ";", "--json"]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  } finally {
    await Deno.remove(tsv);
  }
});

Deno.test("a stream error that is not csv-parse's (an I/O error) passes through unchanged", async () => {
  const io = Object.assign(new Error("disk went away"), { code: "EIO" });
  const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(io) });
  await assert.rejects(readCsvStream(stream, { file: "t.csv" }), (e) => e === io);
});

Deno.test("a csv-parse code this version does not know yet is still a located invalid_csv issue", async () => {
  const future = new CsvError("CSV_SOMETHING_NEW" as never, "new", {} as never, {
    lines: 1,
    empty_lines: 0,
    records: 0,
    column: 0,
  });
  const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(future) });
  const err = await readCsvStream(stream, { file: "t.csv" }).then(() => undefined, (e) => e);
  assert.ok(err instanceof DatasetError, String(err));
  assert.deepEqual([err.issues[0]!.code, err.issues[0]!.line], ["invalid_csv", 1]);
});
