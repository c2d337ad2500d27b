/**
 * Child process of artifacts_test.ts: writes a deterministic pseudo-random file of SIZE_MB
 * (streamed), uploads it with ArtifactsApi.uploadFile, downloads it with downloadFile, hashes
 * both files with streaming SHA-256 and samples the process RSS during the transfers.
 * Prints one JSON line with the figures. Run with --v8-flags=--expose-gc.
 *
 * Args: <tracking uri> <artifact uri> <work dir> <size MB>
 */
import { createHash } from "node:crypto";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import { ArtifactsApi } from "../../lib/mlflow/artifacts.ts";

const [trackingUri, artifactUri, workDir, sizeArg] = Deno.args;
if (!trackingUri || !artifactUri || !workDir || !sizeArg) {
  throw new Error(
    "usage: _large_artifact_child.ts <tracking uri> <artifact uri> <work dir> <size MB>",
  );
}
const size = Number(sizeArg) * 1024 * 1024;
const source = `${workDir}/big.bin`;
const target = `${workDir}/downloaded/big.bin`;

async function writeDeterministic(path: string, bytes: number): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  let state = 0x9e3779b9;
  const chunk = new Uint8Array(1 << 20);
  const words = new Uint32Array(chunk.buffer);
  for (let written = 0; written < bytes; written += chunk.byteLength) {
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes - written));
    hash.update(part);
    await writer.write(part.slice());
  }
  await writer.close();
  return hash.digest("hex");
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

const gc = (globalThis as { gc?: () => void }).gc;
const expected = await writeDeterministic(source, size);
gc?.();
await new Promise((r) => setTimeout(r, 100));
gc?.();
const rssBefore = Deno.memoryUsage().rss;
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
}, 5);

const artifacts = new ArtifactsApi(new MlflowTransport({ trackingUri }));
let t0 = performance.now();
const uploaded = await artifacts.uploadFile(artifactUri, source, "large");
const uploadMs = performance.now() - t0;
const rssAfterUpload = rssPeak;
rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
t0 = performance.now();
const downloaded = await artifacts.downloadFile(artifactUri, "large/big.bin", target);
const downloadMs = performance.now() - t0;
rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
clearInterval(sampler);

const actual = await hashFile(target);
const listed = await artifacts.list(artifactUri, "large");
console.log(JSON.stringify({
  bytes: size,
  expected,
  actual,
  uploaded,
  downloaded,
  listed,
  uploadMs,
  downloadMs,
  rssBefore,
  rssPeak,
  gcExposed: gc !== undefined,
  rssAfterUpload,
}));
