/**
 * The Azure SAS block-blob path against Azurite (npm `azurite`, version pinned in deno.json
 * "imports"), a real implementation of the Azure Blob service: the stand-in hands out real
 * service SAS URLs for it, so block staging, the block list and SAS expiry are Azurite's.
 */
import assert from "node:assert/strict";
import { databricksTarget } from "../../lib/mlflow/databricks/mod.ts";
import {
  azureAccountSas,
  azureBlobSas,
  type AzuriteTarget,
  startDatabricksStandin,
} from "../_helpers/databricks_standin.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const ACCOUNT = "devstoreaccount1";
// Azurite's published development key (not a secret).
const KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const PAT = "dapi-standin-0123456789abcdef";

async function azuriteSpecifier(): Promise<string> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.dev.json", import.meta.url)),
  );
  const spec = config.imports?.azurite;
  assert.ok(typeof spec === "string", "deno.dev.json imports must pin azurite");
  return spec;
}

async function startAzurite(): Promise<{ endpoint: string } & AsyncDisposable> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const dir = await Deno.makeTempDir({ prefix: "evalkit-azurite-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      new URL("../../deno.dev.json", import.meta.url).pathname,
      "-A",
      `${await azuriteSpecifier()}/azurite-blob`,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--inMemoryPersistence",
      "--skipApiVersionCheck",
      "--silent",
    ],
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const stop = async () => {
    try {
      // Azurite's graceful SIGTERM waits for idle keep-alive connections (~90 s); its data
      // is in memory only, so SIGKILL loses nothing.
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 90_000;
  while (true) {
    try {
      const res = await fetch(`${endpoint}?comp=list`);
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Azurite did not start on port ${port} within 90 s`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { endpoint, [Symbol.asyncDispose]: stop };
}

Deno.test("Azure SAS block-blob upload and download work against Azurite, including SAS refresh", async () => {
  await using azurite = await startAzurite();
  const az: AzuriteTarget = {
    blobEndpoint: azurite.endpoint,
    accountName: ACCOUNT,
    accountKey: KEY,
    container: uniqueName("mlflow").toLowerCase(),
  };
  const sas = await azureAccountSas(az, Date.now() + 3600_000);
  const created = await fetch(`${az.blobEndpoint}/${az.container}?restype=container&${sas}`, {
    method: "PUT",
  });
  await created.body?.cancel();
  assert.equal(created.status, 201, "Azurite accepted our account SAS and created the container");

  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    filesApi: false,
    credentialType: "AZURE_SAS_URI",
    azurite: az,
  });
  const blockSize = 256 * 1024;
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
    blockSize,
  });
  const { experiment_id } = await target.transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: `/Shared/ai-agents/${uniqueName("azurite")}`,
    },
  );
  const { run } = await target.transport.post<
    { run: { info: { run_id: string; artifact_uri: string } } }
  >(
    "/api/2.0/mlflow/runs/create",
    { experiment_id },
  );
  const payload = new Uint8Array(blockSize * 2 + 100).map((_, i) => (i * 31 + 7) % 251);
  await target.artifactRepository.upload(run.info.artifact_uri, "eval/results.bin", payload);
  assert.equal(target.artifactRepository.lastRoute, "signed-url");

  // Read it back straight from Azurite with our own read SAS.
  const blobName = `${experiment_id}/${run.info.run_id}/artifacts/eval/results.bin`;
  const readUrl = await azureBlobSas(az, blobName, "r", Date.now() + 600_000);
  const direct = await fetch(readUrl);
  assert.equal(direct.status, 200);
  assert.deepEqual(new Uint8Array(await direct.arrayBuffer()), payload);
  const list = await fetch(`${readUrl}&comp=blocklist&blocklisttype=committed`);
  const xml = await list.text();
  assert.equal(list.status, 200, xml);
  assert.equal([...xml.matchAll(/<Block>/g)].length, 3, `three committed blocks expected: ${xml}`);

  const back = await new Response(
    await target.artifactRepository.download(run.info.artifact_uri, "eval/results.bin"),
  )
    .arrayBuffer();
  assert.deepEqual(new Uint8Array(back), payload);

  // An expired SAS is refused by Azurite (403) and the client fetches new credentials.
  standin.options.expiredCredentials = 1;
  const before = standin.stats.credentialsForWrite;
  await target.artifactRepository.upload(run.info.artifact_uri, "eval/again.txt", "refreshed");
  assert.equal(standin.stats.credentialsForWrite - before, 2);
  const again = await fetch(
    await azureBlobSas(
      az,
      `${experiment_id}/${run.info.run_id}/artifacts/eval/again.txt`,
      "r",
      Date.now() + 600_000,
    ),
  );
  assert.equal(await again.text(), "refreshed");
});
