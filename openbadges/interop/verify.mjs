// Independent check of Badgefolio credentials with Digital Bazaar's verifier stack
// (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022), fully offline.
//
//   node verify.mjs DIR   verifies what `cargo run -p openbadges --example interop write DIR`
//                         wrote, compares with DIR/expected.json, then signs a credential
//                         with the JavaScript stack into DIR/js-signed.json for our verifier.
import fs from "node:fs";
import path from "node:path";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { offlineLoader, statusChecker } from "./loader.mjs";
import { unbake } from "./unbake.mjs";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node verify.mjs DIR");
const readJson = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));

const documents = new Map();
const didDoc = readJson("did.json");
documents.set(didDoc.id, didDoc);
documents.set("https://issuer.example/issuers/interop/status/revocation", readJson("status-list.json"));
const documentLoader = offlineLoader(documents);

const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

const checkStatus = statusChecker(documentLoader, suite);

const expected = readJson("expected.json");
let passed = 0;
let failed = 0;
// expected: "valid" (everything verifies), "revoked" (signature fine, status says
// revoked), "tampered" (signature fails).
for (const [name, expectation] of Object.entries(expected)) {
  const raw = fs.readFileSync(path.join(dir, name));
  let outcome = "error";
  let why = "";
  try {
    const credential = name.endsWith(".json") ? JSON.parse(raw.toString("utf8")) : unbake(name, raw);
    const result = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus });
    const proofOk = (result.results || []).some((r) => r.verified);
    if (result.verified) outcome = "valid";
    else if (proofOk && result.statusResult && result.statusResult.verified === false) outcome = "revoked";
    else if (!proofOk) outcome = "tampered";
    why = JSON.stringify(result.error?.errors?.map((e) => e.message) ?? result.error?.message ?? "");
  } catch (e) {
    why = e.message;
  }
  const ok = outcome === expectation;
  ok ? passed++ : failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${outcome} (expected ${expectation})${!ok ? ` ${why.slice(0, 300)}` : ""}`);
}

// The other direction: the JavaScript stack signs, our verifier checks (interop check).
const jsDid = "did:web:js.example";
const keyPair = await Ed25519Multikey.generate({ controller: jsDid });
keyPair.id = `${jsDid}#${keyPair.publicKeyMultibase}`;
const controller = {
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  id: jsDid,
  verificationMethod: [{ id: keyPair.id, type: "Multikey", controller: jsDid, publicKeyMultibase: keyPair.publicKeyMultibase }],
  assertionMethod: [keyPair.id],
};
const unsigned = readJson("plain.json");
delete unsigned.proof;
unsigned.issuer = { id: jsDid, type: ["Profile"], name: "Signed in JavaScript" };
const signed = await vc.issue({
  credential: unsigned,
  suite: new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 }),
  documentLoader,
});
fs.writeFileSync(path.join(dir, "js-signed.json"), JSON.stringify(signed, null, 2));
fs.writeFileSync(path.join(dir, "js-did.json"), JSON.stringify(controller, null, 2));

console.log(`interop (Digital Bazaar verifier): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
