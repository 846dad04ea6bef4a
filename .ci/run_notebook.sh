#!/usr/bin/env bash
# Developer tool (not part of .ci/run or the test suite): execute Jupyter notebooks with the Deno
# kernel, store the outputs in the notebooks, and check what each cell displayed.
#
#   .ci/run_notebook.sh [--no-write] [NOTEBOOK.ipynb ...]     (default: docs/notebooks/quickstart.ipynb)
#
# Needs Deno and a Python 3 with jupyter_client and nbformat (`pip install jupyter_client nbformat`,
# or Debian's python3-jupyter-client and python3-nbformat); Jupyter itself is not needed. The Deno
# kernelspec is installed with `deno jupyter --install` when missing (works offline).
#
# Each code cell runs in one kernel started in the notebook's folder (as JupyterLab and VS Code
# do). The cell's kernel messages become its outputs. Checks, any failure exits 1:
#   - the cells are formatted (`deno fmt`, which formats notebooks; in place unless --no-write);
#   - the code cells type-check (`deno check` of the cells joined into one module);
#   - no cell raised an error;
#   - a cell's metadata `expect` is met: `outputs` (its rich outputs, in order, each a list of
#     MIME types it must have), `html_rows` (rows in the bodies of its HTML tables),
#     `vega_points` (data rows of its Vega-Lite spec, all layers and panels), `stream` (text its
#     printed output must contain);
#   - every Vega-Lite output names the v5 schema, has data, and is under 1 MB of JSON;
#   - every Vega-Lite output compiles with vega-lite and renders with vega
#     (.ci/render_notebook_plots.ts); the rendering is stored beside the spec as image/svg+xml so that GitHub, which does not run
#     Vega, shows the plots (JupyterLab and VS Code still draw the interactive chart).
# With --no-write the notebook file is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

write=1
notebooks=()
for arg in "$@"; do
  case "$arg" in
    --no-write) write=0 ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) notebooks+=("$arg") ;;
  esac
done
[ ${#notebooks[@]} -gt 0 ] || notebooks=(docs/notebooks/quickstart.ipynb)

if ! python3 -c "import jupyter_client, nbformat" 2>/dev/null; then
  echo "run_notebook: Python packages jupyter_client and nbformat are needed:" >&2
  echo "  pip install jupyter_client nbformat   (or apt-get install python3-jupyter-client python3-nbformat)" >&2
  exit 2
fi
if ! python3 -c "import sys; from jupyter_client.kernelspec import find_kernel_specs; sys.exit('deno' not in find_kernel_specs())"; then
  deno jupyter --install
fi
deno install --frozen >/dev/null

status=0
for nb in "${notebooks[@]}"; do
  # deno fmt formats the cells of notebooks too (`deno task ok` checks it with
  # .ci/fmt_notebooks.ts: deno.json excludes notebooks from a plain `deno fmt`, whose --check
  # misreports them): format before running, through stdin so the exclusion does not apply.
  formatted="$(mktemp)"
  deno fmt --ext ipynb - < "$nb" > "$formatted"
  if cmp -s "$formatted" "$nb"; then
    :
  elif [ "$write" = 1 ]; then
    cp "$formatted" "$nb"
  else
    echo "run_notebook: $nb is not formatted (deno fmt --ext ipynb - < $nb)" >&2
    status=1
  fi
  rm -f "$formatted"
  # Type-check the code cells first (the kernel itself runs TypeScript without checking types):
  # as one module beside the notebook, so relative imports resolve as in the kernel.
  check="$(dirname "$nb")/.$(basename "$nb" .ipynb).check.ts"
  python3 -c 'import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
print("\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"))' "$nb" >"$check"
  if ! deno check --quiet "$check"; then
    echo "run_notebook: the code cells of $nb do not type-check" >&2
    status=1
  fi
  rm -f "$check"
  out="$nb"
  [ "$write" = 1 ] || out="$(mktemp --suffix=.ipynb)"
  OUT="$out" python3 - "$nb" <<'PY' || status=1
import json, os, queue, re, sys, time
import nbformat
from jupyter_client.manager import start_new_kernel

path = os.path.abspath(sys.argv[1])
out_path = os.environ["OUT"]
VEGA = "application/vnd.vegalite.v5+json"
SCHEMA = re.compile(r"^https://vega\.github\.io/schema/vega-lite/v5(\.\d+)*\.json$")
nb = nbformat.read(path, as_version=4)
failures = []


def vega_rows(spec):
    """Data rows of a Vega-Lite spec: inline data of the spec, its layers and panels."""
    if not isinstance(spec, dict):
        return []
    own = spec.get("data", {}).get("values") if isinstance(spec.get("data"), dict) else None
    rows = [len(own)] if isinstance(own, list) else []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []) or []:
            rows += vega_rows(part)
    if isinstance(spec.get("spec"), dict):
        rows += vega_rows(spec["spec"])
    return rows


def html_rows(html):
    return sum(body.count("<tr") for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S))


