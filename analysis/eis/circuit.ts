// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { type ElementDefinition, elementNames, getElement } from "./elements.ts";

/** One parameter of a parsed circuit. */
export interface CircuitParameter {
  /** impedance.py-style name: `R0`, `CPE1_0`, `CPE1_1`, `Wo1_0`. */
  name: string;
  /** Element name it belongs to (`CPE1`). */
  element: string;
  /** Element type (`CPE`). */
  type: string;
  /** Position within the element's parameters. */
  index: number;
  /** Unit (`Ohm`, `F`, `s`, `""`). */
  unit: string;
  /** What it is. */
  description: string;
  /** Default lower bound. */
  lower: number;
  /** Default upper bound. */
  upper: number;
  /** `"log"` for positive scale parameters, `"linear"` for exponents. */
  scale: "log" | "linear";
}

/** A node of the parsed circuit tree. */
export type CircuitNode =
  | {
    kind: "element";
    /** Element name as written (`R0`). */
    name: string;
    /** Its definition. */
    definition: ElementDefinition;
    /** Index of its first parameter. */
    offset: number;
    /** Position of the name in the circuit string. */
    position: number;
  }
  | {
    kind: "series" | "parallel";
    /** Children in order. */
    children: CircuitNode[];
    /** Index of the first parameter of the subtree. */
    offset: number;
    /** One past the last parameter of the subtree. */
    end: number;
  };

/** Impedance computed by {@link Circuit.impedance}. */
export interface CircuitImpedance {
  /** Frequencies, Hz (as given). */
  frequency_Hz: Float64Array;
  /** Real part, Ω. */
  z_real_ohm: Float64Array;
  /** Signed imaginary part, Ω. */
  z_imag_ohm: Float64Array;
}

class Parser {
  pos = 0;
  offset = 0;
  readonly names = new Set<string>();
  constructor(readonly text: string) {}

  fail(detail: string, position = this.pos): never {
    throw new RangeError(`Cannot parse circuit "${this.text}": at position ${position}, ${detail}`);
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  peek(): string {
    this.skip();
    return this.text[this.pos] ?? "";
  }

  series(): CircuitNode {
    const start = this.offset;
    const children = [this.term()];
    while (this.peek() === "-") {
      this.pos++;
      children.push(this.term());
    }
    return children.length === 1
      ? children[0]
      : { kind: "series", children, offset: start, end: this.offset };
  }

  term(): CircuitNode {
    this.skip();
    const at = this.pos;
    const m = /^[A-Za-z][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("expected an element or p(...) but the circuit ended");
      this.fail(`unexpected "${c}", expected an element or p(...)`);
    }
    this.pos += m[0].length;
    if (m[0] === "p" && this.peek() === "(") {
      const open = this.pos;
      this.pos++;
      const start = this.offset;
      const children = [this.series()];
      while (this.peek() === ",") {
        this.pos++;
        children.push(this.series());
      }
      if (this.peek() !== ")") {
        if (this.pos >= this.text.length) {
          this.fail(`unbalanced parenthesis: "(" opened at position ${open} is never closed`);
        }
        this.fail(`unexpected "${this.text[this.pos]}", expected "," or ")"`);
      }
      this.pos++;
      if (children.length === 1) {
        this.fail(
          `p(...) needs at least two branches separated by ",", found one ("${
            this.text.slice(at, this.pos)
          }")`,
          at,
        );
      }
      return { kind: "parallel", children, offset: start, end: this.offset };
    }
    const name = m[0];
    const type = name.replace(/[0-9_]/g, "");
    const definition = getElement(type);
    if (!definition) {
      this.fail(`unknown element "${name}" (known: ${elementNames().join(", ")})`, at);
    }
    if (this.names.has(name)) this.fail(`element name "${name}" is used twice`, at);
    this.names.add(name);
    const node: CircuitNode = {
      kind: "element",
      name,
      definition,
      offset: this.offset,
      position: at,
    };
    this.offset += definition.parameters.length;
    return node;
  }
}

/**
 * A parsed equivalent circuit: its parameters (names, units, bounds) and a fast evaluator of
 * Z(ω) and of the analytic Jacobian ∂Z/∂p. Build one with {@link parseCircuit}.
 *
 * @example
 * ```ts
 * import { parseCircuit } from "./circuit.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 *
 * const circuit = parseCircuit("R0-p(R1,C1)"); // a Circuit
 * deepEqual(circuit.names, ["R0", "R1", "C1"]);
 * // At 1 MHz the capacitor shorts R1: Z ≈ R0.
 * const z = circuit.impedance([10, 50, 1e-4], [1e6]);
 * ok(Math.abs(z.z_real_ohm[0] - 10) < 1e-3);
 * ```
 */
export class Circuit {
  /** The circuit string without white space. */
  readonly text: string;
  /** Root of the tree. */
  readonly root: CircuitNode;
  /** Parameters in order (the order of values passed to {@link Circuit.impedance}). */
  readonly parameters: CircuitParameter[];
  /** Element nodes in order of appearance. */
  readonly elements: Extract<CircuitNode, { kind: "element" }>[];
  /** `true` when every element has analytic derivatives. */
  readonly analytic: boolean;
  #scratch: Float64Array;
  #dRe: Float64Array;
  #dIm: Float64Array;
  #state: { p: ArrayLike<number>; deriv: boolean } = { p: [], deriv: false };
  #compiled: (w: number) => void;

