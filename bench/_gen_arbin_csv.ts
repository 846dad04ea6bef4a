// Copyright 2026 the battery-analysis authors. MIT license.
// Generates a large synthetic Arbin CSV export for the CSV throughput benchmark.

/** Header of an Arbin MITS Pro CSV export, as in the `BL_Zn_SymCell_*_Wb_1.CSV` fixtures. */
export const ARBIN_HEADER =
  "Date_Time,Test Time (s),Step Time (s),Cycle Index,Step Index,Voltage (V),Current (A)," +
  "Charge Capacity (Ah),Discharge Capacity (Ah),Charge Energy (Wh),Discharge Energy (Wh)," +
  "ACR (Ohm),Internal Resistance (Ohm),dV/dt (V/s)";

const pad2 = (x: number): string => (x < 10 ? "0" : "") + x;
const pad3 = (x: number): string => (x < 10 ? "00" : x < 100 ? "0" : "") + x;

/**
 * Arbin-style CSV text of about `targetBytes` bytes (UTF-8 BOM, CRLF line ends, 14 columns):
 * a cell cycled at ±1.1 A between 3.0 and 4.2 V, one row every 10 s, cumulative capacity and
 * energy counters, `Date_Time` like `05/01/2024 10:00:01.001`. Deterministic.
 *
 * @param targetBytes Approximate size wanted.
 * @returns The bytes and the number of data rows.
 */
export function generateArbinCsv(targetBytes: number): { bytes: Uint8Array; rows: number } {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [encoder.encode("\uFEFF" + ARBIN_HEADER + "\r\n")];
  let size = chunks[0].length;
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const start = Date.UTC(2024, 4, 1, 10, 0, 0); // naive local time, printed as UTC fields
  let rows = 0, t = 0, stepTime = 0, cycle = 1, step = 1, qc = 0, qd = 0, ec = 0, ed = 0;
  let v = 3.0;
  while (size < targetBytes) {
    let text = "";
    for (let k = 0; k < 4000; k++) {
      const dt = 10 + (rand() - 0.5) * 0.004;
      t += dt;
      stepTime += dt;
      const charging = step === 2;
      const resting = step === 1 || step === 3;
      const i = resting ? 0 : charging ? 1.1 : -1.1;
      v += resting ? (3.6 - v) * 0.01 : charging ? 0.004 : -0.004;
      if (i > 0) {
        qc += (i * dt) / 3600;
        ec += (i * v * dt) / 3600;
      } else if (i < 0) {
        qd -= (i * dt) / 3600;
        ed -= (i * v * dt) / 3600;
      }
      const date = new Date(start + Math.round(t * 1000));
      text += pad2(date.getUTCMonth() + 1) + "/" + pad2(date.getUTCDate()) + "/" +
        date.getUTCFullYear() + " " + pad2(date.getUTCHours()) + ":" +
        pad2(date.getUTCMinutes()) + ":" + pad2(date.getUTCSeconds()) + "." +
        pad3(date.getUTCMilliseconds()) + "," + t.toFixed(3) + "," + stepTime.toFixed(3) + "," +
        cycle + "," + step + "," + v.toFixed(5) + "," + i.toFixed(5) + "," + qc.toFixed(5) + "," +
        qd.toFixed(5) + "," + ec.toFixed(5) + "," + ed.toFixed(5) + "," +
        (0.015 + rand() * 0.001).toFixed(5) + "," + (0.017 + rand() * 0.001).toFixed(5) + "," +
        ((rand() - 0.5) * 0.001).toFixed(5) + "\r\n";
      rows++;
      const endStep = (step === 1 && stepTime > 600) || (step === 2 && v >= 4.2) ||
        (step === 3 && stepTime > 600) || (step === 4 && v <= 3.0);
      if (endStep) {
        stepTime = 0;
        step = step === 4 ? 1 : step + 1;
        if (step === 1) cycle++;
      }
    }
    const chunk = encoder.encode(text);
    chunks.push(chunk);
    size += chunk.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, rows };
}

/**
 * Write a generated file of about `megabytes` MB into a fresh temporary directory.
 *
 * @param megabytes Size in MB (10^6 bytes).
 * @returns Path of the file and its row count.
 */
export async function writeArbinCsv(megabytes: number): Promise<{ path: string; rows: number }> {
  const dir = await Deno.makeTempDir({ prefix: "arbin_csv_bench_" });
  const path = `${dir}/synthetic_Channel_1_Wb_1.CSV`;
  const { bytes, rows } = generateArbinCsv(megabytes * 1e6);
  await Deno.writeFile(path, bytes);
  return { path, rows };
}

if (import.meta.main) {
  const megabytes = Number(Deno.args[0] ?? 100);
  const { path, rows } = await writeArbinCsv(megabytes);
  // deno-lint-ignore no-console
  console.log(`${path}: ${rows} rows`);
}
