import MDBReader from "mdb-reader";
import { Buffer } from "node:buffer";
import { gunzipSync } from "fflate";
for (const f of ["tests/fixtures/arbin/20160805_test001_45_cc_01.res", "tests/fixtures/arbin/mits7-0.res.gz"]) {
  let b = Deno.readFileSync(f);
  if (f.endsWith(".gz")) b = gunzipSync(b);
  console.log(f, b.length, b.length % 4096, new TextDecoder("latin1").decode(b.subarray(4, 20)), b[0x14]);
  const r = new MDBReader(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  console.log(r.getTable("Version_Table").getData());
  const t = r.getTable("Channel_Normal_Table");
  const t0 = performance.now();
  const d = t.getData();
  console.log(d.length, performance.now() - t0, "ms");
  let sorted = true; for (let i = 1; i < d.length; i++) if ((d[i].Data_Point as number) < (d[i-1].Data_Point as number)) { sorted = false; }
  console.log("sorted", sorted, r.getTable("Aux_Global_Data_Table").getColumns().map(c=>c.name+":"+c.type), r.getTable("Auxiliary_Table").getColumns().map(c=>c.name+":"+c.type));
  console.log(r.getTable("Global_Table").getColumns().map(c=>c.name+":"+c.type).join(" "));
}
