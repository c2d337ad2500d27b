import assert from "node:assert/strict";
import { unquote } from "../../lib/_internal/uri.ts";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import { LocalArtifactRepository } from "../../lib/mlflow/artifacts.ts";

// Expected values printed by Python 3.11's urllib.parse.unquote (what MLflow's client uses).
const CASES: [string, string][] = [
  ["pa%ss", "pa%ss"],
  ["%ZZ", "%ZZ"],
  ["%", "%"],
  ["%E0%A4%A", "\ufffd%A"],
  ["%E0%A4%A4", "त"],
  ["a%2Fb", "a/b"],
  ["%C3%A9t%C3%A9", "été"],
  ["%ff", "\ufffd"],
  ["100%25", "100%"],
  ["%e9", "\ufffd"],
  ["plain", "plain"],
];

Deno.test("unquote() decodes percent-escapes as Python's urllib.parse.unquote does", async (t) => {
  for (const [input, expected] of CASES) {
    await t.step(JSON.stringify(input), () => assert.equal(unquote(input), expected));
  }
});

Deno.test("a tracking URI whose password holds a bare % is accepted, not a URIError", () => {
  const transport = new MlflowTransport({ trackingUri: "http://alice:pa%ss@127.0.0.1:5000" });
  assert.equal(transport.baseUrl, "http://127.0.0.1:5000");
});

Deno.test("a file: artifact URI with a bare % names the folder it says", () => {
  assert.equal(new LocalArtifactRepository("file:///tmp/100%/a%20b").root, "/tmp/100%/a b");
});
