import assert from "node:assert/strict";
import {
  barChartSpec,
  binValues,
  confusionMatrixSvg,
  displayBundle,
  formatValue,
  heatmapSpec,
  histogramSpec,
  htmlReport,
  htmlTable,
  markdownTable,
} from "../../lib/report/mod.ts";

Deno.test("htmlTable() escapes cells and right-aligns numbers", () => {
  const html = htmlTable(["name", "n"], [["<script>&", 3], [null, 0.123456]], { caption: "a<b" });
  assert.equal(
    html,
    '<table class="evalkit-table"><caption>a&lt;b</caption><thead><tr><th>name</th><th>n</th></tr></thead><tbody>' +
      '<tr><td>&lt;script&gt;&amp;</td><td style="text-align:right">3</td></tr>' +
      '<tr><td></td><td style="text-align:right">0.1235</td></tr></tbody></table>',
  );
});

Deno.test("htmlTable() and markdownTable() cut long tables with a count of what is left", () => {
  const rows = Array.from({ length: 5 }, (_, i) => [i]);
  assert.ok(htmlTable(["i"], rows, { maxRows: 2 }).endsWith("<p>… 3 more rows</p>"));
  assert.ok(markdownTable(["i"], rows, { maxRows: 2 }).endsWith("… 3 more rows"));
});

Deno.test("markdownTable() escapes pipes and newlines and right-aligns numeric columns", () => {
  assert.equal(
    markdownTable(["k", "v"], [["a|b", 1], ["c\nd", 2.5]]),
    ["| k | v |", "| --- | ---: |", "| a\\|b | 1 |", "| c d | 2.5 |"].join("\n"),
  );
});

Deno.test("formatValue() prints numbers for humans", async (t) => {
  for (
    const [v, s] of [
      [1, "1"],
      [0.5, "0.5"],
      [0.946666666, "0.9467"],
      [12345.678, "12345.7"],
      [1e-7, "1.000e-7"],
      [NaN, "NaN"],
      [
        Infinity,
        "∞",
      ],
      [null, ""],
      [true, "true"],
      [{ a: 1 }, '{"a":1}'],
    ] as const
  ) {
    await t.step(String(v), () => assert.equal(formatValue(v), s));
  }
});

Deno.test("confusionMatrixSvg() draws one cell per pair with counts and row shares", () => {
  const svg = confusionMatrixSvg(["approve", "re<ject"], [[749, 22], [42, 387]]);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 4);
  for (const n of [">749<", ">22<", ">42<", ">387<", ">97.1%<", ">2.9%<", ">9.8%<", ">90.2%<"]) {
    assert.ok(svg.includes(n), n);
  }
  assert.ok(svg.includes("re&lt;ject") && !svg.includes("re<ject"));
  assert.throws(() => confusionMatrixSvg(["a"], [[1, 2]]), RangeError);
});

Deno.test("Vega-Lite specs carry the data and a v5 schema", () => {
  const bar = barChartSpec([{ label: "a", value: 1 }, { label: "b", value: 2 }], { title: "t" });
  assert.equal(bar.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.deepEqual((bar.data as { values: unknown[] }).values, [{ label: "a", value: 1 }, {
    label: "b",
    value: 2,
  }]);
  const heat = heatmapSpec(["x", "y"], [[1, 2], [3, 4]]);
  assert.deepEqual((heat.data as { values: unknown[] }).values, [
    { row: "x", column: "x", value: 1 },
    { row: "x", column: "y", value: 2 },
    { row: "y", column: "x", value: 3 },
    { row: "y", column: "y", value: 4 },
  ]);
  const hist = histogramSpec([0, 10, 20], { ref: [1, 2], cur: [3, 4] });
  assert.equal((hist.data as { values: unknown[] }).values.length, 4);
  assert.throws(
    () => histogramSpec([0, 1], { ref: [1, 2] }),
    /Expected 1 counts for series 'ref' but found 2/,
  );
});

Deno.test("displayBundle() has the MIME types the Deno kernel shows", () => {
  const b = displayBundle({
    text: "t",
    html: "<p>h</p>",
    vegaLite: { mark: "bar" },
    markdown: "*m*",
  });
  assert.deepEqual(Object.keys(b).sort(), [
    "application/vnd.vegalite.v5+json",
    "text/html",
    "text/markdown",
    "text/plain",
  ]);
  assert.deepEqual(Object.keys(displayBundle({ text: "only" })), ["text/plain"]);
});

Deno.test("htmlReport() is one self-contained page", () => {
  const page = htmlReport({
    title: "T & T",
    subtitle: "s",
    sections: [{ title: "A", html: "<p>x</p>" }],
  });
  assert.ok(page.startsWith("<!doctype html>"));
  assert.ok(page.includes("<h1>T &amp; T</h1>") && page.includes("<h2>A</h2>\n<p>x</p>"));
  assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(page), "no scripts or external resources");
});

Deno.test("binValues() gives numpy.histogram's counts and edges", async (t) => {
  const fixture = JSON.parse(
    await Deno.readTextFile(new URL("../fixtures/report/histogram.json", import.meta.url)),
  ) as {
    cases: { name: string; values: number[]; bins: number; counts: number[]; edges: number[] }[];
  };
  assert.ok(fixture.cases.length >= 5);
  for (const c of fixture.cases) {
    await t.step(c.name, () => {
      const got = binValues(c.values, { bins: c.bins });
      assert.deepEqual(got.counts, c.counts);
      assert.deepEqual(got.edges, c.edges);
    });
  }
  await t.step("bad bins and an inverted range are refused with the value", () => {
    assert.throws(() => binValues([1], { bins: 0 }), /bins to be an integer >= 1 but found 0/);
    assert.throws(() => binValues([1], { min: 2, max: 1 }), /max >= min but found min 2 and max 1/);
  });
});
