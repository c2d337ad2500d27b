import assert from "node:assert/strict";
import {
  createProtector,
  PSEUDONYM_PREFIX,
  pseudonymize,
} from "../../lib/_internal/personal_data.ts";
import { sha256Hex } from "../../lib/_internal/digest.ts";
import { hashPersonalValue, protectPersonalData, protectRows } from "../../lib/datasets/mod.ts";
import { protectRecord } from "../../lib/tracking/mod.ts";

Deno.test("pseudonymize() is pd_ + the first 16 hex of SHA-256(salt + value)", () => {
  assert.equal(PSEUDONYM_PREFIX, "pd_");
  assert.equal(pseudonymize("Ada Lovelace"), `pd_${sha256Hex("Ada Lovelace").slice(0, 16)}`);
  assert.equal(pseudonymize("Ada", "s3"), `pd_${sha256Hex("s3Ada").slice(0, 16)}`);
  assert.notEqual(pseudonymize("Ada", "s3"), pseudonymize("Ada"));
  assert.equal(pseudonymize(720), `pd_${sha256Hex("720").slice(0, 16)}`);
  assert.equal(pseudonymize({ a: 1 }), `pd_${sha256Hex('{"a":1}').slice(0, 16)}`);
  assert.match(pseudonymize(""), /^pd_[0-9a-f]{16}$/);
});

Deno.test("pseudonymize() normalises Unicode to NFC first: composed and decomposed names agree", () => {
  const composed = "Zoë Brontë-Æther"; // U+00EB
  const decomposed = composed.normalize("NFD"); // e + U+0308
  assert.notEqual(composed, decomposed);
  assert.equal(pseudonymize(decomposed), pseudonymize(composed));
  assert.equal(pseudonymize(decomposed), `pd_${sha256Hex(composed).slice(0, 16)}`);
  assert.equal(hashPersonalValue(decomposed), hashPersonalValue(composed));
  assert.equal(pseudonymize("Ａ"), pseudonymize("Ａ"), "NFC, not NFKC: full-width stays itself");
  assert.notEqual(pseudonymize("Ａ"), pseudonymize("A"));
});

Deno.test("createProtector() hashes and drops fields at every depth, in objects and arrays", () => {
  const protect = createProtector({ hash: ["name", "email"], drop: ["ssn"] });
  const input = {
    name: "Ada",
    ssn: "111",
    age: 36,
    household: {
      partner: { name: "Charles", ssn: "222", contact: { email: "c@x.org" } },
      children: [{ name: "Byron", ssn: "333" }, [{ name: "Annabella" }]],
    },
    note: null,
    empty: { name: null },
  };
  const before = structuredClone(input);
  const out = protect(input) as typeof input;
  assert.deepEqual(input, before, "the input is not changed");
  assert.deepEqual(out, {
    name: pseudonymize("Ada"),
    age: 36,
    household: {
      partner: { name: pseudonymize("Charles"), contact: { email: pseudonymize("c@x.org") } },
      children: [{ name: pseudonymize("Byron") }, [{ name: pseudonymize("Annabella") }]],
    },
    note: null,
    empty: { name: null },
  });
  const text = JSON.stringify(out);
  for (const secret of ["Ada", "Charles", "Byron", "Annabella", "c@x.org", "111", "222", "333"]) {
    assert.ok(!text.includes(secret), `${secret} left in ${text}`);
  }
});

Deno.test("createProtector(): flat records (the fast path) come out exactly as through the field-by-field walk", () => {
  const protect = createProtector({ hash: ["name", "email", "toString"], drop: ["ssn", "gone"] });
  const flat: Record<string, unknown>[] = [
    { name: "Ada", ssn: "1", age: 36, email: null, "2": "two", note: undefined },
    { age: 1, name: "Zoe\u0308", ssn: "2", email: "z@x.org", score: 0.5 },
    { name: 720, flag: true },
    Object.assign(Object.create(null), { name: "Null Proto", ssn: "3" }),
    { id: "no personal field" },
  ];
  const rules = { hash: new Set(["name", "email", "toString"]), drop: new Set(["ssn", "gone"]) };
  for (const row of flat) {
    const before = { ...row };
    const out = protect(row) as Record<string, unknown>;
    // the expected copy, field by field in key order
    const expected: Record<string, unknown> = {};
    for (const k of Object.keys(row)) {
      if (rules.drop.has(k)) continue;
      const v = row[k];
      expected[k] = rules.hash.has(k) && v !== null && v !== undefined ? pseudonymize(v) : v;
    }
    assert.deepStrictEqual(Object.keys(out), Object.keys(expected), "same keys in the same order");
    assert.deepStrictEqual(out, expected);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(!Object.hasOwn(out, "toString"), "an inherited field is not hashed into the copy");
    assert.deepStrictEqual({ ...row }, before, "the input is not changed");
    // the same record through the general path (a symbol key or a nested value forces it)
    const general = protect({ ...row, [Symbol("s")]: 1 }) as Record<string, unknown>;
    assert.deepStrictEqual(general, expected);
    assert.deepStrictEqual((protect({ r: row }) as { r: unknown }).r, expected);
    assert.deepStrictEqual((protect([row]) as unknown[])[0], expected);
  }
});

