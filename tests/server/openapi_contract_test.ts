/**
 * The OpenAPI document and the handlers use one set of rules: every request body is checked
 * against the document's JSON Schema (a small validator of the keywords the document uses;
 * an unknown keyword fails the test, so a new constraint cannot slip past it) and sent to the
 * handler; the handler refuses (400) exactly the bodies the schema refuses.
 */
import assert from "node:assert/strict";
import { createRng, type Rng } from "../../lib/_internal/rng.ts";
import { createLoanAgentApp, TokenSet } from "../../lib/server/mod.ts";
import { application, ruleAgent, TOKENS } from "./_fixtures.ts";

type Schema = Record<string, unknown>;
const ANNOTATIONS = new Set(["description", "default", "title", "examples"]);

/** JSON Schema 2020-12, only the keywords the document uses; anything else throws. */
function valid(schema: Schema, value: unknown): boolean {
  for (const key of Object.keys(schema)) {
    if (
      !ANNOTATIONS.has(key) &&
      ![
        "type",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "properties",
        "required",
        "additionalProperties",
      ].includes(key)
    ) {
      throw new Error(`the contract validator does not know the keyword ${key}`);
    }
  }
  const type = schema.type as string | undefined;
  if (type !== undefined) {
    const ok = type === "integer"
      ? typeof value === "number" && Number.isInteger(value)
      : type === "number"
      ? typeof value === "number" && Number.isFinite(value)
      : type === "object"
      ? typeof value === "object" && value !== null && !Array.isArray(value)
      : type === "array"
      ? Array.isArray(value)
      : type === "null"
      ? value === null
      : type === "string"
      ? typeof value === "string"
      : type === "boolean"
      ? typeof value === "boolean"
      : false;
    if (!ok) return false;
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) return false;
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false;
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      return false;
    }
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) {
      return false;
    }
  }
  if (typeof value === "string") {
    const length = [...value].length; // JSON Schema counts code points
    if (typeof schema.minLength === "number" && length < schema.minLength) return false;
    if (typeof schema.maxLength === "number" && length > schema.maxLength) return false;
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      return false;
    }
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required ?? []) as string[]) if (!Object.hasOwn(obj, r)) return false;
    for (const [k, v] of Object.entries(obj)) {
      if (Object.hasOwn(props, k)) {
        if (!valid(props[k]!, v)) return false;
      } else if (schema.additionalProperties === false) return false;
    }
  }
  return true;
}

/** Values around every constraint of one property's schema, plus wrong types. */
function candidates(prop: Schema, rng: Rng): unknown[] {
  const out: unknown[] = [null, true, [], {}, "", "x", 0, -1, 1.5, 1e300, -0];
  for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
    const b = prop[k];
    if (typeof b !== "number") continue;
    out.push(b, b - 1, b + 1, b - 1e-9, b + 1e-9, b - 0.5, b + 0.5, String(b));
  }
  for (const k of ["minLength", "maxLength"]) {
    const n = prop[k];
    if (typeof n !== "number") continue;
    for (const len of [n - 1, n, n + 1]) {
      if (len < 0) continue;
      out.push(
        "a".repeat(len),
        "😀".repeat(len),
        "é".repeat(len),
        "a".repeat(Math.max(0, len - 1)) + "😀",
      );
    }
  }
  for (const v of (prop.enum ?? []) as unknown[]) {
    out.push(v, String(v).toUpperCase(), ` ${String(v)}`, `${String(v)}x`);
  }
  out.push("boat", "car");
  if (typeof prop.pattern === "string") {
    out.push(
      "1.0.0",
      "1.0.0-rc.1",
      "2025.10",
      "2025-10-31",
      "2025.13",
      "1.0",
      "01.0.0",
      "latest",
      "v1.0.0",
      "1.0.0\n",
      "../1.0.0",
      "1.0.0-",
      "2025.10-x".padEnd(120, "y"),
      "loan_approval_test_set",
      "Loan",
      "a/b",
      "a".repeat(100),
      "a".repeat(101),
    );
  }
  for (let i = 0; i < 20; i++) {
    const chars = "az09._-/ ÄΩ😀\u0000";
    out.push(
      Array.from({ length: rng.int(12) }, () => [...chars][rng.int([...chars].length)]).join(""),
      Math.round((rng.next() - 0.3) * 2000) / (rng.next() < 0.5 ? 1 : 7),
    );
  }
  return out;
}

async function compare(
  app: ReturnType<typeof createLoanAgentApp>,
  path: string,
  schema: Schema,
  base: Record<string, unknown>,
  okStatus: number,
): Promise<number> {
  const rng = createRng(20261204);
  const bodies: Record<string, unknown>[] = [base];
  for (const [key, prop] of Object.entries(schema.properties as Record<string, Schema>)) {
    const without = { ...base };
    delete without[key];
    bodies.push(without);
    for (const v of candidates(prop, rng)) bodies.push({ ...base, [key]: v });
  }
  bodies.push({ ...base, unknown_field: 1 }, JSON.parse(`{"__proto__": 1, "x": 1}`));
  let checked = 0;
  const mismatches: string[] = [];
  for (const body of bodies) {
    const expected = valid(schema, body);
    const res = await app.fetch(
      new Request(`http://api.test${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKENS[0]}` },
        body: JSON.stringify(body),
      }),
    );
    const text = await res.text();
    if (res.status !== okStatus && res.status !== 400) {
      mismatches.push(`${res.status} for ${JSON.stringify(body)}: ${text}`);
    } else if ((res.status === okStatus) !== expected) {
      mismatches.push(
        `${JSON.stringify(body).slice(0, 300)}: the document ${
          expected ? "allows" : "refuses"
        } it, the handler answered ${res.status} ${text.slice(0, 200)}`,
      );
    }
    checked++;
  }
  assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} mismatches`);
  return checked;
}

Deno.test("OpenAPI contract: the handlers refuse exactly the bodies the document's schemas refuse", async (t) => {
  const app = createLoanAgentApp({
    agent: ruleAgent(),
    tokens: await TokenSet.from(TOKENS),
    // no dataset check: only the request schema is compared
    evaluateDataset: () => Promise.resolve({ runId: "r", metrics: {} }),
  });
  const doc = await (await app.fetch(new Request("http://api.test/api/v1/openapi.json"))).json();
  const schemas = doc.components.schemas as Record<string, Schema>;
  await t.step("decision: LoanApplication", async () => {
    const n = await compare(
      app,
      "/api/v1/loan/decision",
      schemas.LoanApplication!,
      application(),
      200,
    );
    assert.ok(n > 300, `${n} bodies compared`);
  });
  await t.step(
    "evaluate_dataset: EvaluateDatasetRequest (dataset_version among them)",
    async () => {
      const base = {
        dataset_name: "loan_approval_test_set",
        dataset_version: "1.0.0",
        concurrency: 2,
      };
      const n = await compare(
        app,
        "/api/v1/loan/evaluate_dataset",
        schemas.EvaluateDatasetRequest!,
        base,
        200,
      );
      assert.ok(n > 300, `${n} bodies compared`);
    },
  );
  await t.step("the validator knows every keyword the request schemas use", () => {
    const walk = (s: Schema): void => {
      valid({ ...s, properties: undefined, required: undefined }, undefined);
      for (const p of Object.values((s.properties ?? {}) as Record<string, Schema>)) walk(p);
    };
    walk(schemas.LoanApplication!);
    walk(schemas.EvaluateDatasetRequest!);
  });
  await app.idle();
});
