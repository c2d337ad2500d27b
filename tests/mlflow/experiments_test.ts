import assert from "node:assert/strict";
import { MlflowApiError, MlflowClient, MlflowValidationError } from "../../lib/mlflow/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const client = () => new MlflowClient({ trackingUri: testMlflowUri() });

Deno.test("experiments: create, get, get by name, update, tags, delete and restore read back", async () => {
  const c = client();
  const name = uniqueName("exp");
  const id = await c.experiments.create(name, {
    tags: { team: "risk", "mlflow.note.content": "hi" },
  });
  const got = await c.experiments.get(id);
  assert.equal(got.experimentId, id);
  assert.equal(got.name, name);
  assert.equal(got.lifecycleStage, "active");
  assert.match(got.artifactLocation, new RegExp(`^mlflow-artifacts:/${id}$`));
  assert.deepEqual(got.tags, { team: "risk", "mlflow.note.content": "hi" });
  assert.equal(typeof got.creationTime, "number");

  assert.deepEqual(await c.experiments.getByName(name), got);
  assert.equal(await c.experiments.getByName(uniqueName("absent")), undefined);

  const renamed = `${name}-renamed`;
  await c.experiments.update(id, renamed);
  await c.experiments.setTag(id, "stage", "beta");
  await c.experiments.deleteTag(id, "team");
  const after = await c.experiments.get(id);
  assert.equal(after.name, renamed);
  assert.deepEqual(after.tags, { "mlflow.note.content": "hi", stage: "beta" });

  await c.experiments.delete(id);
  assert.equal((await c.experiments.get(id)).lifecycleStage, "deleted");
  await assert.rejects(() => c.experiments.getOrCreate(renamed), /is deleted; restore it/);
  await c.experiments.restore(id);
  assert.equal((await c.experiments.get(id)).lifecycleStage, "active");
});

Deno.test("experiments.create() of a taken name fails with RESOURCE_ALREADY_EXISTS (HTTP 400)", async () => {
  const c = client();
  const name = uniqueName("dup");
  await c.experiments.create(name);
  const err = await c.experiments.create(name).catch((e) => e);
  assert.ok(err instanceof MlflowApiError);
  assert.equal(err.status, 400);
  assert.equal(err.errorCode, "RESOURCE_ALREADY_EXISTS");
});

Deno.test("experiments.getOrCreate() returns one experiment when called concurrently", async () => {
  const c = client();
  const name = uniqueName("goc");
  const results = await Promise.all(
    Array.from({ length: 5 }, () => c.experiments.getOrCreate(name, { tags: { a: "1" } })),
  );
  assert.equal(new Set(results.map((e) => e.experimentId)).size, 1);
  assert.deepEqual(results[0]!.tags, { a: "1" });
});

Deno.test("experiments.search() pages through results with a small page size", async () => {
  const c = client();
  const prefix = uniqueName("search");
  const ids = [];
  for (let i = 0; i < 7; i++) {
    ids.push(await c.experiments.create(`${prefix}-${i}`, { tags: { i: String(i) } }));
  }
  const found = [];
  for await (
    const e of c.experiments.search({
      filter: `name LIKE '${prefix}-%'`,
      orderBy: ["name ASC"],
      pageSize: 2,
    })
  ) {
    found.push(e);
  }
  assert.deepEqual(found.map((e) => e.experimentId), ids);
  assert.deepEqual(found.map((e) => e.tags.i), ["0", "1", "2", "3", "4", "5", "6"]);
  await c.experiments.delete(ids[0]!);
  const deleted = [];
  for await (
    const e of c.experiments.search({
      filter: `name LIKE '${prefix}-%'`,
      viewType: "DELETED_ONLY",
      pageSize: 1,
    })
  ) {
    deleted.push(e.experimentId);
  }
  assert.deepEqual(deleted, [ids[0]]);
});

Deno.test("experiments refuse an over-long tag value before sending it", async () => {
  const c = client();
  await assert.rejects(
    () => c.experiments.create(uniqueName("tags"), { tags: { big: "x".repeat(5001) } }),
    MlflowValidationError,
  );
});
