import { newareNda } from "../parsers/neware_nda.ts";
const b = Deno.readFileSync("tests/fixtures/neware/new_nda_file.nda");
const r = newareNda.parse(b, { fileName: "new_nda_file.nda" });
console.log(r.meta);
const s = r.series!;
console.log(s.length, s.time_s.slice(75, 90), s.step_index.slice(75,90), s.extras.step_time_s.slice(75,90));
console.log(Object.keys(s.extras), s.start_time);
