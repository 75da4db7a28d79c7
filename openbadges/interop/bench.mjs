// Times Digital Bazaar's verifier on the credential `examples/bench.rs` signed and prints
// the ratio to our verifier's rate measured in the same run.
import fs from "node:fs";
import path from "node:path";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { offlineLoader } from "./loader.mjs";

const dir = process.argv[2];
const read = (n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8"));
const credential = read("bench-credential.json");
const did = read("bench-did.json");
const rust = read("bench-rust.json");

const documentLoader = offlineLoader(new Map([[did.id, did]]));
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
