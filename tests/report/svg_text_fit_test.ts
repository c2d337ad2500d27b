/**
 * Text in lib/report's SVG charts is never cut (#18 item 23: confusion_matrix.svg's title was
 * wider than the 238 px image). Rendered in headless Chromium: every `<text>` of every chart
 * lies inside its image, and textWidth() — the layout's width estimate — is an upper bound of
 * the width Chromium draws, for every printable ASCII character and the names evalkit uses.
 */
import assert from "node:assert/strict";
import {
  barChartSvg,
  confusionMatrixSvg,
  histogramSvg,
  lineChartSvg,
} from "../../lib/report/mod.ts";
import { textWidth } from "../../lib/report/_svg.ts";
import { checkPage } from "./_chromium.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const RESULTS = `${ROOT}.test-results/report`;

const PROBES = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i).repeat(12)),
  "Confusion matrix",
  "Confusion matrix — loan_approval 1.1.0 on loan_approval_test_set@1.0.0",
  "drift/annual_income/wasserstein_normed",
  "WWWWMMMM@@%%",
  "latency_p99_ms ± 0.000123",
];

Deno.test("SVG charts keep every text inside the image, in Chromium", async () => {
  await Deno.mkdir(RESULTS, { recursive: true });
  const charts = [
    confusionMatrixSvg(["approve", "reject"], [[40, 2], [3, 55]]),
    confusionMatrixSvg(["approve", "reject"], [[40, 2], [3, 55]], {
      title: "Confusion matrix — loan_approval 1.1.0 on loan_approval_test_set@1.0.0",
    }),
    confusionMatrixSvg(["approve", "reject", "manual_review_required"], [[1, 2, 3], [4, 5, 6], [
      7,
      8,
      9,
    ]]),
    barChartSvg([
      { label: "drift/annual_income/wasserstein_normed", value: 0.2851 },
      { label: "precision_recall_auc", value: 0.000123456 },
      { label: "a", value: 123456789 },
    ], { title: "A rather long chart title that is wider than this small chart", width: 300 }),
    histogramSvg([0, 1, 2, 3], [5, 9, 2], {
      title: "latency (ms) of every row, all 1200 of them",
      width: 200,
    }),
    lineChartSvg({ "train/loss": [{ x: 0, y: 0.9 }, { x: 1, y: 0.4 }] }, {
      title: "train/loss and friends over all the steps of the run",
      width: 220,
    }),
  ];
  const probes = PROBES.map((p) => {
    const w = textWidth(p, 14, true);
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="24" font-family="sans-serif"><text x="1" y="18" font-size="14" font-weight="bold">${
      p.replace(/&/g, "&amp;").replace(/</g, "&lt;")
    }</text></svg><br>`;
  });
  const file = `${RESULTS}/svg_text_fit.html`;
  await Deno.writeTextFile(
    file,
    `<!doctype html><meta charset="utf-8"><title>text fit</title><body>${charts.join("\n")}<hr>${
      probes.join("\n")
    }</body>`,
  );
  const page = await checkPage(file, `${RESULTS}/svg_text_fit.png`);
  assert.deepEqual(page.errors, []);
  assert.equal(page.svgs.length, charts.length + PROBES.length);
  const cut = page.svgs.flatMap((s, i) => s.cut.map((c) => `svg ${i}: ${c}`));
  assert.deepEqual(cut, [], "texts drawn outside their image");
  // The default confusion matrix is at least as wide as its title.
  const first = charts[0]!.match(/width="(\d+)"/)![1];
  assert.ok(Number(first) >= textWidth("Confusion matrix", 14, true) + 24);
});
