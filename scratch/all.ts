import { parseRecording } from "../parsers/mod.ts";
for (const f of Deno.args) {
  const r = parseRecording(Deno.readFileSync(f), { fileName: f });
  const s = r.series!;
  console.log(f, r.meta.format, r.meta.format_version, r.meta.channel, r.meta.device, r.meta.start_time, s.length, r.meta.warnings);
  console.log(Object.keys(s.extras).join(","), s.temperature_C?.slice(0,3));
  for (const k of [0, 1, 2, s.length - 1]) console.log(k, s.time_s[k], s.voltage_V[k], s.current_A[k], s.charge_capacity_Ah[k], s.discharge_capacity_Ah[k], s.step_index[k], s.cycle_index[k]);
}