def run_cell(kc, code, timeout=600):
    """Execute one cell; return its outputs (nbformat) and the raw bundles it displayed."""
    msg_id = kc.execute(code, store_history=True, allow_stdin=False)
    outputs, bundles = [], []
    reply = idle = False
    count = None
    deadline = time.time() + timeout
    quiet_until = None
    while True:
        if reply and idle:
            # The Deno kernel sometimes publishes `idle` before the cell's execute_result
            # (seen with Deno 2.9.6 in about 1 of 7 cells): keep listening briefly.
            if quiet_until is None:
                quiet_until = time.time() + 0.5
            if time.time() > quiet_until:
                break
        if time.time() > deadline:
            raise TimeoutError(f"cell did not finish within {timeout} s")
        if not reply:
            try:
                r = kc.get_shell_msg(timeout=0.05)
                if r["parent_header"].get("msg_id") == msg_id:
                    reply = True
                    count = r["content"].get("execution_count")
            except queue.Empty:
                pass
        try:
            m = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = m["msg_type"], m["content"]
        if t == "status" and c["execution_state"] == "idle":
            idle = True
        elif t == "stream":
            if outputs and outputs[-1].output_type == "stream" and outputs[-1].name == c["name"]:
                outputs[-1].text += c["text"]
            else:
                outputs.append(nbformat.v4.new_output("stream", name=c["name"], text=c["text"]))
        elif t in ("display_data", "execute_result"):
            bundles.append(c["data"])
            kw = {"data": c["data"], "metadata": c.get("metadata", {})}
            if t == "execute_result":
                kw["execution_count"] = c.get("execution_count")
            outputs.append(nbformat.v4.new_output(t, **kw))
        elif t == "error":
            outputs.append(nbformat.v4.new_output(
                "error", ename=c["ename"], evalue=c["evalue"], traceback=c["traceback"]))
        if quiet_until is not None and t != "status":
            quiet_until = time.time() + 0.5
    return outputs, bundles, count


km, kc = start_new_kernel(kernel_name="deno", cwd=os.path.dirname(path))
try:
    # Warm up: the first messages of a fresh kernel can be missed while IOPub connects.
    run_cell(kc, "0")
    print(f"{os.path.relpath(path)}:")
    number = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        number += 1
        started = time.time()
        outputs, bundles, count = run_cell(kc, cell.source)
        cell.outputs = outputs
        cell.execution_count = number
        took = time.time() - started
        where = f"cell {index} (code cell {number})"
        notes = []
        for out in outputs:
            if out.output_type == "error":
                failures.append(f"{where}: {out.ename}: {out.evalue}")
        expect = cell.metadata.get("expect", {})
        rich = [b for b in bundles if set(b) - {"text/plain"}]
        if "outputs" in expect:
            if len(rich) != len(expect["outputs"]):
                failures.append(f"{where}: {len(rich)} rich outputs, expected {len(expect['outputs'])}")
            for b, wanted in zip(rich, expect["outputs"]):
                missing = [m for m in wanted if m not in b]
                if missing:
                    failures.append(f"{where}: display lacks {missing} (has {sorted(b)})")
        notes += ["+".join(sorted(b)) for b in rich]
        for b in bundles:
            if "text/html" in b:
                rows = html_rows(b["text/html"])
                notes.append(f"{rows} HTML table rows")
                if "html_rows" in expect and rows != expect["html_rows"]:
                    failures.append(f"{where}: {rows} HTML table rows, expected {expect['html_rows']}")
            if VEGA in b:
                spec = b[VEGA]
                rows = vega_rows(spec)
                size = len(json.dumps(spec))
                notes.append(f"Vega-Lite {sum(rows)} data rows {rows}, {size / 1000:.1f} kB")
                if not SCHEMA.match(str(spec.get("$schema", ""))):
                    failures.append(f"{where}: Vega-Lite spec without the v5 $schema")
                if sum(rows) == 0:
                    failures.append(f"{where}: Vega-Lite spec without data")
                if size > 1_000_000:
                    failures.append(f"{where}: Vega-Lite spec of {size} bytes (over 1 MB)")
                if "vega_points" in expect and sum(rows) != expect["vega_points"]:
                    failures.append(f"{where}: {sum(rows)} Vega-Lite data rows, expected {expect['vega_points']}")
        text = "".join(o.text for o in outputs if o.output_type == "stream")
        for wanted in expect.get("stream", []):
            if wanted not in text:
                failures.append(f"{where}: printed output lacks {wanted!r}")
        if text:
            notes.append(f"{len(text.splitlines())} printed lines")
        print(f"  {where}: {took:.2f} s; " + "; ".join(notes))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

nbformat.validate(nb)
nbformat.write(nb, out_path)
print(f"  outputs written to {out_path}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
    sys.exit(1)
PY
  # Compile and render every plot; store the rendering as SVG beside each spec (for GitHub).
  deno run --allow-read --allow-write .ci/render_notebook_plots.ts "$out" --add-svg || status=1
  python3 -c 'import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)
nbformat.write(nb, sys.argv[1])' "$out"
  [ "$write" = 1 ] || rm -f "$out"
done
exit $status
