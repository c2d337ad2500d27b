import assert from "node:assert/strict";
import { encodeJson, MlflowTransport, parseRetryAfter } from "../../lib/mlflow/transport.ts";
import { MlflowApiError } from "../../lib/_internal/errors.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";

Deno.test("encodeJson() writes NaN and infinities as MLflow's strings", () => {
  assert.equal(encodeJson({ a: NaN, b: Infinity, c: -Infinity, d: 1.5 }), '{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5}');
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assert.equal(parseRetryAfter("2"), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter("soon"), undefined);
});

Deno.test("transport reaches the real server and maps its errors to MlflowApiError", async () => {
  const t = new MlflowTransport({ trackingUri: testMlflowUri() });
  const err = await t.get("/api/2.0/mlflow/runs/get", { query: { run_id: "0".repeat(32) } }).catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.status, 404);
  assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(err.endpoint, "/api/2.0/mlflow/runs/get");
});
