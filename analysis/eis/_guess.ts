// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Automatic initial guesses: features of the spectrum (high-frequency intercept, arcs from the
 * maxima of −Im Z, low-frequency behaviour, inductive tail) are handed to the circuit's
 * elements by their place in the circuit (series resistors → intercept, parallel groups and
 * relaxation elements → arcs, diffusion elements → the low-frequency tail), giving several
 * starting vectors (the arcs in every order for up to three groups).
 */

import type { Circuit, CircuitNode } from "./circuit.ts";
import type { SpectrumData } from "./_spectrum_data.ts";

/** One arc seen in the spectrum. */
export interface Arc {
  /** Time constant 1/(2π f_apex), s. */
  tau_s: number;
  /** Diameter estimate (2 × the −Im maximum), Ω. */
  r_ohm: number;
}

/** What the spectrum looks like, for initial guesses. */
export interface SpectrumFeatures {
  /** High-frequency intercept (ohmic resistance), Ω. */
  rHigh: number;
  /** Re Z at the lowest frequency, Ω. */
  rLow: number;
  /** |Im Z| at the lowest frequency, Ω. */
  imLow: number;
  /** Largest |Z|, Ω. */
  zMax: number;
  /** Arcs, by increasing time constant (high frequency first). */
  arcs: Arc[];
  /** Lowest and highest angular frequency, rad/s. */
  omegaMin: number;
  /** Highest angular frequency. */
  omegaMax: number;
  /** Inductance estimated from positive Im at the highest frequency, H (0 if none). */
  inductance: number;
  /** Whether −Im Z still rises at the lowest frequencies (a tail rather than a closed arc). */
  openTail: boolean;
}

/** Measure the features of a spectrum. */
export function features(data: SpectrumData): SpectrumFeatures {
  const n = data.n;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => data.f[a] - data.f[b]);
  const f = order.map((i) => data.f[i]), re = order.map((i) => data.re[i]);
  const y = order.map((i) => -data.im[i]);
  let zMax = 0;
  for (let i = 0; i < n; i++) zMax = Math.max(zMax, Math.hypot(re[i], y[i]));
  const omegaMin = 2 * Math.PI * f[0], omegaMax = 2 * Math.PI * f[n - 1];
  // High-frequency intercept: smallest positive Re Z among the upper half of frequencies.
  let rHigh = Infinity;
  for (let i = Math.floor(n / 2); i < n; i++) if (re[i] > 0) rHigh = Math.min(rHigh, re[i]);
  if (!Number.isFinite(rHigh)) rHigh = 1e-3 * zMax;
  const rLow = re[0], imLow = Math.abs(y[0]);
  const inductance = y[n - 1] < 0 ? -y[n - 1] / omegaMax : 0;
  // Arcs: local maxima of −Im (3-point smoothed) above 3 % of the largest value.
  const sm = y.map((v, i) => (i === 0 || i === n - 1 ? v : (y[i - 1] + 2 * v + y[i + 1]) / 4));
  const yMax = Math.max(...sm, 0);
  const arcs: Arc[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (sm[i] > 0.03 * yMax && sm[i] >= sm[i - 1] && sm[i] > sm[i + 1]) {
      arcs.push({ tau_s: 1 / (2 * Math.PI * f[i]), r_ohm: 2 * y[i] });
    }
  }
  arcs.sort((a, b) => a.tau_s - b.tau_s);
  const openTail = n > 2 && sm[0] > sm[1];
  return { rHigh, rLow, imLow, zMax, arcs, omegaMin, omegaMax, inductance, openTail };
}

interface Roles {
  ohmic: Extract<CircuitNode, { kind: "element" }>[];
  inductors: Extract<CircuitNode, { kind: "element" }>[];
  /** Arc groups: parallel nodes or relaxation elements, in order of appearance. */
  blocks: CircuitNode[];
  /** Top-level capacitive or diffusion elements (low-frequency tail). */
  tails: Extract<CircuitNode, { kind: "element" }>[];
}

function topLevel(root: CircuitNode): Roles {
  const roles: Roles = { ohmic: [], inductors: [], blocks: [], tails: [] };
  const items = root.kind === "series" ? root.children : [root];
  for (const item of items) {
    if (item.kind === "parallel") roles.blocks.push(item);
    else if (item.kind === "series") {
      const inner = topLevel(item);
      roles.ohmic.push(...inner.ohmic);
      roles.inductors.push(...inner.inductors);
      roles.blocks.push(...inner.blocks);
      roles.tails.push(...inner.tails);
    } else if (item.kind === "element") {
      const role = item.definition.role;
      if (role === "resistor") roles.ohmic.push(item);
      else if (role === "inductor") roles.inductors.push(item);
      else if (role === "relaxation" || role === "other") roles.blocks.push(item);
      else roles.tails.push(item);
    }
  }
  return roles;
}

