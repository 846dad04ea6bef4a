// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Circuit elements: impedance formulas, analytic parameter derivatives, units, default bounds
 * and initial-guess rules. Names and parameter orders follow impedance.py (MIT) so circuit
 * strings and fitted values can be compared directly.
 */

import { cothCsch2, csqrt } from "./_complex.ts";

/** One parameter of an element. */
export interface ElementParameter {
  /** Unit, for example `"Ohm"`, `"F"`, `"Ohm^-1 s^n"`, `""` for exponents. */
  unit: string;
  /** What the parameter is, in a few words. */
  description: string;
  /** Default lower bound. */
  lower: number;
  /** Default upper bound. */
  upper: number;
  /**
   * `"log"`: a positive quantity fitted on a logarithmic scale (resistances, capacitances,
   * time constants); `"linear"`: fitted as is (exponents).
   */
  scale: "log" | "linear";
}

/**
 * How the automatic initial guess treats an element: `resistor`, `capacitor`, `inductor`,
 * `relaxation` (an arc by itself: K, Zarc, G, Gs), `diffusion` (W, Wo, Ws, TLM) or `other`.
 */
export type ElementRole =
  | "resistor"
  | "capacitor"
  | "inductor"
  | "relaxation"
  | "diffusion"
  | "other";

/** A circuit element known to the circuit parser. */
export interface ElementDefinition {
  /** Element type name as written in circuit strings (`"CPE"`, `"Wo"`). */
  name: string;
  /** What the element is, with its formula. */
  description: string;
  /** Parameters in order. */
  parameters: ElementParameter[];
  /** Role for the automatic initial guess. */
  role: ElementRole;
  /** `true` when {@link ElementDefinition.evaluate} writes exact derivatives. */
  analytic: boolean;
  /**
   * Write Z(ω) for the parameters `p[offset..]` to `out[0]` (real) and `out[1]` (imaginary);
   * with `derivatives`, ∂Z/∂p_k to `out[2 + 2k]` and `out[3 + 2k]`.
   */
  evaluate(
    p: ArrayLike<number>,
    offset: number,
    omega: number,
    out: Float64Array,
    derivatives: boolean,
  ): void;
  /**
   * Write starting values to `out[offset..]` for an element that should contribute a resistance
   * of about `resistance_ohm` with time constant `tau_s`.
   */
  guess(resistance_ohm: number, tau_s: number, out: Float64Array, offset: number): void;
}

const HALF_PI = Math.PI / 2;
const positive = (unit: string, description: string): ElementParameter => ({
  unit,
  description,
  lower: 0,
  upper: Infinity,
  scale: "log",
});
const exponent = (description: string, upper = 1): ElementParameter => ({
  unit: "",
  description,
  lower: 0,
  upper,
  scale: "linear",
});
const scratch = new Float64Array(4);

// cos(aπ/2) and sin(aπ/2) of the last few exponents: a circuit is evaluated at every frequency
// with the same exponents, so the trigonometry is done once per exponent value (four slots cover
// circuits with up to four CPE-like elements), not once per frequency.
const trigA = new Float64Array(4).fill(NaN), trigCos = new Float64Array(4);
const trigSin = new Float64Array(4);
let trigNext = 0;

/** (jx)^a = x^a (cos aπ/2 + j sin aπ/2) for x > 0, from ln x, into `scratch[0..1]`. */
function jPower(lnX: number, a: number): void {
  let k = 0;
  while (k < 4 && trigA[k] !== a) k++;
  if (k === 4) {
    k = trigNext;
    trigNext = (trigNext + 1) & 3;
    trigA[k] = a;
    trigCos[k] = Math.cos(a * HALF_PI);
    trigSin[k] = Math.sin(a * HALF_PI);
  }
  const m = Math.exp(a * lnX);
  scratch[0] = m * trigCos[k];
  scratch[1] = m * trigSin[k];
}

/**
 * z·(ln x + jπ/2) into `out[k..k+1]`, scaled by `f`: the derivative of z = c·(jx)^a with respect
 * to the exponent a is z·ln(jx).
 */
function timesLogJ(zr: number, zi: number, lnX: number, f: number, out: Float64Array, k: number) {
  out[k] = f * (zr * lnX - zi * HALF_PI);
  out[k + 1] = f * (zi * lnX + zr * HALF_PI);
}

/** Guess rule of elements whose first two parameters are a resistance and a time constant. */
const guessResistanceTau = (...rest: number[]): ElementDefinition["guess"] => (r, t, out, o) => {
  out[o] = r;
  out[o + 1] = t;
  for (let k = 0; k < rest.length; k++) out[o + 2 + k] = rest[k];
};