  /**
   * Parse a circuit string.
   *
   * @param text Circuit string; use {@link parseCircuit}.
   */
  constructor(text: string) {
    const parser = new Parser(text);
    if (parser.peek() === "") parser.fail("the circuit is empty");
    const root = parser.series();
    if (parser.peek() !== "") {
      const c = parser.text[parser.pos];
      parser.fail(
        c === ")" ? 'unbalanced parenthesis: ")" without "("' : `unexpected "${c}"`,
      );
    }
    this.root = root;
    this.text = text.replace(/\s+/g, "");
    this.elements = [];
    this.parameters = [];
    let maxParams = 1;
    const walk = (node: CircuitNode): void => {
      if (node.kind === "element") {
        this.elements.push(node);
        const ps = node.definition.parameters;
        maxParams = Math.max(maxParams, ps.length);
        ps.forEach((p, index) =>
          this.parameters.push({
            name: ps.length > 1 ? `${node.name}_${index}` : node.name,
            element: node.name,
            type: node.definition.name,
            index,
            unit: p.unit,
            description: p.description,
            lower: p.lower,
            upper: p.upper,
            scale: p.scale,
          })
        );
      } else {
        node.children.forEach(walk);
      }
    };
    walk(root);
    this.analytic = this.elements.every((e) => e.definition.analytic);
    this.#scratch = new Float64Array(2 + 2 * maxParams);
    this.#dRe = new Float64Array(this.parameters.length);
    this.#dIm = new Float64Array(this.parameters.length);
    this.#compiled = this.#generate() ?? this.#compile(root);
  }

  /** Number of parameters. */
  get length(): number {
    return this.parameters.length;
  }

  /** Parameter names in order. */
  get names(): string[] {
    return this.parameters.map((p) => p.name);
  }

  /**
   * Evaluate Z at angular frequencies `omega` into `re`/`im`; with `jRe`/`jIm` (row-major
   * `omega.length × length`) also write ∂Re Z/∂p and ∂Im Z/∂p.
   */
  evaluate(
    p: ArrayLike<number>,
    omega: ArrayLike<number>,
    re: Float64Array,
    im: Float64Array,
    jRe?: Float64Array,
    jIm?: Float64Array,
  ): void {
    const n = this.parameters.length;
    const deriv = jRe !== undefined && jIm !== undefined;
    const state = this.#state;
    state.p = p;
    state.deriv = deriv;
    const out = this.#scratch, dRe = this.#dRe, dIm = this.#dIm;
    const root = this.#compiled;
    for (let i = 0; i < omega.length; i++) {
      root(omega[i]);
      re[i] = out[0];
      im[i] = out[1];
      if (deriv) {
        const row = i * n;
        for (let j = 0; j < n; j++) {
          jRe[row + j] = dRe[j];
          jIm[row + j] = dIm[j];
        }
      }
    }
  }

