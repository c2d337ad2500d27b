import assert from "node:assert/strict";
import { canonicalJson, md5Hex, sha256Hex } from "../../lib/_internal/digest.ts";
import { datasetDigest, parseDatasetBytes } from "../../lib/datasets/mod.ts";

Deno.test("sha256Hex() and md5Hex() match the standard test vectors", () => {
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
});

Deno.test("canonicalJson() sorts keys at every depth and drops whitespace", () => {
  assert.equal(
    canonicalJson({ b: { d: 1, c: [2, { f: 0, e: null }] }, a: "x" }),
    '{"a":"x","b":{"c":[2,{"e":null,"f":0}],"d":1}}',
  );
  assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ x: Infinity }), TypeError);
});

Deno.test("datasetDigest() ignores key order, whitespace and number spelling in the source", async () => {
  const a = await parseDatasetBytes(new TextEncoder().encode('[{"id":"a","x":1.0,"y":"é"}]'), {
    format: "json",
  });
  const b = await parseDatasetBytes(
    new TextEncoder().encode('{ "y" : "\\u00e9",   "x": 1, "id": "a" }\n'),
    { format: "jsonl" },
  );
  const da = datasetDigest(a.rows), db = datasetDigest(b.rows);
  assert.equal(da.sha256, db.sha256);
  assert.equal(da.mlflow, db.mlflow);
  assert.match(da.sha256, /^[0-9a-f]{64}$/);
  assert.match(da.mlflow, /^[0-9a-f]{8}$/);
  assert.equal(
    da.sha256,
    sha256Hex('{"id":"a","x":1,"y":"é"}\n'),
    "the canonical form is documented: sorted-key JSON lines",
  );
  assert.equal(da.mlflow, md5Hex('{"id":"a","x":1,"y":"é"}\n').slice(0, 8));
});

Deno.test("datasetDigest() changes with a value or with row order", () => {
  const rows = [{ id: "a", x: 1 }, { id: "b", x: 2 }];
  const base = datasetDigest(rows).sha256;
  assert.notEqual(datasetDigest([{ id: "a", x: 1 }, { id: "b", x: 3 }]).sha256, base);
  assert.notEqual(datasetDigest([...rows].reverse()).sha256, base);
  assert.notEqual(
    datasetDigest([{ id: "a", x: "1" }, { id: "b", x: 2 }]).sha256,
    base,
    "types matter",
  );
});

Deno.test("canonicalJson() writes any depth without recursion and matches sorted JSON.stringify", () => {
  // #18 item 14: "Maximum call stack size exceeded" at 5,000 levels; 200,000 here.
  let deep: unknown = { b: [1, "x", null, true], a: -0.5 };
  for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep, i] : { z: deep, y: i };
  const text = canonicalJson(deep);
  assert.equal(text.length, JSON.stringify(deep).length);
  assert.equal(text.slice(0, 17), '[{"y":199998,"z":');
  assert.equal(
    canonicalJson({ b: [{ d: 1, c: [] }, {}], a: "é" }),
    '{"a":"é","b":[{"c":[],"d":1},{}]}',
  );
  assert.throws(() => canonicalJson([1, undefined]), TypeError);
  assert.throws(() => canonicalJson({ a: [Number.NaN] }), TypeError);
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});
