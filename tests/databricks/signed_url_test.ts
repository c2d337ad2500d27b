/**
 * Signed-URL storage requests and the shared retry rule. The cloud storage behind a signed URL
 * is Databricks-only, so a local HTTP stand-in on 127.0.0.1 plays it here.
 */
import assert from "node:assert/strict";
import {
  type ArtifactCredential,
  downloadFromSignedUrl,
  SignedUrlError,
  uploadToSignedUrl,
} from "../../lib/mlflow/databricks/signed_url.ts";

function credential(url: string, type = "AWS_PRESIGNED_URL"): ArtifactCredential {
  return { path: "a.txt", signedUri: `${url}/bucket/a.txt?X-Sig=secret`, headers: [], type };
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("signed-URL requests retry each transient status (408, 429, 500, 502, 503, 504)", async (t) => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      let gets = 0, puts = 0;
      await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
        if (req.method === "PUT") {
          return ++puts === 1 ? new Response("hiccup", { status }) : new Response(null);
        }
        return ++gets === 1 ? new Response("hiccup", { status }) : new Response("hello");
      });
      const cred = credential(`http://127.0.0.1:${server.addr.port}`);
      const fresh = () => Promise.reject(new Error("no refresh expected"));
      assert.equal(
        await text(await downloadFromSignedUrl(cred, fresh, { retryBaseMs: 1 })),
        "hello",
      );
      assert.equal(gets, 2);
      await uploadToSignedUrl(cred, new TextEncoder().encode("x"), fresh, { retryBaseMs: 1 });
      assert.equal(puts, 2);
    });
  }
});

Deno.test("signed-URL requests retry a refused connection and give up after maxRetries", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const err = await downloadFromSignedUrl(
    credential(`http://127.0.0.1:${port}`),
    () => Promise.reject(new Error("no refresh expected")),
    { retryBaseMs: 1, maxRetries: 2 },
  ).catch((e) => e);
  assert.ok(err instanceof SignedUrlError);
  assert.equal(err.status, 0);
  assert.ok(!err.message.includes("secret"), err.message);
});

Deno.test("signed-URL requests do not retry 400 or 404, and never show the signature", async (t) => {
  for (const status of [400, 404]) {
    await t.step(`HTTP ${status}`, async () => {
      let gets = 0;
      await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
        gets++;
        return new Response("<Error/>", { status });
      });
      const err = await downloadFromSignedUrl(
        credential(`http://127.0.0.1:${server.addr.port}`),
        () => Promise.reject(new Error("no refresh expected")),
        { retryBaseMs: 1 },
      ).catch((e) => e);
      assert.ok(err instanceof SignedUrlError);
      assert.equal(err.status, status);
      assert.equal(gets, 1);
      assert.ok(!err.message.includes("X-Sig"), err.message);
    });
  }
});
