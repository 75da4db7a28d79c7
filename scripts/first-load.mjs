// Prints the first-load WASM of every lazy route of a split build (the main bundle plus
// the chunks the split manifest lists for the route), raw / gzip / brotli as served
// (the .gz and .br files made by --precompress), and the main bundle alone (the pages
// that are in it: landing and not found). Figures, not assertions: the
// browser tests (end2end/tests/split.spec.ts) print what each entry page really fetched.
// Usage: node scripts/first-load.mjs <site-root>
import * as fs from "node:fs";
import * as path from "node:path";

const pkg = path.join(process.argv[2] ?? "target/site", "pkg");
const files = fs.readdirSync(pkg);
const size = (f) => (fs.existsSync(path.join(pkg, f)) ? fs.statSync(path.join(pkg, f)).size : 0);
const sizes = (f) => [size(f), size(`${f}.gz`) || size(f), size(`${f}.br`) || size(f)];
const main = files.find((f) => /^badgefolio\.[A-Za-z0-9_-]{16,}\.wasm$/.test(f) || f === "badgefolio.wasm");
if (!main) {
  console.log("first-load: no WASM bundle in", pkg);
  process.exit(0);
}
const line = (name, list) => {
  const t = list.map(sizes).reduce((a, b) => a.map((x, i) => x + b[i]), [0, 0, 0]);
  const over = t[2] > 200 * 1024 ? "  OVER the 200 KB budget" : "";
  console.log(`first-load: ${name}: ${list.length} WASM file(s), ${t[0]} B raw, ${t[1]} B gzip, ${t[2]} B brotli${over}`);
};
line("main bundle (/ and not found)", [main]);
const manifestFile = files.find((f) => /^__wasm_split_manifest\..*json$/.test(f));
if (manifestFile) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, manifestFile), "utf8"));
  for (const [key, chunks] of Object.entries(manifest).sort()) {
    const route = key.replace(/^__/, "").replace(/_view_\d+$/, "");
    line(route, [main, ...chunks.map((c) => `${c}.wasm`)]);
  }
}
