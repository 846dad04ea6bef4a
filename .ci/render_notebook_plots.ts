// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * Developer tool used by `.ci/run_notebook.sh`: compile every Vega-Lite output stored in a
 * notebook with vega-lite and render it with vega (headless, to SVG), as a front end would.
 * Exits 1 when a spec fails to compile or render, or when vega-lite warns about it.
 *
 *   deno run --allow-read [--allow-write] .ci/render_notebook_plots.ts NOTEBOOK.ipynb [--svg DIR] [--add-svg]
 *
 * `--svg DIR` writes each plot as `DIR/cell<N>_<k>.svg` (to look at them). `--add-svg` stores the
 * rendering in the notebook as an `image/svg+xml` beside the Vega-Lite spec of each output
 * (except outputs that also carry an HTML table, which static viewers show instead), as
 * JupyterLab's Vega extension does with a PNG: GitHub and other static viewers, which do not run
 * Vega, show the image; JupyterLab and VS Code still draw the interactive chart.
 *
 * @module
 */
import * as vegaLite from "vega-lite";
import * as vega from "vega";

const VEGA_LITE = "application/vnd.vegalite.v5+json";

interface NotebookCell {
  cell_type: string;
  outputs?: { data?: Record<string, unknown> }[];
}

type Logger = NonNullable<NonNullable<Parameters<typeof vegaLite.compile>[1]>["logger"]>;

/** A vega-lite logger that keeps warnings and errors. */
function collectingLogger(messages: string[]): Logger {
  let level = 0;
  const logger: Logger = {
    level(value?: number) {
      if (value === undefined) return level as never;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      messages.push(`error: ${args.join(" ")}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      messages.push(`warning: ${args.join(" ")}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** Compile and render one spec; returns the SVG and any vega-lite messages. */
async function render(spec: Record<string, unknown>): Promise<{ svg: string; messages: string[] }> {
  const messages: string[] = [];
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec, {
    logger: collectingLogger(messages),
  });
  const view = new vega.View(vega.parse(compiled.spec), {
    renderer: "none",
    logger: collectingLogger(messages) as never,
    logLevel: vega.Warn,
  });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, messages };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const addSvg = args.includes("--add-svg");
  const svgAt = args.indexOf("--svg");
  const svgDir = svgAt >= 0 ? args[svgAt + 1] : undefined;
  const path = args.find((a, i) => !a.startsWith("--") && (svgAt < 0 || i !== svgAt + 1));
  if (!path || (svgAt >= 0 && !svgDir)) {
    console.error("usage: render_notebook_plots.ts NOTEBOOK.ipynb [--svg DIR] [--add-svg]");
    Deno.exit(2);
  }
  const notebook = JSON.parse(await Deno.readTextFile(path)) as { cells: NotebookCell[] };
  let count = 0, failed = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    for (const [k, output] of (cell.outputs ?? []).entries()) {
      const spec = output.data?.[VEGA_LITE] as Record<string, unknown> | undefined;
      if (!spec) continue;
      count++;
      const where = `cell ${index} output ${k}`;
      try {
        const { svg, messages } = await render(spec);
        const marks = (svg.match(/<path|<line|<rect|<circle/g) ?? []).length;
        console.log(`  ${where}: rendered, ${svg.length} characters of SVG, ${marks} shapes`);
        // Zoom and pan listen to the window, which a headless view does not have.
        const problems = messages.filter((m) =>
          !m.includes("Can not resolve event source: window")
        );
        if (problems.length > 0) {
          failed++;
          for (const m of problems) console.error(`  ${where}: ${m}`);
        }
        if (svgDir) await Deno.writeTextFile(`${svgDir}/cell${index}_${k}.svg`, svg);
        // Not beside an HTML table: static viewers would show the table anyway.
        if (addSvg && !("text/html" in output.data!)) output.data!["image/svg+xml"] = svg;
      } catch (error) {
        failed++;
        console.error(`  ${where}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  console.log(`${count} Vega-Lite plots, ${failed} with problems`);
  if (addSvg) await Deno.writeTextFile(path, JSON.stringify(notebook, null, 1) + "\n");
  if (failed > 0) Deno.exit(1);
}
