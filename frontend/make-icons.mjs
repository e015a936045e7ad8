// Draws Hearth's own favicon and app icons (a white "H" on the brand blue), so Hearth
// ships no GOV.UK crown. Run by scripts/build-frontend.sh: node make-icons.mjs OUTDIR
// Deterministic output; needs only node (zlib for PNG).
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const BLUE = [0x1d, 0x70, 0xb8];
const WHITE = [0xff, 0xff, 0xff];
// The "H" on a 32-unit grid: [x0, y0, x1, y1] rectangles.
const GLYPH = [
  [9, 8, 13, 24],
  [19, 8, 23, 24],
  [13, 14.5, 19, 17.5],
];

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1d70b8" d="M0 0h32v32H0z"/><path fill="#fff" d="${GLYPH.map(([x0, y0, x1, y1]) => `M${x0} ${y0}H${x1}V${y1}H${x0}z`).join("")}"/></svg>\n`;

function coverage(px, py, scale) {
  // 4x4 supersampling of pixel (px, py) against the glyph.
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const x = (px + (sx + 0.5) / 4) / scale;
      const y = (py + (sy + 0.5) / 4) / scale;
      if (GLYPH.some(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1)) hits++;
    }
  }
  return hits / 16;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size) {
  const scale = size / 32;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0, then RGB
    for (let x = 0; x < size; x++) {
      const a = coverage(x, y, scale);
      for (let i = 0; i < 3; i++) {
        row[1 + x * 3 + i] = Math.round(BLUE[i] * (1 - a) + WHITE[i] * a);
      }
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function ico(pngData, size) {
  // A single PNG-compressed image in an ICO container.
  const header = Buffer.from([0, 0, 1, 0, 1, 0]);
  const entry = Buffer.alloc(16);
  entry[0] = size;
  entry[1] = size;
  entry.writeUInt16LE(1, 4); // planes
  entry.writeUInt16LE(32, 6); // bits per pixel
  entry.writeUInt32LE(pngData.length, 8);
  entry.writeUInt32LE(6 + 16, 12);
  return Buffer.concat([header, entry, pngData]);
}

const manifest = {
  name: "Hearth",
  short_name: "Hearth",
  icons: [
    { src: "images/favicon.svg", type: "image/svg+xml", sizes: "any", purpose: "any" },
    { src: "images/hearth-icon-192.png", type: "image/png", sizes: "192x192", purpose: "any" },
    { src: "images/hearth-icon-512.png", type: "image/png", sizes: "512x512", purpose: "any" },
  ],
};

const out = process.argv[2];
if (!out) throw new Error("usage: node make-icons.mjs OUTDIR");
mkdirSync(join(out, "images"), { recursive: true });
writeFileSync(join(out, "images", "favicon.svg"), svg);
writeFileSync(join(out, "images", "favicon.ico"), ico(png(48), 48));
for (const size of [180, 192, 512]) {
  writeFileSync(join(out, "images", `hearth-icon-${size}.png`), png(size));
}
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