/** Elements inside a node, split into nested parallel groups and the node's own elements. */
function assignBlock(
  node: CircuitNode,
  arc: Arc,
  tail: Arc,
  inductance: [number, number],
  out: Float64Array,
  nested: () => Arc,
): void {
  if (node.kind === "element") {
    const role = node.definition.role;
    if (role === "diffusion") node.definition.guess(tail.r_ohm, tail.tau_s, out, node.offset);
    else if (role === "inductor") {
      node.definition.guess(inductance[0], inductance[1], out, node.offset);
    } else node.definition.guess(arc.r_ohm, arc.tau_s, out, node.offset);
    return;
  }
  for (const child of node.children) {
    if (child.kind === "parallel" && node.kind === "series") {
      assignBlock(child, nested(), tail, inductance, out, nested);
    } else assignBlock(child, arc, tail, inductance, out, nested);
  }
}

/** Permutations of 0..n−1 (all for n ≤ 3; identity, reverse and rotations otherwise). */
function orders(n: number): number[][] {
  const id = Array.from({ length: n }, (_, i) => i);
  if (n <= 1) return [id];
  if (n <= 3) {
    const out: number[][] = [];
    const rec = (prefix: number[], rest: number[]): void => {
      if (rest.length === 0) out.push(prefix);
      rest.forEach((v, i) => rec([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
    };
    rec([], id);
    return out;
  }
  return [id, [...id].reverse(), ...id.slice(1).map((s) => id.map((_, i) => (i + s) % n))];
}

/**
 * Starting vectors for a circuit from the spectrum features (full parameter vectors; fixed
 * parameters are overwritten later by the caller). `split: false` leaves out the variant with
 * the largest arc split in two (for arcs that are already resolved, such as DRT peaks).
 */
export function initialGuesses(
  circuit: Circuit,
  feat: SpectrumFeatures,
  options: { split?: boolean } = {},
): Float64Array[] {
  const roles = topLevel(circuit.root);
  const n = circuit.length;
  const zScale = Math.max(feat.zMax, 1e-300);
  const rHigh = Math.max(feat.rHigh, 1e-3 * zScale);
  const rPol = Math.max(feat.rLow - rHigh, 0.05 * zScale);
  const tauMin = 1 / feat.omegaMax, tauMax = 1 / feat.omegaMin;
  const nb = roles.blocks.length;
  // Arcs for the blocks: the largest detected ones, completed with log-spaced time constants.
  const complete = (found: Arc[]): Arc[] => {
    const arcs = found.slice(0, nb);
    const missing = nb - arcs.length;
    for (let k = 0; k < missing; k++) {
      const x = (k + 1) / (missing + 1);
      arcs.push({
        tau_s: Math.exp(Math.log(tauMin) + x * Math.log(tauMax / tauMin)),
        r_ohm: rPol / Math.max(nb, 1),
      });
    }
    return arcs.sort((a, b) => a.tau_s - b.tau_s).map((a) => ({
      tau_s: a.tau_s,
      r_ohm: Math.max(a.r_ohm, 1e-3 * zScale),
    }));
  };
  const bySize = [...feat.arcs].sort((a, b) => b.r_ohm - a.r_ohm);
  const arcSets = [complete(bySize)];
  // Two processes less than about a decade and a half apart in τ make one apex in −Im Z: with
  // two or more blocks, also try the largest arc split into two, half a decade either side.
  if ((options.split ?? true) && nb >= 2 && bySize.length > 0) {
    const [big, ...rest] = bySize;
    const half = (t: number): Arc => ({ tau_s: big.tau_s * t, r_ohm: big.r_ohm / 2 });
    arcSets.push(complete([half(10 ** -0.5), half(10 ** 0.5), ...rest]));
  }
  const arcs = arcSets[0];
  const arcSum = arcs.reduce((s, a) => s + a.r_ohm, 0);
  const tails: Arc[] = [
    { tau_s: tauMax, r_ohm: Math.max(feat.rLow - rHigh - arcSum, feat.imLow, 0.05 * zScale) },
    { tau_s: 10 * tauMax, r_ohm: Math.max(feat.imLow, 0.05 * zScale) },
  ];
  const inductance: [number, number] = feat.inductance > 0
    ? [feat.inductance * feat.omegaMax, tauMin]
    : [1e-3 * rHigh, tauMin];
  const starts: Float64Array[] = [];
  for (
    const tail of roles.tails.some((t) => t.definition.role === "diffusion") ||
        nb > 0
      ? tails
      : tails.slice(0, 1)
  ) {
    for (const set of arcSets) {
      for (const order of orders(nb)) {
        const out = new Float64Array(n);
        for (const r of roles.ohmic) {
          r.definition.guess(rHigh / roles.ohmic.length, 0, out, r.offset);
        }
        for (const l of roles.inductors) {
          l.definition.guess(inductance[0], inductance[1], out, l.offset);
        }
        for (const t of roles.tails) {
          if (t.definition.role === "capacitor") {
            // Blocking behaviour: −Im Z at the lowest frequency is 1/(ω C).
            t.definition.guess(Math.max(feat.imLow, 1e-3 * zScale), tauMax, out, t.offset);
          } else t.definition.guess(tail.r_ohm, tail.tau_s, out, t.offset);
        }
        let extra = 0;
        const nested = (): Arc => ({
          tau_s: Math.sqrt(tauMin * tauMax) * 10 ** (++extra % 3 - 1),
          r_ohm: rPol / (nb + extra),
        });
        roles.blocks.forEach((block, b) =>
          assignBlock(block, set[order[b]], tail, inductance, out, nested)
        );
        starts.push(out);
      }
    }
  }
  return starts;
}
