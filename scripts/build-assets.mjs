#!/usr/bin/env node
// Builds the front-end files generated from npm packages into static/build/ (git-ignored,
// served by Django staticfiles as build/...). Run by `make install` after `npm ci`.
//
//   echarts.js  ECharts tree-shaken to the charts and components our pages use, exposing the
//               same global `echarts` (init, ...) as the full dist file; minified.
//   icons.svg   a sprite of the bootstrap-icons our pages use, one <symbol id="NAME"> each,
//               referenced by the {% icon "NAME" %} template tag (unionportal/core/templatetags/icons.py).
//
// Adding a chart type: import it below (ECharts 6 names: BarChart, LineChart, ...). Adding an icon:
// use {% icon "name" %} in a template; icons that only JavaScript builds go in JS_ICONS.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "static", "build");
const ICONS = join(ROOT, "node_modules", "bootstrap-icons", "icons");

// Icons that no template, Python list or "bi-NAME" string in our JS names, because JavaScript
// builds their name at run time (none today). Our JS files are scanned for "bi-NAME" words.
const JS_ICONS = [];

const ECHARTS_ENTRY = `
import { connect, dispose, getInstanceByDom, init, registerTheme, use } from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import {
  DataZoomInsideComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
use([
  BarChart, LineChart, PieChart,
  DataZoomInsideComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  CanvasRenderer,
]);
// The part of the API our scripts use (echarts.init) and its companions.
window.echarts = { connect, dispose, getInstanceByDom, init, registerTheme, use };
`;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".") || name === "build" || name === "staticfiles") continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

// Icon names from templates ({% icon "name" %}, or an old <i class="bi bi-name">) and from our JS.
function usedIcons() {
  const names = new Set(JS_ICONS);
  const sources = walk(ROOT).filter((p) => {
    const rel = relative(ROOT, p);
    if (rel.startsWith("static/") || rel.startsWith("bench/") || rel.startsWith("docs/")) return false;
    if (rel.includes("templates/") && p.endsWith(".html")) return true;
    if (rel.includes("static/") && p.endsWith(".js")) return true;
    // Icons named in Python (e.g. stations/amenities.py: "bi-cup-straw"), not migrations or tests.
    return p.endsWith(".py") && !rel.includes("migrations/") && !rel.includes("tests/") && !rel.startsWith(".venv");
  });
  const patterns = [/\{%\s*icon\s+["']([a-z0-9-]+)["']/g, /\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)/g];
  const inPython = /["']bi-([a-z0-9]+(?:-[a-z0-9]+)*)["']/g;
  for (const file of sources) {
    const text = readFileSync(file, "utf8");
    for (const re of file.endsWith(".py") ? [inPython] : patterns) for (const m of text.matchAll(re)) names.add(m[1]);
  }
  return [...names].sort();
}

function sprite(names) {
  const symbols = [];
  const missing = [];
  for (const name of names) {
    let svg;
    try {
      svg = readFileSync(join(ICONS, `${name}.svg`), "utf8");
    } catch {
      missing.push(name);
      continue;
    }
    const viewBox = (svg.match(/viewBox="([^"]+)"/) || [, "0 0 16 16"])[1];
    const inner = svg.replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "").replace(/>\s+</g, "><").trim();
    symbols.push(`<symbol id="${name}" viewBox="${viewBox}">${inner}</symbol>`);
  }
  if (missing.length) {
    // A misspelt name would otherwise render as an empty square; `bi-` words that are no icon
    // (e.g. a CSS class in a JS string) are only reported.
    console.warn(`build-assets: no bootstrap icon named ${missing.join(", ")} (skipped)`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg">${symbols.join("")}</svg>\n`;
}

mkdirSync(OUT, { recursive: true });
const icons = usedIcons();
writeFileSync(join(OUT, "icons.svg"), sprite(icons));

await build({
  stdin: { contents: ECHARTS_ENTRY, resolveDir: ROOT, sourcefile: "echarts-entry.js", loader: "js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2018",
  legalComments: "none",
  outfile: join(OUT, "echarts.js"),
  logLevel: "warning",
});

const size = (f) => `${(statSync(join(OUT, f)).size / 1024).toFixed(0)} KB`;
console.log(`build-assets: static/build/echarts.js ${size("echarts.js")}, icons.svg ${size("icons.svg")} (${icons.length} icons)`);
