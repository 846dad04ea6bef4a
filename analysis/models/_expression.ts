// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A small, safe arithmetic expression language for the material functions of a parameter set
 * (open-circuit potentials, diffusivities, conductivities, exchange-current densities):
 * numbers, named variables, `+ - * /`, powers (`^` or `**`, right-associative, binding tighter
 * than unary minus: `-x^2 = -(x^2)`), parentheses and the functions `exp log log10 sqrt tanh
 * sinh cosh sech tan sin cos atan asinh abs min max pow`. Expressions are parsed once into a
 * tree of closures (no `eval`, no `Function`), with constant sub-expressions folded.
 */

/** A compiled expression: takes the variable values in the order they were declared. */
export type CompiledExpression = (args: ArrayLike<number>) => number;

/** Functions the language knows, by name and number of arguments. */
const FUNCTIONS: Record<string, { arity: number; fn: (...x: number[]) => number }> = {
  exp: { arity: 1, fn: Math.exp },
  log: { arity: 1, fn: Math.log },
  ln: { arity: 1, fn: Math.log },
  log10: { arity: 1, fn: Math.log10 },
  sqrt: { arity: 1, fn: Math.sqrt },
  tanh: { arity: 1, fn: Math.tanh },
  sinh: { arity: 1, fn: Math.sinh },
  cosh: { arity: 1, fn: Math.cosh },
  sech: { arity: 1, fn: (x) => 1 / Math.cosh(x) },
  tan: { arity: 1, fn: Math.tan },
  sin: { arity: 1, fn: Math.sin },
  cos: { arity: 1, fn: Math.cos },
  atan: { arity: 1, fn: Math.atan },
  asinh: { arity: 1, fn: Math.asinh },
  arcsinh: { arity: 1, fn: Math.asinh },
  abs: { arity: 1, fn: Math.abs },
  min: { arity: 2, fn: Math.min },
  max: { arity: 2, fn: Math.max },
  pow: { arity: 2, fn: Math.pow },
};

/** Named constants every expression may use. */
const CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  // Gas and Faraday constants exactly as PyBaMM takes them from scipy (CODATA 2018).
  R: 8.31446261815324,
  F: 96485.33212331001,
};