const R: ElementDefinition = {
  name: "R",
  description: "resistor, Z = R",
  parameters: [positive("Ohm", "resistance")],
  role: "resistor",
  analytic: true,
  evaluate(p, o, _w, out, d) {
    out[0] = p[o];
    out[1] = 0;
    if (d) {
      out[2] = 1;
      out[3] = 0;
    }
  },
  guess(r, _t, out, o) {
    out[o] = r;
  },
};

const C: ElementDefinition = {
  name: "C",
  description: "capacitor, Z = 1/(jωC)",
  parameters: [positive("F", "capacitance")],
  role: "capacitor",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const c = p[o];
    out[0] = 0;
    out[1] = -1 / (w * c);
    if (d) {
      out[2] = 0;
      out[3] = 1 / (w * c * c);
    }
  },
  guess(r, t, out, o) {
    out[o] = t / r;
  },
};

const L: ElementDefinition = {
  name: "L",
  description: "inductor, Z = jωL",
  parameters: [positive("H", "inductance")],
  role: "inductor",
  analytic: true,
  evaluate(p, o, w, out, d) {
    out[0] = 0;
    out[1] = w * p[o];
    if (d) {
      out[2] = 0;
      out[3] = w;
    }
  },
  guess(r, t, out, o) {
    out[o] = r * t;
  },
};

const W: ElementDefinition = {
  name: "W",
  description: "semi-infinite Warburg, Z = A_W (1 − j)/√ω",
  parameters: [positive("Ohm s^-1/2", "Warburg coefficient A_W")],
  role: "diffusion",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const s = 1 / Math.sqrt(w);
    out[0] = p[o] * s;
    out[1] = -p[o] * s;
    if (d) {
      out[2] = s;
      out[3] = -s;
    }
  },
  guess(r, t, out, o) {
    // |Z_W| = √2 A_W/√ω equals r at ω = 1/τ.
    out[o] = r / Math.sqrt(2 * t);
  },
};

/**
 * Finite Warburg Z0·g(s)/s with s = √(jωτ): open (finite-space, g = coth) or short
 * (finite-length, g = tanh).
 */
function finiteWarburg(open: boolean): ElementDefinition {
  return {
    name: open ? "Wo" : "Ws",
    description: open
      ? "open (finite-space) Warburg, Z = Z0 coth(√(jωτ))/√(jωτ)"
      : "short (finite-length) Warburg, Z = Z0 tanh(√(jωτ))/√(jωτ)",
    parameters: [positive("Ohm", "Z0"), positive("s", "time constant τ = L²/D")],
    role: "diffusion",
    analytic: true,
    evaluate(p, o, w, out, d) {
      const z0 = p[o], tau = p[o + 1];
      // √(jx) = √(x/2)(1 + j)
      const sr = Math.sqrt(w * tau / 2), si = sr;
      cothCsch2(sr, si, scratch, 0);
      let gr = scratch[0], gi = scratch[1]; // coth s
      let hr = scratch[2], hi = scratch[3]; // csch² s
      if (!open) {
        // tanh = 1/coth; sech² = 1 − tanh²
        const m = gr * gr + gi * gi;
        const tr = gr / m, ti = -gi / m;
        gr = tr;
        gi = ti;
        hr = 1 - (tr * tr - ti * ti);
        hi = -2 * tr * ti;
      }
      const sm = sr * sr + si * si;
      const ir = sr / sm, ii = -si / sm; // 1/s
      const fr = gr * ir - gi * ii, fi = gr * ii + gi * ir; // g/s
      out[0] = z0 * fr;
      out[1] = z0 * fi;
      if (d) {
        out[2] = fr;
        out[3] = fi;
        // d(g/s)/ds = g'/s − g/s², g' = −csch² (coth) or sech² (tanh); ds/dτ = s/(2τ)
        // so dZ/dτ = Z0/(2τ) · (g' − g/s).
        const gpr = open ? -hr : hr, gpi = open ? -hi : hi;
        const k = z0 / (2 * tau);
        out[4] = k * (gpr - fr);
        out[5] = k * (gpi - fi);
      }
    },
    guess: guessResistanceTau(),
  };
}

