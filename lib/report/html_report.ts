/**
 * A standalone HTML report page (no scripts, no external resources).
 *
 * @module
 */
import { escapeHtml } from "./format.ts";

/** One section of a report. */
export interface ReportSection {
  /** Section heading. */
  title: string;
  /** Section body, already HTML (tables, inline SVG, paragraphs). */
  html: string;
}

/** Content of {@link htmlReport}. */
export interface HtmlReportInput {
  /** Page title and first heading. */
  title: string;
  /** A line under the title (plain text). */
  subtitle?: string;
  /** Sections, in order. */
  sections: readonly ReportSection[];
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table.evalkit-table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
.evalkit-table th,.evalkit-table td{border:1px solid #ddd;padding:.25rem .5rem}
.evalkit-table th{background:#f5f5f5;text-align:left}.muted{color:#666}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}
.chart{display:inline-block;vertical-align:top;margin:0 .75rem .75rem 0}.verdict{font-size:1.1rem}`;

/**
 * Renders a self-contained HTML document with the given sections.
 *
 * @example
 * ```ts
 * import { htmlReport } from "@evalkit/evalkit/report";
 * const page = htmlReport({ title: "Eval <1>", sections: [{ title: "Metrics", html: "<p>ok</p>" }] });
 * if (!page.includes("<h1>Eval &lt;1&gt;</h1>")) throw new Error("unexpected");
 * ```
 */
export function htmlReport(input: HtmlReportInput): string {
  const body = input.sections.map((s) =>
    `<section><h2>${escapeHtml(s.title)}</h2>\n${s.html}</section>`
  );
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    input.subtitle ? `<p class="muted">${escapeHtml(input.subtitle)}</p>` : "",
    ...body,
    "</body></html>",
  ].join("\n");
}
