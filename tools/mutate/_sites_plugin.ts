/**
 * A `deno lint` plugin that finds mutation sites: it reports every operator, literal and
 * condition that `tools/mutate/mutate.ts` knows how to change, with the exact source range
 * taken from Deno's own TypeScript parser (so comments, strings, types and generics are never
 * mistaken for code). Each diagnostic's message is one JSON-encoded {@link Site}.
 *
 * Loaded only by the mutation task through a temporary lint config; never part of the library.
 * @module
 */

/** One place where a mutant can be made: replace `source[start, end)` by each of `replacements`. */
export interface Site {
  /** The operator family, as in StrykerJS' mutator names. */
  kind: string;
  /** UTF-16 offset of the first replaced character. */
  start: number;
  /** UTF-16 offset after the last replaced character. */
  end: number;
  /** The original text. */
  original: string;
  /** Each mutant's replacement text. */
  replacements: string[];
}

const BINARY: Record<string, [string, string[]]> = {
  "<": ["EqualityOperator", ["<=", ">="]],
  "<=": ["EqualityOperator", ["<", ">"]],
  ">": ["EqualityOperator", [">=", "<="]],
  ">=": ["EqualityOperator", [">", "<"]],
  "===": ["EqualityOperator", ["!=="]],
  "!==": ["EqualityOperator", ["==="]],
  "==": ["EqualityOperator", ["!="]],
  "!=": ["EqualityOperator", ["=="]],
  "+": ["ArithmeticOperator", ["-"]],
  "-": ["ArithmeticOperator", ["+"]],
  "*": ["ArithmeticOperator", ["/"]],
  "/": ["ArithmeticOperator", ["*"]],
  "%": ["ArithmeticOperator", ["*"]],
};

const LOGICAL: Record<string, string[]> = { "&&": ["||"], "||": ["&&"], "??": ["&&"] };

type Range = [number, number];

function isString(node: Deno.lint.Node): boolean {
  return node.type === "TemplateLiteral" ||
    (node.type === "Literal" && typeof node.value === "string");
}
interface Ranged {
  range: Range;
}

const plugin: Deno.lint.Plugin = {
  name: "mutation",
  rules: {
    sites: {
      create(context) {
        const text = context.sourceCode.text;
        const report = (node: Deno.lint.Node, site: Site) =>
          context.report({ node, message: JSON.stringify(site) });
        /** Finds `op` between two operand ranges (skipping parentheses and spaces). */
        const operatorSite = (
          node: Deno.lint.Node,
          left: Ranged,
          right: Ranged,
          op: string,
          kind: string,
          replacements: string[],
        ) => {
          const between = text.slice(left.range[1], right.range[0]);
          const at = between.indexOf(op);
          if (at < 0 || between.indexOf(op, at + 1) >= 0) return; // ambiguous: skip
          const start = left.range[1] + at;
          // A `<` that is really the start of `<=` (etc.) would have been matched as the longer op.
          const after = text[start + op.length];
          if ((op === "<" || op === ">" || op === "=") && after === "=") return;
          report(node, { kind, start, end: start + op.length, original: op, replacements });
        };
        return {
          BinaryExpression(node) {
            const entry = BINARY[node.operator];
            if (!entry) return;
            // `"a" + x` is a string concatenation: its "minus" would not type-check.
            if (node.operator === "+" && [node.left, node.right].some(isString)) return;
            operatorSite(node, node.left, node.right, node.operator, entry[0], entry[1]);
          },
          LogicalExpression(node) {
            const replacements = LOGICAL[node.operator];
            if (!replacements) return;
            operatorSite(
              node,
              node.left,
              node.right,
              node.operator,
              "LogicalOperator",
              replacements,
            );
          },
          UnaryExpression(node) {
            if (node.operator !== "!") return;
            const [start] = node.range;
            if (text[start] !== "!") return;
            report(node, {
              kind: "BooleanNegation",
              start,
              end: start + 1,
              original: "!",
              replacements: [""],
            });
          },
          UpdateExpression(node) {
            const op = node.operator;
            const [start, end] = node.range;
            const at = node.prefix ? start : end - 2;
            if (text.slice(at, at + 2) !== op) return;
            report(node, {
              kind: "UpdateOperator",
              start: at,
              end: at + 2,
              original: op,
              replacements: [op === "++" ? "--" : "++"],
            });
          },
          Literal(node) {
            if (typeof node.value !== "boolean") return;
            const [start, end] = node.range;
            report(node, {
              kind: "BooleanLiteral",
              start,
              end,
              original: text.slice(start, end),
              replacements: [node.value ? "false" : "true"],
            });
          },
          IfStatement(node) {
            const [start, end] = node.test.range;
            report(node, {
              kind: "ConditionalExpression",
              start,
              end,
              original: text.slice(start, end),
              replacements: ["true", "false"],
            });
          },
        };
      },
    },
  },
};

export default plugin;
