// Copyright 2026 the battery-analysis authors. MIT license.
// quantileInPlace and selectInPlace (selection instead of sorting, for the long columns of a
// series) must give bit for bit what a sort gives: the expected values below come from
// `quantile` (a sorted copy) and from sorting, on the same data.
import { equal, ok } from "node:assert/strict";
import { quantile, quantileInPlace, selectInPlace } from "../../analysis/_stats.ts";

Deno.test("quantileInPlace equals quantile (sorted copy) bit for bit", () => {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let checked = 0;
  for (const n of [1, 2, 3, 4, 5, 10, 11, 100, 101, 1000, 4097]) {
    for (const kind of ["uniform", "ties", "sorted", "reversed", "with_infinity"]) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        values[i] = kind === "ties"
          ? Math.round(rand() * 5) / 4
          : kind === "sorted"
          ? i * 0.1
          : kind === "reversed"
          ? (n - i) * 0.1
          : rand() * 1e3;
        if (kind === "with_infinity" && rand() < 0.1) values[i] = Infinity;
      }
      for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.99, 1]) {
        const expected = quantile(values, q);
        const got = quantileInPlace(values.slice(), n, q);
        ok(Object.is(got, expected), `n ${n}, ${kind}, q ${q}: ${got} !== ${expected}`);
        checked++;
      }
      // The first `count` values only.
      const count = Math.max(1, n >> 1);
      equal(quantileInPlace(values.slice(), count, 0.5), quantile(values.subarray(0, count), 0.5));
    }
  }
  equal(checked, 11 * 5 * 7);
  ok(Number.isNaN(quantileInPlace(new Float64Array(3), 0, 0.5)));
});

Deno.test("selectInPlace puts the k-th smallest at k with no larger value before it", () => {
  let seed = 9;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const values = Float64Array.from({ length: 999 }, () => Math.floor(rand() * 50));
  const sorted = values.slice().sort();
  for (const k of [0, 1, 498, 499, 997, 998]) {
    const a = values.slice();
    equal(selectInPlace(a, 0, a.length - 1, k), sorted[k]);
    for (let i = 0; i < k; i++) ok(a[i] <= a[k]);
    for (let i = k + 1; i < a.length; i++) ok(a[i] >= a[k]);
  }
});