const CPE: ElementDefinition = {
  name: "CPE",
  description: "constant phase element, Z = 1/(Q (jω)^α)",
  parameters: [positive("Ohm^-1 s^a", "Q"), exponent("exponent α")],
  role: "capacitor",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const q = p[o], a = p[o + 1];
    const lw = Math.log(w);
    jPower(lw, -a); // Z = (jω)^−α / Q
    const zr = scratch[0] / q, zi = scratch[1] / q;
    out[0] = zr;
    out[1] = zi;
    if (d) {
      out[2] = -zr / q;
      out[3] = -zi / q;
      timesLogJ(zr, zi, lw, -1, out, 4); // dZ/dα = −Z·ln(jω)
    }
  },
  guess(r, t, out, o) {
    const a = 0.9;
    out[o] = Math.pow(t, a) / r;
    out[o + 1] = a;
  },
};

const La: ElementDefinition = {
  name: "La",
  description: "modified inductance, Z = (jωL)^α",
  parameters: [positive("H s", "L"), exponent("exponent α")],
  role: "inductor",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const l = p[o], a = p[o + 1];
    const lg = Math.log(w * l);
    jPower(lg, a); // Z = (jωL)^α
    const zr = scratch[0], zi = scratch[1];
    out[0] = zr;
    out[1] = zi;
    if (d) {
      out[2] = a * zr / l;
      out[3] = a * zi / l;
      timesLogJ(zr, zi, lg, 1, out, 4); // dZ/dα = Z·ln(jωL)
    }
  },
  guess(r, t, out, o) {
    out[o] = r * t;
    out[o + 1] = 1;
  },
};

const K: ElementDefinition = {
  name: "K",
  description: "RC element by time constant, Z = R/(1 + jωτ)",
  parameters: [positive("Ohm", "resistance"), positive("s", "time constant τ")],
  role: "relaxation",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const r = p[o], tau = p[o + 1];
    const x = w * tau, den = 1 + x * x;
    const ur = 1 / den, ui = -x / den; // 1/(1+jx)
    out[0] = r * ur;
    out[1] = r * ui;
    if (d) {
      out[2] = ur;
      out[3] = ui;
      // dZ/dτ = −R jω/(1+jx)² ; (1/(1+jx))² = ur² − ui² + 2j ur ui
      const sr = ur * ur - ui * ui, si = 2 * ur * ui;
      out[4] = r * w * si;
      out[5] = -r * w * sr;
    }
  },
  guess: guessResistanceTau(),
};

const Zarc: ElementDefinition = {
  name: "Zarc",
  description: "RQ element by time constant, Z = R/(1 + (jωτ)^γ)",
  parameters: [positive("Ohm", "resistance"), positive("s", "time constant τ"), exponent("γ")],
  role: "relaxation",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const r = p[o], tau = p[o + 1], g = p[o + 2];
    const lx = Math.log(w * tau);
    jPower(lx, g);
    const ur = scratch[0], ui = scratch[1]; // u = (jωτ)^γ
    const dr = 1 + ur, di = ui, dd = dr * dr + di * di;
    const ir = dr / dd, ii = -di / dd; // 1/D
    out[0] = r * ir;
    out[1] = r * ii;
    if (d) {
      out[2] = ir;
      out[3] = ii;
      // −R/D² · du; du/dτ = γu/τ; du/dγ = u (ln ωτ + jπ/2)
      const i2r = ir * ir - ii * ii, i2i = 2 * ir * ii;
      const ar = -r * (i2r * ur - i2i * ui), ai = -r * (i2r * ui + i2i * ur); // −R u/D²
      out[4] = ar * g / tau;
      out[5] = ai * g / tau;
      timesLogJ(ar, ai, lx, 1, out, 6);
    }
  },
  guess: guessResistanceTau(0.9),
};

const G: ElementDefinition = {
  name: "G",
  description: "Gerischer, Z = R_G/√(1 + jωt_G)",
  parameters: [positive("Ohm", "R_G"), positive("s", "t_G")],
  role: "relaxation",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const r = p[o], t = p[o + 1];
    csqrt(1, w * t, scratch, 0);
    const sr = scratch[0], si = scratch[1], sm = sr * sr + si * si;
    const ir = sr / sm, ii = -si / sm; // 1/s
    out[0] = r * ir;
    out[1] = r * ii;
    if (d) {
      out[2] = ir;
      out[3] = ii;
      // dZ/dt = −R/2 · jω / s³ = −(R jω/2)·(1/s)³
      const i2r = ir * ir - ii * ii, i2i = 2 * ir * ii;
      const i3r = i2r * ir - i2i * ii, i3i = i2r * ii + i2i * ir;
      out[4] = (r * w / 2) * i3i;
      out[5] = -(r * w / 2) * i3r;
    }
  },
  guess: guessResistanceTau(),
};

