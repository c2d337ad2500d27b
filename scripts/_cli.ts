/** What the CLIs in scripts/ share: the usage error (exit 2) and `--tags k=v[,k=v]` parsing. */

/** A usage problem: the CLIs print it and exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses repeated `--tags key=value[,key=value]` flags; a pair without `=` is a UsageError. */
export function parseTags(list: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of list) {
    for (const pair of item.split(",")) {
      if (pair.trim() === "") continue;
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`Expected --tags as key=value but found '${pair}'`);
      tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return tags;
}
