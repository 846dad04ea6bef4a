import { compressionRegistry, CompressionType, tableFromIPC } from "apache-arrow";
import lz4 from "lz4js";
import { decompress as zstd } from "fzstd";
compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: null, decode: (b: Uint8Array) => new Uint8Array(lz4.decompress(b)) });
compressionRegistry.set(CompressionType.ZSTD, { encode: null, decode: (b: Uint8Array) => zstd(b) });
for (const f of ["new_nda_file", "123456789012_Unit27_Example_Data_File"]) {
  const t = tableFromIPC(Deno.readFileSync(`tests/fixtures/neware/${f}.ftr`));
  console.log(f, t.numRows, t.schema.fields.map((x) => `${x.name}:${x.type}`));
  console.log(t.get(2)?.toJSON());
}