  /**
   * Generate a specialized evaluator (straight-line code per circuit, so every element call
   * site is monomorphic); `null` where code generation is not allowed (strict CSP).
   */
  #generate(): ((w: number) => void) | null {
    const defs: ElementDefinition["evaluate"][] = [];
    const lines: string[] = [];
    let next = 0;
    const emit = (nd: CircuitNode): number => {
      const id = next++;
      if (nd.kind === "element") {
        const e = defs.length;
        defs.push(nd.definition.evaluate.bind(nd.definition));
        const k = nd.definition.parameters.length;
        lines.push(`E${e}(S.p, ${nd.offset}, w, out, S.deriv);`);
        lines.push(`const r${id} = out[0], i${id} = out[1];`);
        const copies = Array.from(
          { length: k },
          (_, j) =>
            `dRe[${nd.offset + j}] = out[${2 + 2 * j}]; dIm[${nd.offset + j}] = out[${3 + 2 * j}];`,
        );
        lines.push(`if (S.deriv) { ${copies.join(" ")} }`);
        return id;
      }
      const kids = nd.children.map(emit);
      if (nd.kind === "series") {
        lines.push(`const r${id} = ${kids.map((c) => `r${c}`).join(" + ")};`);
        lines.push(`const i${id} = ${kids.map((c) => `i${c}`).join(" + ")};`);
        return id;
      }
      lines.push(`let yr${id} = 0, yi${id} = 0;`);
      for (const c of kids) {
        lines.push(
          `{ const m = r${c} * r${c} + i${c} * i${c}; yr${id} += r${c} / m; yi${id} -= i${c} / m; }`,
        );
      }
      lines.push(`const ym${id} = yr${id} * yr${id} + yi${id} * yi${id};`);
      lines.push(`const r${id} = yr${id} / ym${id}, i${id} = -yi${id} / ym${id};`);
      lines.push("if (S.deriv) {");
      nd.children.forEach((child, c) => {
        const lo = child.offset;
        const hi = child.kind === "element"
          ? child.offset + child.definition.parameters.length
          : child.end;
        const z = kids[c];
        lines.push(
          `{ const m = r${z} * r${z} + i${z} * i${z};`,
          `const qr = (r${id} * r${z} + i${id} * i${z}) / m, qi = (i${id} * r${z} - r${id} * i${z}) / m;`,
          "const fr = qr * qr - qi * qi, fi = 2 * qr * qi;",
          `for (let j = ${lo}; j < ${hi}; j++) { const dr = dRe[j], di = dIm[j]; dRe[j] = fr * dr - fi * di; dIm[j] = fr * di + fi * dr; } }`,
        );
      });
      lines.push("}");
      return id;
    };
    const root = emit(this.root);
    lines.push(`out[0] = r${root}; out[1] = i${root};`);
    const names = defs.map((_, e) => `E${e}`);
    const body = `return function circuit(w) {\n${lines.join("\n")}\n};`;
    try {
      const factory = new Function(...names, "S", "out", "dRe", "dIm", body);
      return factory(...defs, this.#state, this.#scratch, this.#dRe, this.#dIm);
    } catch {
      return null;
    }
  }

  /** Compile a node into a function of ω writing Z to the scratch and derivatives to dRe/dIm. */
  #compile(nd: CircuitNode): (w: number) => void {
    const out = this.#scratch, dRe = this.#dRe, dIm = this.#dIm, state = this.#state;
    if (nd.kind === "element") {
      const def = nd.definition, offset = nd.offset, k = def.parameters.length;
      return (w) => {
        def.evaluate(state.p, offset, w, out, state.deriv);
        if (state.deriv) {
          for (let j = 0; j < k; j++) {
            dRe[offset + j] = out[2 + 2 * j];
            dIm[offset + j] = out[3 + 2 * j];
          }
        }
      };
    }
    const ch = nd.children.map((c) => this.#compile(c));
    const nc = ch.length;
    if (nd.kind === "series") {
      return (w) => {
        let sr = 0, si = 0;
        for (let c = 0; c < nc; c++) {
          ch[c](w);
          sr += out[0];
          si += out[1];
        }
        out[0] = sr;
        out[1] = si;
      };
    }
    const bzr = new Float64Array(nc), bzi = new Float64Array(nc);
    const lo = Int32Array.from(nd.children, (c) => c.offset);
    const hi = Int32Array.from(
      nd.children,
      (c) => c.kind === "element" ? c.offset + c.definition.parameters.length : c.end,
    );
    return (w) => {
      let yr = 0, yi = 0;
      for (let c = 0; c < nc; c++) {
        ch[c](w);
        const zr = out[0], zi = out[1];
        bzr[c] = zr;
        bzi[c] = zi;
        const m = zr * zr + zi * zi;
        yr += zr / m;
        yi -= zi / m;
      }
      const ym = yr * yr + yi * yi;
      const zr = yr / ym, zi = -yi / ym;
      if (state.deriv) {
        // dZ/dp = (Z/Z_c)² dZ_c/dp for p in child c.
        for (let c = 0; c < nc; c++) {
          const a = bzr[c], b = bzi[c], m = a * a + b * b;
          const qr = (zr * a + zi * b) / m, qi = (zi * a - zr * b) / m;
          const fr = qr * qr - qi * qi, fi = 2 * qr * qi;
          for (let j = lo[c]; j < hi[c]; j++) {
            const dr = dRe[j], di = dIm[j];
            dRe[j] = fr * dr - fi * di;
            dIm[j] = fr * di + fi * dr;
          }
        }
      }
      out[0] = zr;
      out[1] = zi;
    };
  }