const Gs: ElementDefinition = {
  name: "Gs",
  description: "finite-length Gerischer, Z = R_G/(√(1 + jωt_G) tanh(φ√(1 + jωt_G)))",
  parameters: [positive("Ohm", "R_G"), positive("s", "t_G"), positive("", "φ")],
  role: "relaxation",
  analytic: true,
  evaluate(p, o, w, out, d) {
    const r = p[o], t = p[o + 1], phi = p[o + 2];
    csqrt(1, w * t, scratch, 0);
    const sr = scratch[0], si = scratch[1], sm = sr * sr + si * si;
    const ir = sr / sm, ii = -si / sm; // 1/s
    cothCsch2(phi * sr, phi * si, scratch, 0);
    const cr = scratch[0], ci = scratch[1], qr = scratch[2], qi = scratch[3];
    const hr = cr * ir - ci * ii, hi = cr * ii + ci * ir; // coth(φs)/s
    out[0] = r * hr;
    out[1] = r * hi;
    if (d) {
      out[2] = hr;
      out[3] = hi;
      // dh/ds = −φ csch²(φs)/s − coth(φs)/s²  ;  ds/dt = jω/(2s)
      const ar = -phi * (qr * ir - qi * ii) - (hr * ir - hi * ii);
      const ai = -phi * (qr * ii + qi * ir) - (hr * ii + hi * ir);
      // times jω/(2s): multiply by (ir + j ii)·jω/2 = (−ii·ω/2) + j(ir·ω/2)
      const mr = -ii * w / 2, mi = ir * w / 2;
      out[4] = r * (ar * mr - ai * mi);
      out[5] = r * (ar * mi + ai * mr);
      // dZ/dφ = −R csch²(φs)
      out[6] = -r * qr;
      out[7] = -r * qi;
    }
  },
  guess: guessResistanceTau(1),
};

/** Transmission line: Z = R_ion coth(v)/v, v = √(R_ion Q (jω)^γ). */
function tlm(name: string): ElementDefinition {
  return {
    name,
    description:
      "simplified transmission line (Landesfeind 2016), Z = √(R_ion Z_s) coth(√(R_ion/Z_s)), " +
      "Z_s = 1/(Q (jω)^γ)",
    parameters: [
      positive("Ohm", "ionic resistance R_ion"),
      positive("F s^(gamma-1)", "interface Q_s"),
      exponent("exponent γ"),
    ],
    role: "diffusion",
    analytic: true,
    evaluate(p, o, w, out, d) {
      const rion = p[o], q = p[o + 1], g = p[o + 2];
      const lw = Math.log(w);
      const mag = Math.sqrt(rion * q) * Math.exp(g * lw / 2);
      const vr = mag * Math.cos(g * HALF_PI / 2), vi = mag * Math.sin(g * HALF_PI / 2);
      const vm = vr * vr + vi * vi;
      const ir = vr / vm, ii = -vi / vm; // 1/v
      cothCsch2(vr, vi, scratch, 0);
      const cr = scratch[0], ci = scratch[1], qr = scratch[2], qi = scratch[3];
      const fr = cr * ir - ci * ii, fi = cr * ii + ci * ir; // coth(v)/v
      out[0] = rion * fr;
      out[1] = rion * fi;
      if (d) {
        // g'(v)·v = −csch²(v) − coth(v)/v
        const gvr = -qr - fr, gvi = -qi - fi;
        // dZ/dR_ion = f + R_ion g'(v) v/(2 R_ion) = f + (g' v)/2
        out[2] = fr + gvr / 2;
        out[3] = fi + gvi / 2;
        // dZ/dQ = R_ion g'(v) v/(2Q)
        out[4] = rion * gvr / (2 * q);
        out[5] = rion * gvi / (2 * q);
        // dZ/dγ = R_ion g'(v) v (ln ω + jπ/2)/2
        timesLogJ(gvr, gvi, lw, rion / 2, out, 6);
      }
    },
    guess(r, t, out, o) {
      const g = 0.9;
      out[o] = r;
      out[o + 1] = Math.pow(t, g) / r;
      out[o + 2] = g;
    },
  };
}

const BUILT_IN: ElementDefinition[] = [
  R,
  C,
  L,
  W,
  finiteWarburg(true),
  finiteWarburg(false),
  CPE,
  La,
  G,
  Gs,
  K,
  Zarc,
  tlm("TLM"),
  tlm("TLMQ"),
];

const REGISTRY = new Map<string, ElementDefinition>(BUILT_IN.map((e) => [e.name, e]));

