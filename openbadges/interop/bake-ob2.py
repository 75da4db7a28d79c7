"""Bakes the OB 2.0 fixtures into PNG and SVG with 1EdTech's `openbadges-bakery`
(PyPI), an implementation independent of Badgefolio. Reads bakes.json written by
make-fixtures.mjs; the plain images are made here with pypng (bakery's own dependency)
and a literal SVG. Run through ./make-fixtures.sh."""

import io
import json
import os
import sys

import png
from openbadges_bakery import bake, unbake

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "independent")


def plain_png():
    rows = [[(x * 16) % 256 for x in range(16 * 3)] for _ in range(16)]
    buf = io.BytesIO()
    png.Writer(16, 16, greyscale=False).write(buf, rows)
    buf.seek(0)
    return buf


PLAIN_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
    b'<circle cx="32" cy="32" r="30" fill="#2a6"/></svg>'
)


def main():
    with open(os.path.join(OUT, "bakes.json")) as f:
        bakes = json.load(f)
    for item in bakes:
        with open(os.path.join(OUT, item["src"])) as f:
            payload = f.read().strip()
        image = plain_png() if item["kind"] == "png" else io.BytesIO(PLAIN_SVG)
        with open(os.path.join(OUT, item["file"]), "wb") as out:
            bake(image, payload, out)
        with open(os.path.join(OUT, item["file"]), "rb") as check:
            back = unbake(check)
        if not back:
            sys.exit(f"bakery could not read back {item['file']}")
    print(f"baked {len(bakes)} images")


if __name__ == "__main__":
    main()
