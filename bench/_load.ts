/**
 * Load generator for bench/server_load.ts, run as its own process so the load does not share
 * the server's event loop: autocannon against one URL, printing autocannon's JSON result.
 * Usage: deno run -A bench/_load.ts <url> <connections> <seconds> <body-json> <token>
 */
import autocannon from "autocannon";

const [url, connections, seconds, body, token] = Deno.args;
if (!url || !connections || !seconds || !body || !token) {
  console.error("usage: _load.ts <url> <connections> <seconds> <body-json> <token>");
  Deno.exit(2);
}
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body,
});
console.log(JSON.stringify(result));