/**
 * The element definition of a type name (`"CPE"`), or `undefined`.
 *
 * @example
 * ```ts
 * import { getElement } from "./elements.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(getElement("CPE")?.name, "CPE");
 * equal(getElement("nope"), undefined);
 * ```
 */
export function getElement(name: string): ElementDefinition | undefined {
  return REGISTRY.get(name);
}

/**
 * Names of all registered element types.
 *
 * @example
 * ```ts
 * import { elementNames } from "./elements.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(elementNames().includes("R") && elementNames().includes("Wo"));
 * ```
 */
export function elementNames(): string[] {
  return [...REGISTRY.keys()];
}

/** A user-defined element for {@link registerElement}. */
export interface CustomElement {
  /** Type name: letters only, not `p`, unique unless `overwrite`. */
  name: string;
  /** What it is. @default {""} */
  description?: string;
  /** One unit per parameter (`"Ohm"`, `"s"`, `""`). */
  units: string[];
  /** `[lower, upper]` per parameter. @default {[0, Infinity] each} */
  bounds?: [number, number][];
  /**
   * Z at angular frequency `omega` (rad/s) for the parameters, as `[real, imaginary]`.
   * Derivatives are taken by central differences.
   */
  impedance(params: number[], omega: number): [number, number];
  /** Starting values from a resistance scale and a time constant. @default {1 for each} */
  guess?(resistance_ohm: number, tau_s: number): number[];
  /** Replace an existing element of the same name. @default {false} */
  overwrite?: boolean;
}

/**
 * Add a user-defined element to the circuit language (like impedance.py's `@element`
 * decorator). Its derivatives are taken numerically; positive parameters with a lower bound of
 * 0 and no upper bound are fitted on a log scale.
 *
 * @param element Name, units, bounds and the impedance function.
 * @returns The registered definition.
 * @throws {RangeError} For an invalid or duplicate name or inconsistent units/bounds.
 *
 * @example A resistor in series with a fixed 10 Ω
 * ```ts
 * import { registerElement } from "./elements.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal } from "node:assert/strict";
 *
 * registerElement({ name: "Rten", units: ["Ohm"], impedance: (p) => [p[0] + 10, 0] });
 * const z = parseCircuit("Rten0").impedance([5], [1000]);
 * equal(z.z_real_ohm[0], 15);
 * ```
 */
export function registerElement(element: CustomElement): ElementDefinition {
  const { name, units } = element;
  if (!/^[A-Za-z]+$/.test(name) || name === "p") {
    throw new RangeError(
      `Cannot register element "${name}": the name must be letters only and not "p"`,
    );
  }
  if (REGISTRY.has(name) && !element.overwrite) {
    throw new RangeError(
      `Cannot register element "${name}": it already exists (pass overwrite: true to replace it)`,
    );
  }
  if (units.length === 0) {
    throw new RangeError(`Cannot register element "${name}": it needs at least one parameter`);
  }
  const bounds = element.bounds ?? units.map((): [number, number] => [0, Infinity]);
  if (bounds.length !== units.length || bounds.some(([lo, hi]) => !(lo < hi))) {
    throw new RangeError(
      `Cannot register element "${name}": bounds must be one [lower, upper] pair per unit`,
    );
  }
  const n = units.length;
  const params = new Array<number>(n);
  const impedance = element.impedance;
  const definition: ElementDefinition = {
    name,
    description: element.description ?? "",
    parameters: units.map((unit, k) => ({
      unit,
      description: `parameter ${k}`,
      lower: bounds[k][0],
      upper: bounds[k][1],
      scale: bounds[k][0] === 0 && bounds[k][1] === Infinity ? "log" : "linear",
    })),
    role: "other",
    analytic: false,
    evaluate(p, o, w, out, d) {
      for (let k = 0; k < n; k++) params[k] = p[o + k];
      const [zr, zi] = impedance(params, w);
      out[0] = zr;
      out[1] = zi;
      if (!d) return;
      for (let k = 0; k < n; k++) {
        const v = params[k];
        const h = 6.0554544523933395e-6 * Math.max(Math.abs(v), 1e-12);
        params[k] = v + h;
        const [ar, ai] = impedance(params, w);
        params[k] = v - h;
        const [br, bi] = impedance(params, w);
        params[k] = v;
        out[2 + 2 * k] = (ar - br) / (2 * h);
        out[3 + 2 * k] = (ai - bi) / (2 * h);
      }
    },
    guess(r, t, out, o) {
      const g = element.guess ? element.guess(r, t) : units.map(() => 1);
      for (let k = 0; k < n; k++) out[o + k] = g[k];
    },
  };
  REGISTRY.set(name, definition);
  return definition;
}