  /**
   * Impedance of the circuit at the given frequencies.
   *
   * @param params Parameter values in the order of {@link Circuit.parameters}.
   * @param frequency_Hz Frequencies in hertz.
   * @returns Real and signed imaginary parts.
   * @throws {RangeError} When the number of parameters is wrong.
   *
   * @example Randles circuit at 10 Hz (impedance.py's published value)
   * ```ts
   * import { parseCircuit } from "./circuit.ts";
   * import { ok } from "node:assert/strict";
   *
   * const c = parseCircuit("R0-p(R1-Wo1,C1)");
   * const z = c.impedance([1.86235717e-2, 1.16804085e-2, 6.27121242e-2, 2.21232951e2, 1.17171441], [10]);
   * ok(Math.abs(z.z_real_ohm[0] - 0.0251618) < 1e-6);
   * ok(Math.abs(z.z_imag_ohm[0] + 0.00601304) < 1e-6);
   * ```
   */
  impedance(params: ArrayLike<number>, frequency_Hz: ArrayLike<number>): CircuitImpedance {
    if (params.length !== this.parameters.length) {
      throw new RangeError(
        `Cannot evaluate "${this.text}": expected ${this.parameters.length} parameters (${
          this.names.join(", ")
        }), got ${params.length}`,
      );
    }
    const f = Float64Array.from(frequency_Hz);
    const omega = f.map((v) => 2 * Math.PI * v);
    const re = new Float64Array(f.length), im = new Float64Array(f.length);
    this.evaluate(params, omega, re, im);
    return { frequency_Hz: f, z_real_ohm: re, z_imag_ohm: im };
  }
}

/**
 * Parse an impedance.py-compatible circuit string: elements in series joined by `-`, parallel
 * groups `p(a, b, ...)`, element names made of a type and a number (`R0`, `CPE1`, `Wo2`).
 * Types: R, C, L, W, Wo, Ws, CPE, La, G, Gs, K, Zarc, TLM (alias TLMQ) and any added with
 * `registerElement`.
 *
 * @param text Circuit string such as `"R0-p(R1,C1)-p(R2-Wo1,C2)"`.
 * @returns The circuit with its parameter list and evaluator.
 * @throws {RangeError} Naming the position of the first error.
 *
 * @example Parameters of a two-arc circuit
 * ```ts
 * import { parseCircuit } from "./circuit.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * const c = parseCircuit("R0-p(R1,C1)-p(R2-Wo1,C2)");
 * deepEqual(c.names, ["R0", "R1", "C1", "R2", "Wo1_0", "Wo1_1", "C2"]);
 * throws(() => parseCircuit("R0-p(R1"), /at position 7, unbalanced parenthesis/);
 * throws(() => parseCircuit("R0-p(R1)"), /at position 3, p\(...\) needs at least two branches/);
 * ```
 */
export function parseCircuit(text: string): Circuit {
  if (typeof text !== "string") throw new TypeError("Cannot parse circuit: expected a string");
  return new Circuit(text);
}
