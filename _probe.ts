import { parseRecording } from "./parsers/parse_recording.ts";
import { analyzeTest } from "./analysis/analyze_test.ts";
for (const f of Deno.args) {
  const r = parseRecording(Deno.readFileSync(f), { fileName: f });
  if (!r.series) continue;
  const t0 = performance.now();
  const a = analyzeTest({ series: r.series, warnings: r.meta.warnings });
  const t1 = performance.now();
  const j = JSON.stringify(a.toJSON());
  const light = JSON.stringify({ ...a.toJSON(), cycles: [], retention: null, fade: null, dqdv: null });
  console.log(f.split("/").pop(), a.cycles.length, j.length, light.length, (t1 - t0).toFixed(0) + "ms", JSON.stringify(a.summary).length);
}
