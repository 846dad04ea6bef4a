import { chromium } from "playwright-core";
const dir = await Deno.makeTempDir();
const ctx = await chromium.launchPersistentContext(dir, { executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1400, height: 1000 }, args: ["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-quic","--no-first-run","--disable-component-update","--disable-sync"] });
const page = await ctx.newPage();
page.on("console", (m) => console.log("console", m.type(), m.text().slice(0, 200)));
page.on("pageerror", (e) => console.log("pageerror", e.message));
page.on("request", (r) => { if (!r.url().startsWith("http://127.0.0.1:8077")) console.log("EXTERNAL", r.url()); });
for (const [name, path] of Deno.args.map((a) => a.split("="))) {
  await page.goto("http://127.0.0.1:8077" + path);
  await page.waitForSelector("body[data-plots-ready]", { timeout: 20000 });
  const figs = await page.$$eval("figure.plot", (fs) => fs.map((f) => `${f.id}: ${f.dataset.points} / ${f.dataset.renderedPoints}`));
  console.log(name, figs);
  await page.screenshot({ path: `/tmp/${name}.png`, fullPage: true });
}
await ctx.close();
