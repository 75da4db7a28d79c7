// Reads the credential out of a baked PNG (an `openbadgecredential` iTXt chunk) or SVG
// (an `openbadges:credential` element), as Open Badges 3.0 bakes them.
// Our own minimal unbaking, independent of the Rust code.
export function unbake(name, bytes) {
  if (name.endsWith(".png")) {
    let pos = 8;
    while (pos < bytes.length) {
      const len = bytes.readUInt32BE(pos);
      const type = bytes.toString("latin1", pos + 4, pos + 8);
      const data = bytes.subarray(pos + 8, pos + 8 + len);
      if (type === "iTXt") {
        const nul = data.indexOf(0);
        if (data.toString("latin1", 0, nul) === "openbadgecredential") {
          let p = nul + 3; // NUL, compression flag, method
          p = data.indexOf(0, p) + 1; // language tag
          p = data.indexOf(0, p) + 1; // translated keyword
          return JSON.parse(data.subarray(p).toString("utf8"));
        }
      }
      pos += 12 + len;
    }
    throw new Error("no openbadgecredential chunk");
  }
  const text = bytes.toString("utf8");
  const m = text.match(/<openbadges:credential>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/openbadges:credential>/);
  if (!m) throw new Error("no openbadges:credential element");
  return JSON.parse(m[1]);
}
