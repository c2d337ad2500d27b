import assert from "node:assert/strict";
import { createLoanAgentApp, TokenSet } from "../../lib/server/mod.ts";
import { application, RecordingSink, ruleAgent, TOKENS, WRONG_TOKEN } from "./_fixtures.ts";

const BASE = "http://api.test";

async function makeApp(options: Partial<Parameters<typeof createLoanAgentApp>[0]> = {}) {
  return createLoanAgentApp({
    agent: ruleAgent(),
    tokens: await TokenSet.from(TOKENS),
    ...options,
  });
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("TokenSet refuses empty lists and short tokens", async () => {
  await assert.rejects(TokenSet.from([]), /at least one API token/);
  await assert.rejects(TokenSet.from(["short"]), /at least 16 characters but found 5/);
});

Deno.test("auth matrix: every protected route needs one of the current tokens", async (t) => {
  const app = await makeApp();
  const routes: [string, () => Request][] = [
    ["decision", () => post("/api/v1/loan/decision", application())],
    ["metrics summary", () => new Request(`${BASE}/api/v1/metrics/summary`)],
    ["evaluation job", () => new Request(`${BASE}/api/v1/loan/evaluations/nope`)],
  ];
  // An allowed request gets the route's own answer (never a 500, never any other error).
  const allowedStatus: Record<string, number> = {
    decision: 200,
    "metrics summary": 200,
    "evaluation job": 404,
  };
  const cases: [string, string | undefined, boolean][] = [
    ["no header", undefined, false],
    ["wrong token", `Bearer ${WRONG_TOKEN}`, false],
    ["basic scheme", `Basic ${btoa(`u:${TOKENS[0]}`)}`, false],
    ["token without scheme", TOKENS[0], false],
    ["token prefix only", `Bearer ${TOKENS[0]!.slice(0, -1)}`, false],
    ["current token", `Bearer ${TOKENS[0]}`, true],
    ["previous token (rotation)", `Bearer ${TOKENS[1]}`, true],
    ["lower-case scheme", `bearer ${TOKENS[0]}`, true],
  ];
  for (const [routeName, make] of routes) {
    for (const [name, header, ok] of cases) {
      await t.step(`${routeName}: ${name} → ${ok ? "allowed" : "401"}`, async () => {
        const req = make();
        if (header !== undefined) req.headers.set("Authorization", header);
        const res = await app.fetch(req);
        const body = await res.json();
        if (ok) {
          assert.equal(res.status, allowedStatus[routeName], JSON.stringify(body));
        } else {
          assert.equal(res.status, 401);
          assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer realm="evalkit"/);
          assert.ok(!JSON.stringify(body).includes(TOKENS[0]!.slice(6)));
        }
      });
    }
  }
  await t.step("health and openapi are public", async () => {
    for (const path of ["/health", "/api/v1/openapi.json"]) {
      const res = await app.fetch(new Request(`${BASE}${path}`));
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
  });
});

Deno.test("a decision answers outcome, risk score and reasons and is recorded in the metrics", async () => {
  const sink = new RecordingSink();
  const app = await makeApp({ metrics: sink });
  const res = await app.fetch(post("/api/v1/loan/decision", application({ credit_score: 600 }), {
    Authorization: `Bearer ${TOKENS[0]}`,
  }));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.request_id, "req-1");
  assert.equal(body.outcome, "reject");
  assert.ok(Math.abs(body.risk_score - 250 / 550) < 1e-12);
  assert.deepEqual(body.reasons, ["credit score below 650"]);
  assert.deepEqual(sink.requests, ["success"]);
  assert.deepEqual(sink.decisions, ["reject"]);
  assert.equal(sink.durations.length, 1);
});

