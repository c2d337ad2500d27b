/**
 * A child process for tests/datasets/tmp_cleanup_test.ts: saves a dataset and, once its hidden
 * temporary folder exists, writes `<marker>` and blocks forever inside the save (so the test can
 * SIGKILL it mid-write, or keep it alive as a live writer).
 * Usage: deno run -A _save_child.ts <basePath> <name> <version> <marker>
 */
import { join } from "node:path";
import { DatasetManager } from "../../lib/datasets/mod.ts";

const [basePath, name, version, marker] = Deno.args as [string, string, string, string];
const rows: Record<string, unknown>[] = [];
for (let i = 0; i < 50; i++) rows.push({ request_id: `r-${i}`, x: i });
let blocked = false;
Object.defineProperty(rows[49]!, "note", {
  enumerable: true,
  get() {
    if (!blocked) {
      const inTmp = [...Deno.readDirSync(join(basePath, name))].some((e) =>
        e.name.startsWith(`.tmp-${version}-`)
      );
      if (inTmp) {
        blocked = true;
        Deno.writeTextFileSync(marker, String(Deno.pid));
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // forever
      }
    }
    return "n";
  },
});
await new DatasetManager({ basePath }).save(rows, { name, version });
