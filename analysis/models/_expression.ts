// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A small, safe arithmetic expression language for the material functions of a parameter set
 * (open-circuit potentials, diffusivities, conductivities, exchange-current densities):
 * numbers, named variables, `+ - * /`, powers (`^` or `**`, right-associative, binding tighter
 * than unary minus: `-x^2 = -(x^2)`), parentheses and the functions `exp log ln log10 sqrt
 * tanh sinh cosh sech tan sin cos atan asinh abs min max pow`, and the constants `R`, `F` and
 * `pi`.
 *
 * An expression is parsed into a tree (constant sub-expressions folded) and the tree is turned
 * into JavaScript source made only of numbers the parser formatted, the declared parameter
 * names and `Math` functions from a fixed list — never any text of the input — so the
 * generated function is as fast as hand-written code and cannot run anything else. Where the
 * platform forbids generated code (a strict Content-Security-Policy), the same tree is
 * evaluated by closures instead, giving the same numbers more slowly.
 */

/** A compiled expression: takes the variable values in the order they were declared. */
export type CompiledExpression = (args: ArrayLike<number>) => number;

/** Functions the language knows: arity, evaluator and JavaScript template. */
const FUNCTIONS: Record<
  string,
  { arity: number; fn: (...x: number[]) => number; js: (a: string[]) => string }
> = {
  exp: { arity: 1, fn: Math.exp, js: (a) => `Math.exp(${a[0]})` },
  log: { arity: 1, fn: Math.log, js: (a) => `Math.log(${a[0]})` },
  ln: { arity: 1, fn: Math.log, js: (a) => `Math.log(${a[0]})` },
  log10: { arity: 1, fn: Math.log10, js: (a) => `Math.log10(${a[0]})` },
  sqrt: { arity: 1, fn: Math.sqrt, js: (a) => `Math.sqrt(${a[0]})` },
  tanh: { arity: 1, fn: Math.tanh, js: (a) => `Math.tanh(${a[0]})` },
  sinh: { arity: 1, fn: Math.sinh, js: (a) => `Math.sinh(${a[0]})` },
  cosh: { arity: 1, fn: Math.cosh, js: (a) => `Math.cosh(${a[0]})` },
  sech: { arity: 1, fn: (x) => 1 / Math.cosh(x), js: (a) => `(1 / Math.cosh(${a[0]}))` },
  tan: { arity: 1, fn: Math.tan, js: (a) => `Math.tan(${a[0]})` },
  sin: { arity: 1, fn: Math.sin, js: (a) => `Math.sin(${a[0]})` },
  cos: { arity: 1, fn: Math.cos, js: (a) => `Math.cos(${a[0]})` },
  atan: { arity: 1, fn: Math.atan, js: (a) => `Math.atan(${a[0]})` },
  asinh: { arity: 1, fn: Math.asinh, js: (a) => `Math.asinh(${a[0]})` },
  arcsinh: { arity: 1, fn: Math.asinh, js: (a) => `Math.asinh(${a[0]})` },
  abs: { arity: 1, fn: Math.abs, js: (a) => `Math.abs(${a[0]})` },
  min: { arity: 2, fn: Math.min, js: (a) => `Math.min(${a[0]}, ${a[1]})` },
  max: { arity: 2, fn: Math.max, js: (a) => `Math.max(${a[0]}, ${a[1]})` },
  pow: { arity: 2, fn: Math.pow, js: (a) => `Math.pow(${a[0]}, ${a[1]})` },
};

/** Named constants every expression may use. */
const CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  // Gas and Faraday constants exactly as PyBaMM takes them from scipy (CODATA 2018).
  R: 8.31446261815324,
  F: 96485.33212331001,
};

/** A parsed expression. */
export type Ast =
  | { kind: "num"; value: number }
  | { kind: "var"; index: number }
  | { kind: "neg"; arg: Ast }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; left: Ast; right: Ast }
  | { kind: "call"; name: string; args: Ast[] }
  | { kind: "regpow"; base: Ast; exponent: Ast; scale: Ast };

/** PyBaMM's regularisation width of powers (`settings.tolerances["reg_power"]`). */
const REG_DELTA = 1e-3;

/**
 * PyBaMM's regularised power (`RegPower`): (x/s)((x/s)² + δ²)^((a−1)/2) s^a, equal to x^a for
 * x ≫ δ s but with a finite slope at x = 0.
 */
export function regPow(x: number, a: number, s: number): number {
  const u = x / s;
  return u * (u * u + REG_DELTA * REG_DELTA) ** ((a - 1) / 2) * s ** a;
}

