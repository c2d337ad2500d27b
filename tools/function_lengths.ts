/**
 * `deno run -A tools/function_lengths.ts [--top N] <dir|file>...`: the longest functions
 * (declarations, methods, function expressions and arrow functions with a block body), in
 * lines from their first to their last line, measured on Deno's own parser through a lint
 * plugin (this file is also that plugin). Prints the longest per path given, then the top N.
 *
 * @module
 */

interface Found {
  name: string;
  lines: number;
}

type Node = Deno.lint.Node & { range: [number, number]; parent?: Node };

function nameOf(node: Node): string {
  const n = node as unknown as { id?: { name?: string } };
  if (n.id?.name) return n.id.name;
  const p = node.parent as unknown as
    | { type: string; key?: { name?: string }; id?: { name?: string } }
    | undefined;
  if (p?.key?.name) return p.key.name;
  if (p?.id?.name) return p.id.name;
  return `<${node.type}>`;
}

const plugin: Deno.lint.Plugin = {
  name: "fnlen",
  rules: {
    lengths: {
      create(context) {
        const text = context.sourceCode.text;
        const visit = (node: Deno.lint.Node) => {
          const n = node as Node;
          const body = (node as unknown as { body?: { type: string } }).body;
          if (node.type === "ArrowFunctionExpression" && body?.type !== "BlockStatement") return;
          const lines = text.slice(n.range[0], n.range[1]).split("\n").length;
          const found: Found = { name: nameOf(n), lines };
          context.report({ node, message: JSON.stringify(found) });
        };
        return {
          FunctionDeclaration: visit,
          FunctionExpression: visit,
          ArrowFunctionExpression: visit,
        };
      },
    },
  },
};
export default plugin;

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--top");
  const top = at >= 0 ? Number(args.splice(at, 2)[1]) : 10;
  const dir = await Deno.makeTempDir();
  const config = `${dir}/lint.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      lint: {
        plugins: [new URL(import.meta.url).pathname],
        rules: { tags: [], include: ["fnlen/lengths"] },
      },
    }),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["lint", "--json", "--config", config, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  const json = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    diagnostics: { filename: string; range: { start: { line: number } }; message: string }[];
  };
  const all = json.diagnostics.map((d) => ({
    ...(JSON.parse(d.message) as Found),
    where: `${d.filename.replace(`file://${Deno.cwd()}/`, "")}:${d.range.start.line}`,
  })).sort((a, b) => b.lines - a.lines);
  for (const path of args) {
    const mine = all.filter((f) => f.where.startsWith(path.replace(/^\.\//, "")));
    const first = mine[0];
    console.log(
      `${path}: longest ${first ? `${first.name} ${first.lines} lines (${first.where})` : "-"}`,
    );
  }
  console.log(`\ntop ${top}:`);
  for (const f of all.slice(0, top)) {
    console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
  }
}
