/**
 * docs/server.md stays true: every curl example in it runs against `deno task serve`
 * (scripts/serve.ts, a real process with the shipped datasets and the local store) and gets the
 * status written after `→`; the guide's evaluate_dataset call is there verbatim and works once
 * its port and token are the server's.
 */
import assert from "node:assert/strict";
import { TOKENS } from "./_fixtures.ts";
import { serve } from "./_serve.ts";

const GUIDE_CALL =
  `curl -X POST http://localhost:8000/api/v1/loan/evaluate_dataset -H "Content-Type: application/json" -H "Authorization: Bearer your-token" -d '{"dataset_name": "loan_approval_test_set", "target_field": "expected_outcome"}'`;

interface Example {
  command: string;
  status: number;
}

/** The curl commands of the ```sh blocks, each with the status of its `# → NNN` line. */
function examples(markdown: string): Example[] {
  const out: Example[] = [];
  for (const block of markdown.matchAll(/```sh\n([^]*?)```/g)) {
    const lines = block[1]!.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith("curl ")) continue;
      let command = lines[i]!;
      while (command.endsWith("\\")) command = command.slice(0, -1) + " " + lines[++i]!.trim();
      const expect = /^# → (\d{3})/.exec(lines[i + 1] ?? "");
      assert.ok(expect, `a '# → status' line after: ${command}`);
      out.push({ command, status: Number(expect[1]) });
    }
  }
  return out;
}

async function run(command: string, token: string): Promise<{ status: number; body: string }> {
  const file = await Deno.makeTempFile();
  try {
    const out = await new Deno.Command("bash", {
      args: ["-c", `${command} -o '${file}' -w '%{http_code}'`],
      env: { TOKEN: token },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, `${command}: ${new TextDecoder().decode(out.stderr)}`);
    return { status: Number(stdout.trim().slice(-3)), body: await Deno.readTextFile(file) };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("docs/server.md: every curl example works against deno task serve, with the status it documents", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/server.md", import.meta.url));
  assert.ok(doc.includes("```\n" + GUIDE_CALL + "\n```"), "the guide's call, verbatim");
  assert.match(doc, /listens on \*\*`127\.0\.0\.1:8080`\*\*/);
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/serve.ts", "--help"],
    stdout: "piped",
  }).output();
  assert.match(new TextDecoder().decode(help.stdout), /--port <n>.*\(8080\)/, "the default port");

  await using server = await serve([], { metrics: true });
  const port = new URL(server.base).port;
  const all = examples(doc);
  assert.ok(all.length >= 9, `${all.length} examples`);
  const routes = new Set<string>();
  let jobId: string | undefined;
  for (const ex of all) {
    let command = ex.command.replaceAll("http://localhost:8080", `http://127.0.0.1:${port}`);
    if (command.includes("<job-id>")) {
      assert.ok(jobId, "a job id from an earlier example");
      command = command.replace("<job-id>", jobId);
    }
    const res = await run(command, TOKENS[0]!);
    assert.equal(res.status, ex.status, `${ex.command}\n→ ${res.status} ${res.body.slice(0, 300)}`);
    const body = JSON.parse(res.body);
    if (res.status === 202) jobId = body.id;
    if (command.includes("/evaluations/")) {
      // the job may still run: poll it until it finishes, as a user would
      for (let i = 0; i < 100 && body.status !== "succeeded"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        Object.assign(body, JSON.parse((await run(command, TOKENS[0]!)).body));
      }
      assert.equal(body.status, "succeeded", JSON.stringify(body));
    }
    routes.add(/https?:\/\/[^/]+(\/[^\s"']*)/.exec(command)![1]!.replace(jobId ?? "\0", "{id}"));
  }
  for (
    const r of [
      "/health",
      "/api/v1/openapi.json",
      "/api/v1/loan/decision",
      "/api/v1/loan/evaluate_dataset",
      "/api/v1/loan/evaluations/{id}",
      "/api/v1/metrics/summary",
    ]
  ) {
    assert.ok(routes.has(r), `an example for ${r}: ${[...routes]}`);
  }
  // the guide's call, with the server's port and a real token in place of `your-token`
  const guide = await run(
    GUIDE_CALL.replace("http://localhost:8000", `http://127.0.0.1:${port}`)
      .replace("your-token", "$TOKEN"),
    TOKENS[1]!,
  );
  assert.equal(guide.status, 200, guide.body);
  const job = JSON.parse(guide.body);
  assert.equal(job.status, "succeeded");
  assert.ok(job.metrics.accuracy_score > 0.9, guide.body);
});