/** Structural equality of two trees. */
function sameAst(a: Ast, b: Ast): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "num":
      return a.value === (b as typeof a).value;
    case "var":
      return a.index === (b as typeof a).index;
    case "neg":
      return sameAst(a.arg, (b as typeof a).arg);
    case "bin": {
      const o = b as typeof a;
      return a.op === o.op && sameAst(a.left, o.left) && sameAst(a.right, o.right);
    }
    case "call": {
      const o = b as typeof a;
      return a.name === o.name && a.args.length === o.args.length &&
        a.args.every((x, i) => sameAst(x, o.args[i]));
    }
    case "regpow": {
      const o = b as typeof a;
      return sameAst(a.base, o.base) && sameAst(a.exponent, o.exponent) &&
        sameAst(a.scale, o.scale);
    }
  }
}

/**
 * Replace powers (and square roots) of the given bases by PyBaMM's regularised power, as PyBaMM
 * does inside exchange-current densities.
 *
 * @param ast The tree.
 * @param bases Base sub-expressions and the scale of each.
 * @returns The new tree.
 */
export function regularizePowers(ast: Ast, bases: readonly { base: Ast; scale: Ast }[]): Ast {
  const scaleOf = (x: Ast): Ast | null => bases.find((b) => sameAst(b.base, x))?.scale ?? null;
  const walk = (n: Ast): Ast => {
    switch (n.kind) {
      case "num":
      case "var":
        return n;
      case "neg":
        return { kind: "neg", arg: walk(n.arg) };
      case "regpow":
        return n;
      case "bin": {
        if (n.op === "^") {
          const scale = scaleOf(n.left);
          if (scale) return { kind: "regpow", base: n.left, exponent: walk(n.right), scale };
        }
        return { kind: "bin", op: n.op, left: walk(n.left), right: walk(n.right) };
      }
      case "call": {
        if (n.name === "sqrt") {
          const scale = scaleOf(n.args[0]);
          if (scale) {
            return {
              kind: "regpow",
              base: n.args[0],
              exponent: { kind: "num", value: 0.5 },
              scale,
            };
          }
        }
        return { kind: "call", name: n.name, args: n.args.map(walk) };
      }
    }
  };
  return walk(ast);
}

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

function applyBinary(op: string, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    default:
      return a ** b;
  }
}

/** Build a binary node, folding constants. */
function binary(op: "+" | "-" | "*" | "/" | "^", left: Ast, right: Ast): Ast {
  if (left.kind === "num" && right.kind === "num") {
    return { kind: "num", value: applyBinary(op, left.value, right.value) };
  }
  return { kind: "bin", op, left, right };
}

/**
 * Parse an expression.
 *
 * @param source The expression text.
 * @param variables Allowed variable names (index = position).
 * @returns The tree and the variables it uses.
 * @throws {SyntaxError} With the position of the problem.
 */
export function parseExpression(
  source: string,
  variables: readonly string[],
): { ast: Ast; uses: Set<string> } {
  const tokens = tokenize(source);
  const uses = new Set<string>();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (message: string, token?: Token): never => {
    const at = token ? token.pos : source.length;
    throw new SyntaxError(`${message} at position ${at}`);
  };
  const expect = (kind: Token["kind"]): void => {
    const t = peek();
    if (!t || t.kind !== kind) {
      fail(t ? `expected "${kind}", found "${t.text}"` : `expected "${kind}", found the end`, t);
    }
    pos++;
  };
  const parseExpr = (): Ast => {
    let left = parseTerm();
    for (let t = peek(); t && t.kind === "op" && (t.text === "+" || t.text === "-"); t = peek()) {
      pos++;
      left = binary(t.text as "+" | "-", left, parseTerm());
    }
    return left;
  };
  const parseTerm = (): Ast => {
    let left = parseUnary();
    for (let t = peek(); t && t.kind === "op" && (t.text === "*" || t.text === "/"); t = peek()) {
      pos++;
      left = binary(t.text as "*" | "/", left, parseUnary());
    }
    return left;
  };
  const parseUnary = (): Ast => {
    const t = peek();
    if (t && t.kind === "op" && (t.text === "-" || t.text === "+")) {
      pos++;
      const operand = parseUnary();
      if (t.text === "+") return operand;
      if (operand.kind === "num") return { kind: "num", value: -operand.value };
      return { kind: "neg", arg: operand };
    }
    return parsePower();
  };
  const parsePower = (): Ast => {
    const base = parsePrimary();
    const t = peek();
    if (t && t.kind === "op" && t.text === "^") {
      pos++;
      return binary("^", base, parseUnary());
    }
    return base;
  };
  const parsePrimary = (): Ast => {
    const t = peek();
    if (!t) return fail("unexpected end of expression");
    if (t.kind === "num") {
      pos++;
      return { kind: "num", value: t.value as number };
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
        const spec = Object.hasOwn(FUNCTIONS, t.text) ? FUNCTIONS[t.text] : undefined;
        if (!spec) return fail(`unknown function "${t.text}"`, t);
        pos++;
        const args: Ast[] = [parseExpr()];
        while (peek()?.kind === ",") {
          pos++;
          args.push(parseExpr());
        }
        expect(")");
        if (args.length !== spec.arity) {
          fail(`${t.text}() takes ${spec.arity} argument(s), got ${args.length}`, t);
        }
        if (args.every((a) => a.kind === "num")) {
          return {
            kind: "num",
            value: spec.fn(...args.map((a) => (a as { value: number }).value)),
          };
        }
        return { kind: "call", name: t.text, args };
      }
      const index = variables.indexOf(t.text);
      if (index >= 0) {
        uses.add(t.text);
        return { kind: "var", index };
      }
      if (Object.hasOwn(CONSTANTS, t.text)) return { kind: "num", value: CONSTANTS[t.text] };
      return fail(
        `unknown name "${t.text}" (variables here: ${variables.join(", ") || "none"})`,
        t,
      );
    }
    return fail(`unexpected "${t.text}"`, t);
  };
  if (tokens.length === 0) fail("empty expression");
  const ast = parseExpr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos].text}"`, tokens[pos]);
  return { ast, uses };
}