Deno.test("validation matrix: bad requests get the right 4xx with issues", async (t) => {
  const app = await makeApp({
    maxBodyBytes: 4096,
    evaluateDataset: () => Promise.resolve({ runId: "r", metrics: {} }),
    datasetExists: (name) => Promise.resolve(name === "loan_approval_test_set"),
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const cases: [string, Request, number, RegExp | undefined][] = [
    [
      "missing field",
      post("/api/v1/loan/decision", application({ credit_score: undefined }), auth),
      400,
      /credit_score/,
    ],
    ["wrong type", post("/api/v1/loan/decision", application({ age: "forty" }), auth), 400, /age/],
    [
      "out of range",
      post("/api/v1/loan/decision", application({ credit_score: 900 }), auth),
      400,
      /credit_score/,
    ],
    ["unknown field", post("/api/v1/loan/decision", application({ ssn: "123" }), auth), 400, /ssn/],
    ["not JSON", post("/api/v1/loan/decision", "{nope", auth), 400, /JSON/],
    ["JSON array", post("/api/v1/loan/decision", "[]", auth), 400, undefined],
    ["body too large", post("/api/v1/loan/decision", { pad: "x".repeat(5000) }, auth), 413, /4096/],
    [
      "wrong content type",
      new Request(`${BASE}/api/v1/loan/decision`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "text/plain" },
        body: "{}",
      }),
      415,
      /application\/json/,
    ],
    [
      "unknown dataset",
      post("/api/v1/loan/evaluate_dataset", { dataset_name: "nope" }, auth),
      404,
      /nope/,
    ],
    [
      "path traversal",
      post("/api/v1/loan/evaluate_dataset", { dataset_name: "../../etc/passwd" }, auth),
      400,
      /dataset_name/,
    ],
    [
      "slash in name",
      post("/api/v1/loan/evaluate_dataset", { dataset_name: "a/b" }, auth),
      400,
      /dataset_name/,
    ],
    [
      "name the datasets module refuses",
      post("/api/v1/loan/evaluate_dataset", { dataset_name: "Loan.Set" }, auth),
      400,
      /dataset_name/,
    ],
    [
      "version that is neither semver nor a date",
      post("/api/v1/loan/evaluate_dataset", {
        dataset_name: "loan_approval_test_set",
        dataset_version: "latest",
      }, auth),
      400,
      /dataset_version/,
    ],
    ["wrong method", new Request(`${BASE}/api/v1/loan/decision`, { headers: auth }), 405, /GET/],
    ["unknown route", new Request(`${BASE}/api/v2/x`), 404, /Not found/],
  ];
  for (const [name, req, status, pattern] of cases) {
    await t.step(`${name} → ${status}`, async () => {
      const res = await app.fetch(req);
      const text = await res.text();
      assert.equal(res.status, status, text);
      if (pattern) assert.match(text, pattern);
    });
  }
});

Deno.test("a decision slower than the request timeout answers 504 and counts a timeout", async () => {
  const sink = new RecordingSink();
  const app = await makeApp({ agent: ruleAgent(500), requestTimeoutMs: 50, metrics: sink });
  const res = await app.fetch(
    post("/api/v1/loan/decision", application(), { Authorization: `Bearer ${TOKENS[0]}` }),
  );
  assert.equal(res.status, 504);
  await res.body?.cancel();
  assert.deepEqual(sink.errors, ["timeout"]);
});

