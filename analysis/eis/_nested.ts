// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Nested simpler circuits: a circuit with two or more arc blocks in series (parallel groups or
 * relaxation elements such as `K`, `Zarc`) contains, as a limit, each circuit with one block
 * removed. When such a simpler circuit fits as well, the fit of the full circuit has probably
 * collapsed two arcs into one, or the data do not support the extra arc.
 */

import type { Circuit, CircuitNode } from "./circuit.ts";

/** One nested circuit. */
export interface NestedCircuit {
  /** The circuit string with one block removed. */
  text: string;
  /** The block removed, as written (`p(R2,CPE2)`). */
  removed: string;
  /** Parameter indices of the removed block in the full circuit: [first, one past the last). */
  parameters: [number, number];
}

/** The circuit string of a node. */
export function nodeText(node: CircuitNode): string {
  if (node.kind === "element") return node.name;
  const parts = node.children.map(nodeText);
  return node.kind === "series" ? parts.join("-") : `p(${parts.join(",")})`;
}

function isBlock(node: CircuitNode): boolean {
  return node.kind === "parallel" ||
    (node.kind === "element" && node.definition.role === "relaxation");
}

/**
 * The circuits with one top-level arc block removed, when the circuit has at least two such
 * blocks in series (none otherwise).
 */
export function nestedCircuits(circuit: Circuit): NestedCircuit[] {
  const root = circuit.root;
  if (root.kind !== "series") return [];
  const blocks = root.children.filter(isBlock);
  if (blocks.length < 2) return [];
  return root.children.flatMap((child, c) =>
    isBlock(child)
      ? [{
        text: root.children.filter((_, k) => k !== c).map(nodeText).join("-"),
        removed: nodeText(child),
        parameters: [
          child.offset,
          child.kind === "element" ? child.offset + child.definition.parameters.length : child.end,
        ] as [number, number],
      }]
      : []
  );
}

/**
 * The shape of a circuit string: element names without their numbers (`R-p(R,CPE)`), so that
 * `R0-p(R1,CPE1)` and `R0-p(R2,CPE2)` — the same model — share one key.
 */
export function circuitShape(text: string): string {
  return text.replace(/\s+/g, "").replace(/([A-Za-z]+)[0-9_]+/g, "$1");
}
