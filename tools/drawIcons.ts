/**
 * Draws the app icons into static/: a rounded tile with three bulleted lines (an audit log).
 * Run after the build: node build/tools/drawIcons.js. The PNGs are committed; rerun only to
 * change the design.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodePng } from './png.js';

type Rgb = readonly [number, number, number];

export interface IconStyle {
  background: Rgb;
  bullet: Rgb;
  line: Rgb;
}

/** Splunk's icon files: name → edge length in pixels. */
export const ICON_FILES = {
  'appIcon.png': 36,
  'appIcon_2x.png': 72,
  'appIconAlt.png': 36,
  'appIconAlt_2x.png': 72,
} as const;

const LIGHT: IconStyle = { background: [0xf0, 0x6a, 0x6a], bullet: [0xff, 0xff, 0xff], line: [0xff, 0xff, 0xff] };
const DARK: IconStyle = { background: [0x2b, 0x30, 0x36], bullet: [0xf0, 0x6a, 0x6a], line: [0xf2, 0xf2, 0xf2] };

// Signed distances in a unit square (negative inside), so edges can be anti-aliased by coverage.
function roundedSquare(x: number, y: number, radius: number): number {
  const qx = Math.abs(x - 0.5) - (0.5 - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}
function circle(x: number, y: number, cx: number, cy: number, r: number): number {
  return Math.hypot(x - cx, y - cy) - r;
}
function capsule(x: number, y: number, x0: number, x1: number, cy: number, halfThickness: number): number {
  const px = Math.min(Math.max(x, x0), x1);
  return Math.hypot(x - px, y - cy) - halfThickness;
}

const ROWS = [
  { y: 0.31, end: 0.77 },
  { y: 0.5, end: 0.7 },
  { y: 0.69, end: 0.6 },
];

/** RGBA pixels of one icon, 4x4 supersampled. */
export function drawIcon(size: number, style: IconStyle): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (roundedSquare(x, y, 0.18) > 0) continue;
          let colour: Rgb = style.background;
          for (const row of ROWS) {
            if (circle(x, y, 0.27, row.y, 0.062) <= 0) colour = style.bullet;
            else if (capsule(x, y, 0.4, row.end, row.y, 0.042) <= 0) colour = style.line;
          }
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        pixels[i] = Math.round(r / a);
        pixels[i + 1] = Math.round(g / a);
        pixels[i + 2] = Math.round(b / a);
      }
      pixels[i + 3] = Math.round((255 * a) / (samples * samples));
    }
  }
  return pixels;
}

export function drawIcons(staticDir: string): void {
  mkdirSync(staticDir, { recursive: true });
  for (const [name, size] of Object.entries(ICON_FILES)) {
    const style = name.startsWith('appIconAlt') ? DARK : LIGHT;
    writeFileSync(join(staticDir, name), encodePng(size, size, drawIcon(size, style)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  drawIcons(join(process.cwd(), 'static'));
  process.stdout.write(`wrote ${Object.keys(ICON_FILES).join(', ')} to static/\n`);
}