Deno.test("evaluate_dataset runs as a job: 202 with a status URL, then succeeded with run id and metrics", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const app = await makeApp({
    evaluateDataset: async (req) => {
      await gate;
      return { runId: `run-for-${req.dataset_name}`, metrics: { accuracy_score: 0.9 } };
    },
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const res = await app.fetch(
    post(
      "/api/v1/loan/evaluate_dataset",
      { dataset_name: "loan_approval_test_set", wait: false },
      auth,
    ),
  );
  assert.equal(res.status, 202);
  const job = await res.json();
  assert.equal(res.headers.get("Location"), `/api/v1/loan/evaluations/${job.id}`);
  const before = await (await app.fetch(
    new Request(`${BASE}/api/v1/loan/evaluations/${job.id}`, { headers: auth }),
  )).json();
  assert.equal(before.status, "running");
  release();
  await app.idle();
  const after = await (await app.fetch(
    new Request(`${BASE}/api/v1/loan/evaluations/${job.id}`, { headers: auth }),
  )).json();
  assert.equal(after.status, "succeeded");
  assert.equal(after.run_id, "run-for-loan_approval_test_set");
  assert.deepEqual(after.metrics, { accuracy_score: 0.9 });
});

Deno.test("the OpenAPI document is 3.1 and describes every route from the zod schemas", async () => {
  const app = await makeApp();
  const doc = await (await app.fetch(new Request(`${BASE}/api/v1/openapi.json`))).json();
  assert.equal(doc.openapi, "3.1.0");
  for (
    const p of [
      "/health",
      "/api/v1/loan/decision",
      "/api/v1/loan/evaluate_dataset",
      "/api/v1/loan/evaluations/{id}",
      "/api/v1/metrics/summary",
    ]
  ) {
    assert.ok(doc.paths[p], p);
  }
  const param = doc.paths["/api/v1/loan/evaluations/{id}"].get.parameters[0];
  assert.deepEqual([param.in, param.required], ["path", true], "path parameters are required");
  const app_ = doc.components.schemas.LoanApplication;
  assert.deepEqual(
    { ...app_.properties.credit_score, description: undefined },
    { type: "integer", minimum: 300, maximum: 850, description: undefined },
  );
  assert.ok(app_.required.includes("credit_score"));
});

Deno.test("a failed evaluation job reports its error to the client without credentials", async () => {
  const app = await makeApp({
    evaluateDataset: () =>
      Promise.reject(new Error("POST https://alice:hunter2-secret@mlflow.example/api failed")),
  });
  const res = await app.fetch(
    post("/api/v1/loan/evaluate_dataset", { dataset_name: "loan_approval_test_set" }, {
      Authorization: `Bearer ${TOKENS[0]}`,
    }),
  );
  const job = await res.json();
  assert.equal(res.status, 500);
  assert.equal(job.status, "failed");
  assert.match(job.error, /mlflow\.example\/api failed/);
  assert.ok(!JSON.stringify(job).includes("hunter2-secret"), job.error);
});

Deno.test("malformed percent-encoding in a path is a 400 naming it, never a 500", async (t) => {
  const app = await makeApp();
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  for (const id of ["%ZZ", "%", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "abc%", "%%41", "%FF"]) {
    await t.step(id, async () => {
      const res = await app.fetch(
        new Request(`${BASE}/api/v1/loan/evaluations/${id}`, { headers: auth }),
      );
      const body = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(body.error, /percent-encoded/);
    });
  }
  await t.step("well-formed encoding of an unknown id is a 404", async () => {
    const res = await app.fetch(
      new Request(`${BASE}/api/v1/loan/evaluations/%E2%82%AC%2F..`, { headers: auth }),
    );
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
  await t.step("without a token it is a 401 first", async () => {
    const res = await app.fetch(new Request(`${BASE}/api/v1/loan/evaluations/%ZZ`));
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
});

Deno.test("evaluate_dataset checks the dataset and target_field before any job starts", async (t) => {
  const started: string[] = [];
  const app = await makeApp({
    evaluateDataset: (req) => {
      started.push(req.target_field);
      return Promise.resolve({ runId: "r", metrics: {} });
    },
    inspectDataset: (name, version) =>
      Promise.resolve(
        name === "loan_approval_test_set" && (version === undefined || version === "1.0.0")
          ? { version: "1.0.0", fields: ["request_id", "credit_score", "expected_outcome"] }
          : undefined,
      ),
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const ask = async (body: Record<string, unknown>) => {
    const res = await app.fetch(post("/api/v1/loan/evaluate_dataset", body, auth));
    return { status: res.status, body: await res.json() };
  };
  await t.step("unknown target_field → 400 naming the field and the dataset's fields", async () => {
    const r = await ask({ dataset_name: "loan_approval_test_set", target_field: "outcome" });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.deepEqual(r.body.issues[0].path, ["target_field"]);
    assert.match(r.body.issues[0].message, /'outcome'/);
    assert.match(r.body.issues[0].message, /'expected_outcome'/);
  });
  await t.step("unknown dataset → 404 naming dataset_name", async () => {
    const r = await ask({ dataset_name: "nope" });
    assert.equal(r.status, 404);
    assert.deepEqual(r.body.issues[0].path, ["dataset_name"]);
  });
  await t.step("unknown version → 404 naming dataset_version", async () => {
    const r = await ask({ dataset_name: "loan_approval_test_set", dataset_version: "9.9.9" });
    assert.equal(r.status, 404);
    assert.deepEqual(r.body.issues[0].path, ["dataset_version"]);
  });
  assert.deepEqual(started, [], "no job was started for a refused request");
  await app.idle();
  assert.equal(app.jobs.size, 0);
  await t.step("a known field runs", async () => {
    const r = await ask({ dataset_name: "loan_approval_test_set", target_field: "credit_score" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(started, ["credit_score"]);
  });
});

Deno.test("evaluation jobs past the limit queue, past the queue get 429 with Retry-After; /health stays fast", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let inFlight = 0, peak = 0;
  const app = await makeApp({
    maxConcurrentJobs: 2,
    maxQueuedJobs: 1,
    evaluateDataset: async () => {
      peak = Math.max(peak, ++inFlight);
      await gate;
      inFlight--;
      return { runId: "r", metrics: {} };
    },
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const body = { dataset_name: "loan_approval_test_set", wait: false };
  const answers = [];
  for (let i = 0; i < 5; i++) {
    const res = await app.fetch(post("/api/v1/loan/evaluate_dataset", body, auth));
    answers.push({
      status: res.status,
      retryAfter: res.headers.get("Retry-After"),
      body: await res.json(),
    });
  }
  assert.deepEqual(answers.map((a) => a.status), [202, 202, 202, 429, 429]);
  assert.deepEqual(answers.slice(0, 3).map((a) => a.body.status), ["running", "running", "queued"]);
  assert.equal(answers[0]!.body.started_at, answers[0]!.body.created_at, "started at once");
  assert.equal(answers[2]!.body.started_at, undefined, "a queued job has not started");
  for (const a of answers.slice(3)) {
    assert.ok(Number(a.retryAfter) >= 1, `Retry-After ${a.retryAfter}`);
    assert.match(a.body.error, /2 running and 1 queued/);
  }
  const t0 = performance.now();
  const health = await app.fetch(new Request(`${BASE}/health`));
  assert.equal(health.status, 200);
  await health.body?.cancel();
  assert.ok(performance.now() - t0 < 100, "health does not wait for jobs");
  release();
  await app.idle();
  assert.equal(peak, 2, "never more than maxConcurrentJobs at once");
  const states = answers.slice(0, 3).map((a) => app.jobs.get(a.body.id)!.status);
  assert.deepEqual(states, ["succeeded", "succeeded", "succeeded"]);
  const again = await app.fetch(post("/api/v1/loan/evaluate_dataset", body, auth));
  assert.equal(again.status, 202, "slots are free again");
  await again.body?.cancel();
  await app.idle();
});

Deno.test("finished jobs are kept for polling up to 1,000; the oldest finished ones are forgotten first, a running one never", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let calls = 0;
  const app = await makeApp({
    maxConcurrentJobs: 2,
    maxQueuedJobs: 0,
    evaluateDataset: async () => {
      if (calls++ === 0) await gate; // the first job stays running throughout
      return { runId: `r${calls}`, metrics: {} };
    },
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const ask = async (wait: boolean) => {
    const res = await app.fetch(
      post("/api/v1/loan/evaluate_dataset", { dataset_name: "loan_approval_test_set", wait }, auth),
    );
    return { status: res.status, job: await res.json() };
  };
  const running = await ask(false);
  assert.equal(running.status, 202);
  const ids: string[] = [running.job.id];
  for (let i = 0; i < 1001; i++) {
    const r = await ask(true);
    assert.equal(r.status, 200, JSON.stringify(r.job));
    ids.push(r.job.id);
  }
  assert.equal(app.jobs.size, 1000);
  const status = async (id: string) => {
    const res = await app.fetch(
      new Request(`${BASE}/api/v1/loan/evaluations/${id}`, { headers: auth }),
    );
    await res.body?.cancel();
    return res.status;
  };
  assert.equal(await status(ids[0]!), 200, "the running job is kept");
  assert.equal(await status(ids[1]!), 404, "the oldest finished job is forgotten");
  assert.equal(await status(ids[2]!), 404);
  assert.equal(await status(ids[3]!), 200);
  assert.equal(await status(ids.at(-1)!), 200);
  release();
  await app.idle();
});

Deno.test("Retry-After estimates one mean job duration per round of queued jobs (5 s per round before any job finished)", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const app = await makeApp({
    maxConcurrentJobs: 1,
    maxQueuedJobs: 2,
    evaluateDataset: async () => {
      await gate;
      return { runId: "r", metrics: {} };
    },
  });
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  const body = { dataset_name: "loan_approval_test_set", wait: false };
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 4; i++) {
    const res = await app.fetch(post("/api/v1/loan/evaluate_dataset", body, auth));
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get("Retry-After");
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [202, 202, 202, 429]);
  // 1 running + 2 queued with one slot: the new job would start after 3 rounds of 5 s
  assert.equal(retryAfter, "15");
  release();
  await app.idle();
});

Deno.test("a body of exactly maxBodyBytes is read; one byte more is a 413 (streamed and declared)", async () => {
  const body = JSON.stringify(application());
  const size = new TextEncoder().encode(body).length;
  const auth = { Authorization: `Bearer ${TOKENS[0]}` };
  for (const [limit, status] of [[size, 200], [size - 1, 413]] as const) {
    const app = await makeApp({ maxBodyBytes: limit });
    const streamed = await app.fetch(post("/api/v1/loan/decision", body, auth));
    assert.equal(streamed.status, status, `limit ${limit}, body ${size}: ${await streamed.text()}`);
    const declared = await app.fetch(
      post("/api/v1/loan/decision", body, { ...auth, "Content-Length": String(size) }),
    );
    assert.equal(declared.status, status, `declared, limit ${limit}: ${await declared.text()}`);
  }
});
