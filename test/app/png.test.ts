import { strict as assert } from 'node:assert';
import { inflateSync } from 'node:zlib';
import { drawIcon, ICON_FILES } from '../../tools/drawIcons.js';
import { encodePng, readPngInfo } from '../../tools/png.js';

/** Splits a PNG into its chunks, checking each CRC with an independent table-driven CRC-32. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (table[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc(typeAndData), 'chunk CRC');
    out.push({ type: typeAndData.toString('latin1', 0, 4), data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  return out;
}

describe('png: the icon encoder', () => {
  it('writes IHDR, IDAT and IEND with valid CRCs, and the pixels come back unchanged', () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, rgba);
    assert.deepEqual(readPngInfo(png), { width: 3, height: 2, bitDepth: 8, colourType: 6 });
    const parts = chunks(png);
    assert.deepEqual(
      parts.map((c) => c.type),
      ['IHDR', 'IDAT', 'IEND'],
    );
    const raw = inflateSync(parts[1]!.data);
    const rows = [raw.subarray(0, 13), raw.subarray(13, 26)];
    assert.deepEqual(
      rows.map((r) => r[0]),
      [0, 0],
      'filter byte None on each row',
    );
    assert.deepEqual(Buffer.concat(rows.map((r) => r.subarray(1))), Buffer.from(rgba));
  });

  it('rejects pixel buffers of the wrong length and non-PNG input', () => {
    assert.throws(() => encodePng(2, 2, new Uint8Array(15)), /expected 16 bytes/);
    assert.throws(() => readPngInfo(Buffer.from('GIF89a-not-a-png-at-all-123456789012')), /not a PNG/);
  });

  it('draws an opaque tile with transparent rounded corners at every icon size', () => {
    for (const size of new Set(Object.values(ICON_FILES))) {
      const px = drawIcon(size, { background: [10, 20, 30], bullet: [255, 255, 255], line: [200, 200, 200] });
      const alpha = (x: number, y: number) => px[(y * size + x) * 4 + 3];
      assert.equal(alpha(0, 0), 0, 'corner is transparent');
      const mid = Math.floor(size / 2);
      assert.equal(alpha(mid, 2), 255, 'edge middle is opaque');
      assert.deepEqual([...px.subarray((2 * size + mid) * 4, (2 * size + mid) * 4 + 3)], [10, 20, 30], 'background colour at the top edge');
    }
  });
});
