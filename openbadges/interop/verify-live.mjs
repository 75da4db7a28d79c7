// Checks one credential issued by a running Badgefolio with Digital Bazaar's verifier
// stack: the issuer's DID document and the status list are fetched from that server
// (its did:web lives on a loopback address served over http, so the documents are
// fetched here and handed to the offline loader), then the proof and the status bit
// are checked.
//
//   node verify-live.mjs CREDENTIAL BASE_URL   prints "valid", "revoked" or "invalid: …"
//                                              and exits 0 only for "valid".
// CREDENTIAL is a .json file, or a baked .png or .svg badge image.
import fs from "node:fs";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { offlineLoader, statusChecker } from "./loader.mjs";
import { unbake } from "./unbake.mjs";

const [file, base] = process.argv.slice(2);
if (!file || !base) throw new Error("usage: node verify-live.mjs CREDENTIAL.json BASE_URL");
const raw = fs.readFileSync(file);
const credential = file.endsWith(".json") ? JSON.parse(raw.toString("utf8")) : unbake(file, raw);
const issuer = credential.issuer.id || credential.issuer;
// did:web:<host>:issuers:<slug> → <base>/issuers/<slug>/did.json
const didPath = issuer.split(":").slice(3).join("/");
const fetchJson = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
};
const documents = new Map();
documents.set(issuer, await fetchJson(`${base}/${didPath}/did.json`));
const statusUrl = credential.credentialStatus.statusListCredential;
documents.set(statusUrl, await fetchJson(statusUrl));
const documentLoader = offlineLoader(documents);
const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
const result = await vc.verifyCredential({
  credential,
  suite,
  documentLoader,
  checkStatus: statusChecker(documentLoader, suite),
});
const proofOk = (result.results || []).some((r) => r.verified);
if (result.verified) {
  console.log("valid");
} else if (proofOk && result.statusResult?.verified === false) {
  console.log("revoked");
  process.exit(1);
} else {
  console.log(`invalid: ${JSON.stringify(result.error?.errors?.map((e) => e.message) ?? result.error?.message)}`);
  process.exit(1);
}
