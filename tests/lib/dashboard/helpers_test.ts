// Copyright 2026 the battery-analysis authors. MIT license.
// Unit tests of the dashboard's helpers: download names, CSV cells, rank correlation, HTML.

import { equal, match } from "node:assert/strict";
import { attachment } from "../../../lib/dashboard/_security.ts";
import { csvCell } from "../../../lib/dashboard/_pages/tests.ts";
import { averageRanks, spearman } from "../../../lib/dashboard/_correlation.ts";
import { jsonScript, markup, num } from "../../../lib/dashboard/_html.ts";
import { specPoints } from "../../../lib/dashboard/_plot.ts";
import { isLoopback } from "../../../cli/dashboard.ts";
import { assertClose } from "../../_util.ts";

Deno.test("attachment() gives an ASCII name and the UTF-8 name (RFC 6266/5987)", () => {
  equal(
    attachment("Zellé 1.csv"),
    `attachment; filename="Zell_ 1.csv"; filename*=UTF-8''Zell%C3%A9%201.csv`,
  );
  match(attachment('../x"y.csv'), /^attachment; filename="x_y\.csv";/);
  // The one safeFileName (lib/safe_file_name.ts): control characters and separators never
  // reach the header.
  match(attachment("a\r\nb/../c;d.csv"), /^attachment; filename="c;d\.csv";/);
  match(attachment(".."), /^attachment; filename="_\.\.";/);
});

Deno.test("csvCell() quotes and defuses formula-looking text", () => {
  equal(csvCell("plain"), "plain");
  equal(csvCell("a,b"), '"a,b"');
  equal(csvCell('say "hi"'), '"say ""hi"""');
  equal(csvCell("=1+1"), "'=1+1");
  equal(csvCell("-2"), "'-2"); // text, not a number
  equal(csvCell(-2), "-2");
  equal(csvCell(NaN), "");
  equal(csvCell(null), "");
});

Deno.test("spearman() matches scipy.stats.spearmanr, ties by average rank", () => {
  // scipy 1.x: spearmanr([1,2,3,4,5],[5,6,7,8,7]).statistic = 0.8207826816681233
  assertClose(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])!, 0.8207826816681233, { rel: 1e-12 });
  // spearmanr([1,2,2,3],[1,3,2,4]).statistic = 0.9486832980505139
  assertClose(spearman([1, 2, 2, 3], [1, 3, 2, 4])!, 0.9486832980505139, { rel: 1e-12 });
  equal(spearman([1, 1, 1], [1, 2, 3]), null);
  equal(averageRanks([10, 20, 20, 5]).join(), "2,3.5,3.5,1");
});

Deno.test("markup`` escapes interpolations; jsonScript() cannot close its element", () => {
  equal(markup`<p>${"<b>&'\""}</p>`.value, "<p>&lt;b&gt;&amp;&#39;&quot;</p>");
  equal(markup`${[1, null, false, "x"]}`.value, "1x");
  const s = jsonScript("a", { t: "</script><script>alert(1)</script>" }).value;
  equal(s.includes("</script><script>"), false);
  equal(JSON.parse(/>(.*)<\/script>$/.exec(s)![1]).t, "</script><script>alert(1)</script>");
  equal(num(0.000123456), "1.235e-4");
  equal(num(null), "—");
});

Deno.test("specPoints() counts inline rows over layers and panels", () => {
  const spec = {
    vconcat: [
      { layer: [{ data: { values: [1, 2, 3] } }, { data: { values: [4] } }] },
      { data: { values: [5, 6] }, mark: "line" },
    ],
  };
  equal(specPoints(spec), 6);
});

Deno.test("isLoopback() accepts only loopback addresses", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    equal(isLoopback(h), true, h);
  }
  for (const h of ["0.0.0.0", "::", "192.168.1.2", "example.com", "127.0.0.1.evil.com"]) {
    equal(isLoopback(h), false, h);
  }
});
