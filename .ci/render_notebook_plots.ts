// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * Developer tool used by `.ci/run_notebook.sh`: compile every Vega-Lite output stored in a
 * notebook with vega-lite and render it with vega (headless, to SVG), as a front end would.
 * Exits 1 when a spec fails to compile or render, or when vega-lite warns about it.
 *
 *   deno run --allow-read [--allow-write] .ci/render_notebook_plots.ts NOTEBOOK.ipynb [--svg DIR]
 *
 * `--svg DIR` writes each plot as `DIR/cell<N>_<k>.svg` (to look at them).
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
  const [path, flag, svgDir] = Deno.args;
  if (!path || (flag !== undefined && (flag !== "--svg" || !svgDir))) {
    console.error("usage: render_notebook_plots.ts NOTEBOOK.ipynb [--svg DIR]");
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
      } catch (error) {
        failed++;
        console.error(`  ${where}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  console.log(`${count} Vega-Lite plots, ${failed} with problems`);
  if (failed > 0) Deno.exit(1);
}