Deno.test("createProtector() survives a record nested 10,000 levels deep", () => {
  let deep: Record<string, unknown> = { name: "Ada", ssn: "1" };
  for (let i = 0; i < 10_000; i++) deep = { next: deep };
  let out = createProtector({ hash: ["name"], drop: ["ssn"] })(deep);
  for (let i = 0; i < 10_000; i++) out = out.next as Record<string, unknown>;
  assert.deepEqual(out, { name: pseudonymize("Ada") });
});

Deno.test("datasets and tracking protect the same record identically, nested fields included", async () => {
  const record = {
    applicant_name: "José Núñez".normalize("NFD"),
    email: "jn@example.org",
    ssn: "123-45-6789",
    co_applicant: { applicant_name: "María Núñez", ssn: "987-65-4321" },
    credit_score: 700,
  };
  const schema = {
    columns: [
      { name: "applicant_name", type: "string" as const, personalData: "hash" as const },
      { name: "email", type: "string" as const, personalData: "hash" as const },
      { name: "ssn", type: "string" as const, personalData: "drop" as const },
      { name: "credit_score", type: "integer" as const },
    ],
  };
  const fromDatasets = protectPersonalData(record, schema);
  const fromRows = protectRows([record], schema)[0]!;
  const fromTracking = await protectRecord(record, {
    hash: ["applicant_name", "email"],
    drop: ["ssn"],
  });
  assert.deepEqual(fromDatasets, fromTracking);
  assert.deepEqual(fromRows, fromTracking);
  assert.deepEqual(fromTracking, {
    applicant_name: pseudonymize("José Núñez"),
    email: pseudonymize("jn@example.org"),
    co_applicant: { applicant_name: pseudonymize("María Núñez") },
    credit_score: 700,
  });
  // the default tracking rules hash names and drop national ids, at depth too
  const byDefault = await protectRecord(record);
  assert.equal(byDefault.applicant_name, pseudonymize("José Núñez"));
  assert.deepEqual(byDefault.co_applicant, { applicant_name: pseudonymize("María Núñez") });
  assert.equal("ssn" in byDefault, false);
});

Deno.test("createProtector() with no rules returns the value itself; non-plain objects are kept as they are", () => {
  const record = { name: "Ada", nested: { name: "Byron" } };
  assert.equal(createProtector({})(record), record, "no rules: nothing copied");
  assert.equal(createProtector({ hash: [], drop: [] })(record), record);
  const when = new Date(0);
  const bytes = new Uint8Array([1, 2]);
  const protect = createProtector({ hash: ["name"] });
  const out = protect({ name: "Ada", when, bytes, list: [when, { name: "Byron" }] }) as {
    name: string;
    when: Date;
    bytes: Uint8Array;
    list: [Date, { name: string }];
  };
  assert.equal(out.when, when, "a Date is not walked into an empty object");
  assert.equal(out.bytes, bytes);
  assert.equal(out.list[0], when);
  assert.deepEqual(out.list[1], { name: pseudonymize("Byron") });
  const bare = Object.assign(Object.create(null), { name: "Ada", inner: { name: "Byron" } });
  const fromBare = protect({ holder: bare }) as {
    holder: { name: string; inner: { name: string } };
  };
  assert.equal(fromBare.holder.name, pseudonymize("Ada"), "a null-prototype record is walked too");
  assert.equal(fromBare.holder.inner.name, pseudonymize("Byron"));
});

Deno.test("createProtector() hashes a nested value by its JSON, and equal values share one pseudonym", () => {
  const protect = createProtector({ hash: ["address"], salt: "s" });
  const a = protect<unknown>({ address: { street: "1 Main St", city: "Oslo" } }) as {
    address: string;
  };
  const b = protect<unknown>({ address: { street: "1 Main St", city: "Oslo" } }) as {
    address: string;
  };
  assert.equal(a.address, pseudonymize({ street: "1 Main St", city: "Oslo" }, "s"));
  assert.equal(a.address, b.address);
  assert.notEqual(a.address, pseudonymize({ street: "1 Main St", city: "Oslo" }), "salted");
});
