/**
 * runReport's page, from plain input (no server): the verdict leads, the latency histogram
 * stays readable with outliers, every metric is listed in its group (no cut), params last.
 */
import assert from "node:assert/strict";
import { runReport, type RunReportInput } from "../../lib/report/mod.ts";

const point = (value: number) => [{ step: 0, timestamp: 0, value }];

function input(latencies: number[], metrics: Record<string, number>): RunReportInput {
  return {
    runId: "r1",
    runName: "demo",
    experiment: "exp",
    status: "FINISHED",
    startTime: 0,
    source: "local store",
    params: { agent_version: "1.0.0" },
    tags: { "evalkit.gate": "failed" },
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, point(v)])),
    evalTable: {
      columns: ["id", "age", "expected", "predicted", "correct", "latency_ms", "reasons"],
      data: latencies.map((
        l,
        i,
      ) => [`r${i}`, 30, "approve", i % 10 ? "approve" : "reject", i % 10 !== 0, l, "x"]),
    },
  };
}

const maxEdge = (html: string) => {
  const chart = html.slice(html.indexOf("<h2>Latency</h2>"));
  const ends = [...chart.matchAll(/<title>\[[^,]*, ([^\])]*)[\])]/g)].map((m) => Number(m[1]));
  return Math.max(...ends);
};

Deno.test("one slow row does not flatten the latency histogram: it is left out and counted", () => {
  const lat = Array.from({ length: 300 }, (_, i) => 1 + (i % 30) / 10);
  const html = runReport(input([...lat, 5000], {}));
  assert.match(
    html,
    /1 slower row \(above the 99th percentile, [\d.]+ ms; up to 5000 ms\) left out/,
  );
  assert.ok(maxEdge(html) < 10, `the chart's scale stops at ${maxEdge(html)} ms`);
  // Without an outlier: no note, full range.
  const plain = runReport(input(lat, {}));
  assert.doesNotMatch(plain, /slower row/);
  assert.ok(maxEdge(plain) >= 3.9);
});

Deno.test("a long slow tail (over 1% of rows) cuts the chart at the 95th percentile", () => {
  const lat = [...Array.from({ length: 290 }, (_, i) => 1 + (i % 10) / 10), ...Array(10).fill(800)];
  const html = runReport(input(lat, {}));
  assert.match(html, /10 slower rows \(above the 95th percentile/);
  assert.ok(maxEdge(html) < 5);
});

Deno.test("the verdict comes first; every metric is listed in its group; params last", () => {
  const metrics: Record<string, number> = {
    accuracy_score: 0.9,
    precision_score: 0.8,
    recall_score: 0.7,
    roc_auc: 0.95,
    latency_p95_ms: 3,
    cost_usd_total: 0.5,
    error_rate: 0,
    rate_limited_count: 0,
  };
  for (let i = 0; i < 40; i++) metrics[`drift/f${String(i).padStart(2, "0")}/missing_share`] = 0;
  const html = runReport(input([1, 2, 3], metrics));
  const h = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
  assert.equal(h[0], "Verdict");
  assert.equal(h.at(-1), "Params");
  const verdict = html.slice(html.indexOf("<h2>Verdict</h2>"), html.indexOf(`<h2>${h[1]}</h2>`));
  assert.match(verdict, /gates FAILED/);
  for (const k of Object.keys(metrics)) assert.ok(html.includes(`<td>${k}</td>`), `${k} listed`);
  assert.match(html, /<h2>Metrics \(48\)<\/h2>/);
  const group = (name: string) => {
    const at = html.indexOf(`<h3>${name} (`);
    assert.ok(at >= 0, `group ${name}`);
    return html.slice(at, html.indexOf("</table>", at));
  };
  assert.ok(group("quality").includes("<td>roc_auc</td>"));
  assert.ok(group("latency").includes("<td>latency_p95_ms</td>"));
  assert.ok(group("cost").includes("<td>cost_usd_total</td>"));
  assert.ok(group("errors").includes("<td>rate_limited_count</td>"));
  assert.match(group("drift"), /<h3>drift \(40\)<\/h3>/);
  // Every quality score in [0, 1] is on the chart, however many metrics the run has.
  const chart = html.slice(
    html.indexOf("Quality metrics in [0, 1]"),
    html.indexOf("</svg>", html.indexOf("Quality metrics in [0, 1]")),
  );
  for (const k of ["accuracy_score", "precision_score", "recall_score", "roc_auc"]) {
    assert.ok(chart.includes(`>${k}</text>`), `${k} on the chart`);
  }
});