/** JavaScript source of a tree (parameters named v0, v1, …). */
function toJs(ast: Ast): string {
  switch (ast.kind) {
    case "num": {
      const text = String(ast.value);
      return ast.value < 0 || text.includes("e") ? `(${text})` : text;
    }
    case "var":
      return `v${ast.index}`;
    case "neg":
      return `(-${toJs(ast.arg)})`;
    case "bin":
      return ast.op === "^"
        ? `(${toJs(ast.left)} ** ${toJs(ast.right)})`
        : `(${toJs(ast.left)} ${ast.op} ${toJs(ast.right)})`;
    case "call":
      return FUNCTIONS[ast.name].js(ast.args.map(toJs));
    case "regpow":
      return `regPow(${toJs(ast.base)}, ${toJs(ast.exponent)}, ${toJs(ast.scale)})`;
  }
}

/** Closure evaluator of a tree (used where generated code is not allowed). */
function toClosure(ast: Ast): CompiledExpression {
  switch (ast.kind) {
    case "num": {
      const c = ast.value;
      return () => c;
    }
    case "var": {
      const i = ast.index;
      return (v) => v[i];
    }
    case "neg": {
      const a = toClosure(ast.arg);
      return (v) => -a(v);
    }
    case "bin": {
      const a = toClosure(ast.left), b = toClosure(ast.right), op = ast.op;
      return (v) => applyBinary(op, a(v), b(v));
    }
    case "call": {
      const fn = FUNCTIONS[ast.name].fn;
      const args = ast.args.map(toClosure);
      return args.length === 1 ? (v) => fn(args[0](v)) : (v) => fn(args[0](v), args[1](v));
    }
    case "regpow": {
      const b = toClosure(ast.base), e = toClosure(ast.exponent), s = toClosure(ast.scale);
      return (v) => regPow(b(v), e(v), s(v));
    }
  }
}

let generatedCodeAllowed: boolean | null = null;

/**
 * Compile an expression to a function of positional arguments (`f(sto, T)`).
 *
 * @param source The expression.
 * @param variables Names of the parameters, in order.
 * @param transform Optional rewrite of the parsed tree (for example {@link regularizePowers}).
 * @returns The function and the variables used.
 * @throws {SyntaxError} With the position of the problem.
 */
export function compilePositional(
  source: string,
  variables: readonly string[],
  transform?: (ast: Ast) => Ast,
): { fn: (...args: number[]) => number; uses: Set<string> } {
  const parsed = parseExpression(source, variables);
  const ast = transform ? transform(parsed.ast) : parsed.ast;
  const uses = parsed.uses;
  if (generatedCodeAllowed !== false) {
    try {
      const params = variables.map((_, i) => `v${i}`);
      // The body is built from the tree only: formatted numbers, v0…vn, Math functions and
      // the regularised power.
      const make = new Function(
        "regPow",
        `"use strict"; return (${params.join(", ")}) => ${toJs(ast)};`,
      ) as (rp: typeof regPow) => (...args: number[]) => number;
      generatedCodeAllowed = true;
      return { fn: make(regPow), uses };
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      generatedCodeAllowed = false;
    }
  }
  const closure = toClosure(ast);
  return { fn: (...args: number[]) => closure(args), uses };
}

/**
 * Compile an expression in the given variables, to a function of an argument array.
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
  const { fn, uses } = compilePositional(source, variables);
  switch (variables.length) {
    case 0:
      return { fn: () => fn(), uses };
    case 1:
      return { fn: (a) => fn(a[0]), uses };
    case 2:
      return { fn: (a) => fn(a[0], a[1]), uses };
    default:
      return { fn: (a) => fn(...Array.from(a)), uses };
  }
}
