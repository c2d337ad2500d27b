/**
 * Charts show wherever a notebook is opened (issue #16 item 2). The shipped notebooks are
 * executed headlessly (embedded local store); then
 *
 * - every chart output (one carrying Vega-Lite or SVG) also carries `image/svg+xml`, and the
 *   representation JupyterLab picks shows the chart. JupyterLab's choice, from its source
 *   (JupyterLab 4.6.6 as installed by `deno task setup`: @jupyterlab/rendermime's
 *   `standardRendererFactories` and the vega5 extension): the lowest rank among the bundle's
 *   MIME types whose renderer is "safe" (`preferredMimeType(bundle, "ensure")`):
 *   text/html 50, Vega/Vega-Lite 57, text/markdown 60, text/latex 70, image/png|jpeg|gif 90,
 *   text/plain 120 are safe; image/svg+xml (80) and JavaScript (110) are not, so they are only
 *   picked for trusted outputs. A text/html pick must contain the SVG inline.
 * - nbconvert's static HTML of each notebook contains an `<svg` for every chart output;
 * - one notebook's HTML renders in headless Chromium with its charts drawn (screenshot kept in
 *   .test-results/notebooks/).
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { executeNotebook, installKernel } from "../../tools/notebooks.ts";
import { checkPage } from "../report/_chromium.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const OUT = `${ROOT}.test-results/notebooks/charts`;

/** JupyterLab 4's renderer ranks and safety (lowest rank wins; unsafe only when trusted). */
export const JUPYTERLAB_RANKING: readonly { mime: string; rank: number; safe: boolean }[] = [
  { mime: "text/html", rank: 50, safe: true },
  { mime: "application/vnd.vegalite.v5+json", rank: 57, safe: true },
  { mime: "application/vnd.vega.v5+json", rank: 57, safe: true },
  { mime: "text/markdown", rank: 60, safe: true },
  { mime: "text/latex", rank: 70, safe: true },
  { mime: "image/svg+xml", rank: 80, safe: false },
  { mime: "image/png", rank: 90, safe: true },
  { mime: "image/jpeg", rank: 90, safe: true },
  { mime: "application/javascript", rank: 110, safe: false },
  { mime: "text/plain", rank: 120, safe: true },
];

/** The MIME type JupyterLab renders for a bundle (untrusted: safe types only). */
export function jupyterLabPick(
  bundle: Record<string, unknown>,
  trusted: boolean,
): string | undefined {
  return [...JUPYTERLAB_RANKING].sort((a, b) => a.rank - b.rank)
    .find((r) => r.mime in bundle && (trusted || r.safe))?.mime;
}

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}
interface Notebook {
  cells: { cell_type: string; outputs?: Output[] }[];
}

const text = (v: unknown) => Array.isArray(v) ? v.join("") : String(v ?? "");

function jupyterBin(): string {
  const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
  return `${dirname(python)}/jupyter`;
}

Deno.test({
  name: "notebook chart outputs show a chart in JupyterLab, in nbconvert's HTML and in Chromium",
  async fn(t) {
    await Deno.mkdir(OUT, { recursive: true });
    const home = await Deno.makeTempDir({ prefix: "evalkit-nb-charts-" });
    await installKernel();
    const names: string[] = [];
    for await (const e of Deno.readDir(`${ROOT}notebooks`)) {
      if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name.slice(0, -6));
    }
    names.sort();
    let charts = 0;
    try {
      for (const name of names) {
        await t.step(name, async () => {
          const r = await executeNotebook(name, {
            jupyterBin: jupyterBin(),
            timeoutSeconds: 180,
            outDir: OUT,
            env: { MLFLOW_TRACKING_URI: "", EVALKIT_HOME: home, NO_COLOR: "1" },
          });
          assert.ok(r.ok, `${name} failed:\n${r.output.split("\n").slice(-30).join("\n")}`);
          const nb: Notebook = JSON.parse(await Deno.readTextFile(r.executed));
          const outputs = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data);
          const chartOutputs = outputs.filter((o) =>
            "application/vnd.vegalite.v5+json" in o.data! || "image/svg+xml" in o.data!
          );
          charts += chartOutputs.length;
          for (const [i, o] of chartOutputs.entries()) {
            const d = o.data!;
            const where = `${name} chart output ${i + 1}`;
            assert.match(
              text(d["image/svg+xml"]),
              /^<svg[\s\S]*<\/svg>$/,
              `${where}: image/svg+xml`,
            );
            for (const trusted of [true, false]) {
              const pick = jupyterLabPick(d, trusted);
              assert.ok(
                pick === "application/vnd.vegalite.v5+json" || pick === "image/svg+xml" ||
                  (pick === "text/html" && text(d["text/html"]).includes("<svg")),
                `${where}: JupyterLab (${
                  trusted ? "trusted" : "untrusted"
                }) shows ${pick}, no chart`,
              );
            }
          }
          // nbconvert's static HTML: every chart is an SVG in the page.
          const html = `${OUT}/${name}.html`;
          const conv = await new Deno.Command(jupyterBin(), {
            args: ["nbconvert", "--to", "html", "--output", html, r.executed],
            stdout: "piped",
            stderr: "piped",
          }).output();
          assert.equal(conv.code, 0, new TextDecoder().decode(conv.stderr));
          const page = await Deno.readTextFile(html);
          const svgs = (page.match(/<svg[\s>]/g) ?? []).length;
          assert.ok(
            svgs >= chartOutputs.length,
            `${name}: ${svgs} <svg> in nbconvert's HTML for ${chartOutputs.length} chart outputs`,
          );
        });
      }
      assert.ok(charts >= 9, `only ${charts} chart outputs in the shipped notebooks`);
      await t.step("04_drift's static HTML in headless Chromium", async () => {
        const page = await checkPage(`${OUT}/04_drift.html`, `${OUT}/04_drift.png`);
        const drawn = page.svgs.filter((s) => s.width > 100 && s.height > 80 && s.shapes >= 5);
        assert.ok(drawn.length >= 2, `${drawn.length} charts drawn: ${JSON.stringify(page.svgs)}`);
        const png = await Deno.stat(`${OUT}/04_drift.png`);
        assert.ok(png.size > 20_000, `screenshot is only ${png.size} bytes`);
      });
    } finally {
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});