interface Token {
  kind: "num" | "id" | "op" | "(" | ")" | ",";
  text: string;
  value?: number;
  pos: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: "num", text: number[0], value: Number(number[0]), pos: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z_0-9]*/.exec(source.slice(i));
    if (ident) {
      tokens.push({ kind: "id", text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    if (ch === "*" && source[i + 1] === "*") {
      tokens.push({ kind: "op", text: "^", pos: i });
      i += 2;
      continue;
    }
    if ("+-*/^".includes(ch)) {
      tokens.push({ kind: "op", text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: ch, text: ch, pos: i });
      i++;
      continue;
    }
    throw new SyntaxError(`unexpected character "${ch}" at position ${i}`);
  }
  return tokens;
}

/** A node: either a constant or a closure over the argument array. */
type Node = { constant: number } | { eval: CompiledExpression };

function isConstant(node: Node): node is { constant: number } {
  return "constant" in node;
}

function closure(node: Node): CompiledExpression {
  if (isConstant(node)) {
    const c = node.constant;
    return () => c;
  }
  return node.eval;
}

function binary(op: string, a: Node, b: Node): Node {
  const f = op === "+"
    ? (x: number, y: number) => x + y
    : op === "-"
    ? (x: number, y: number) => x - y
    : op === "*"
    ? (x: number, y: number) => x * y
    : op === "/"
    ? (x: number, y: number) => x / y
    : Math.pow;
  if (isConstant(a) && isConstant(b)) return { constant: f(a.constant, b.constant) };
  const fa = closure(a), fb = closure(b);
  if (isConstant(b)) {
    const cb = b.constant;
    switch (op) {
      case "+":
        return { eval: (v) => fa(v) + cb };
      case "-":
        return { eval: (v) => fa(v) - cb };
      case "*":
        return { eval: (v) => fa(v) * cb };
      case "/":
        return { eval: (v) => fa(v) / cb };
      default:
        if (cb === 2) return { eval: (v) => fa(v) ** 2 };
        if (cb === 0.5) return { eval: (v) => Math.sqrt(fa(v)) };
        return { eval: (v) => fa(v) ** cb };
    }
  }
  if (isConstant(a)) {
    const ca = a.constant;
    switch (op) {
      case "+":
        return { eval: (v) => ca + fb(v) };
      case "-":
        return { eval: (v) => ca - fb(v) };
      case "*":
        return { eval: (v) => ca * fb(v) };
      case "/":
        return { eval: (v) => ca / fb(v) };
      default:
        return { eval: (v) => ca ** fb(v) };
    }
  }
  switch (op) {
    case "+":
      return { eval: (v) => fa(v) + fb(v) };
    case "-":
      return { eval: (v) => fa(v) - fb(v) };
    case "*":
      return { eval: (v) => fa(v) * fb(v) };
    case "/":
      return { eval: (v) => fa(v) / fb(v) };
    default:
      return { eval: (v) => fa(v) ** fb(v) };
  }
}

/**
 * Compile an expression in the given variables.
 *
 * @param source The expression, for example `"1.5 * exp(-120 * sto) + 0.194"`.
 * @param variables Names of the variables, in the order the compiled function takes them.
 * @returns The compiled function and the variables the expression uses.
 * @throws {SyntaxError} With the position of the problem.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { compileExpression } from "./_expression.ts";
 * const { fn } = compileExpression("2 * x^2 - y", ["x", "y"]);
 * equal(fn([3, 1]), 17);
 * ```
 */
export function compileExpression(
  source: string,
  variables: readonly string[],
): { fn: CompiledExpression; uses: Set<string> } {
  const tokens = tokenize(source);
  const uses = new Set<string>();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (message: string, token?: Token): never => {
    const at = token ? token.pos : source.length;
    throw new SyntaxError(`${message} at position ${at}`);
  };
  const expect = (kind: Token["kind"]): Token => {
    const t = peek();
    if (!t || t.kind !== kind) {
      fail(t ? `expected "${kind}", found "${t.text}"` : `expected "${kind}", found the end`, t);
    }
    pos++;
    return t as Token;
  };
  const parseExpr = (): Node => {
    let left = parseTerm();
    for (let t = peek(); t && t.kind === "op" && (t.text === "+" || t.text === "-"); t = peek()) {
      pos++;
      left = binary(t.text, left, parseTerm());
    }
    return left;
  };
  const parseTerm = (): Node => {
    let left = parseUnary();
    for (let t = peek(); t && t.kind === "op" && (t.text === "*" || t.text === "/"); t = peek()) {
      pos++;
      left = binary(t.text, left, parseUnary());
    }
    return left;
  };
  const parseUnary = (): Node => {
    const t = peek();
    if (t && t.kind === "op" && (t.text === "-" || t.text === "+")) {
      pos++;
      const operand = parseUnary();
      if (t.text === "+") return operand;
      if (isConstant(operand)) return { constant: -operand.constant };
      const f = operand.eval;
      return { eval: (v) => -f(v) };
    }
    return parsePower();
  };
  const parsePower = (): Node => {
    const base = parsePrimary();
    const t = peek();
    if (t && t.kind === "op" && t.text === "^") {
      pos++;
      return binary("^", base, parseUnary());
    }
    return base;
  };
  const parsePrimary = (): Node => {
    const t = peek();
    if (!t) return fail("unexpected end of expression");
    if (t.kind === "num") {
      pos++;
      return { constant: t.value as number };
    }
    if (t.kind === "(") {
      pos++;
      const inner = parseExpr();
      expect(")");
      return inner;
    }
    if (t.kind === "id") {
      pos++;
      const next = peek();
      if (next && next.kind === "(") {
        const spec = FUNCTIONS[t.text];
        if (!spec) fail(`unknown function "${t.text}"`, t);
        pos++;
        const args: Node[] = [parseExpr()];
        while (peek()?.kind === ",") {
          pos++;
          args.push(parseExpr());
        }
        expect(")");
        if (args.length !== spec.arity) {
          fail(`${t.text}() takes ${spec.arity} argument(s), got ${args.length}`, t);
        }
        const fn = spec.fn;
        if (args.every(isConstant)) {
          return { constant: fn(...args.map((a) => (a as { constant: number }).constant)) };
        }
        if (spec.arity === 1) {
          const a = closure(args[0]);
          return { eval: (v) => fn(a(v)) };
        }
        const a = closure(args[0]), b = closure(args[1]);
        return { eval: (v) => fn(a(v), b(v)) };
      }
      const index = variables.indexOf(t.text);
      if (index >= 0) {
        uses.add(t.text);
        return { eval: (v) => v[index] };
      }
      if (t.text in CONSTANTS) return { constant: CONSTANTS[t.text] };
      return fail(
        `unknown name "${t.text}" (variables here: ${variables.join(", ") || "none"})`,
        t,
      );
    }
    return fail(`unexpected "${t.text}"`, t);
  };
  if (tokens.length === 0) fail("empty expression");
  const root = parseExpr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos].text}"`, tokens[pos]);
  return { fn: closure(root), uses };
}
