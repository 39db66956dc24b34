/**
 * Renders assets/icon.svg into assets/icon.ico for Windows (the executable, the installer and the
 * uninstaller), with Debian's Chromium like scripts/render-icons.ts. Each size is drawn by the
 * browser from the SVG itself, not scaled down from one bitmap, so the small sizes stay sharp.
 * Sizes below 256 are stored as 32-bit BMP (what every Windows tool reads, NSIS included); 256 is
 * stored as PNG, as Windows itself does. Run: npx tsx scripts/render-ico.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** Explorer's views, the taskbar (16/24/32/48 at 100–200 % scaling) and the installer's pages. */
const SIZES = [16, 24, 32, 48, 64, 128, 256] as const;

interface Rendered {
  size: number;
  /** RGBA, top row first (canvas order), not premultiplied. */
  rgba: Buffer;
  png: Buffer;
}

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const svg = readFileSync(join(assets, 'icon.svg'), 'utf8');

async function render(): Promise<Rendered[]> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  try {
    const page = await browser.newPage();
    const out: Rendered[] = [];
    for (const size of SIZES) {
      const { rgba, png } = await page.evaluate(
        async ({ svg, size }) => {
          const image = new Image();
          image.src = `data:image/svg+xml;base64,${btoa(svg)}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = size;
          canvas.height = size;
          const g = canvas.getContext('2d')!;
          g.drawImage(image, 0, 0, size, size);
          return { rgba: Array.from(g.getImageData(0, 0, size, size).data), png: canvas.toDataURL('image/png').split(',')[1]! };
        },
        { svg, size },
      );
      out.push({ size, rgba: Buffer.from(rgba), png: Buffer.from(png, 'base64') });
    }
    return out;
  } finally {
    await browser.close();
  }
}

/** BITMAPINFOHEADER + BGRA rows bottom-up + the 1-bit AND mask (set where fully transparent). */
function bmpEntry({ size, rgba }: Rendered): Buffer {
  const maskStride = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  // An icon's DIB counts the XOR bitmap and the AND mask: twice the height.
  header.writeInt32LE(size * 2, 8);
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskStride * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskStride * size);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = (row * size + x) * 4;
      pixels[to] = rgba[from + 2]!;
      pixels[to + 1] = rgba[from + 1]!;
      pixels[to + 2] = rgba[from]!;
      pixels[to + 3] = rgba[from + 3]!;
      if (rgba[from + 3] === 0) mask[row * maskStride + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, pixels, mask]);
}

function ico(images: Rendered[]): Buffer {
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(images.length, 4);
  const bodies = images.map((image) => (image.size >= 256 ? image.png : bmpEntry(image)));
  let offset = dir.length;
  images.forEach((image, i) => {
    const at = 6 + 16 * i;
    // 0 stands for 256 in the one-byte width and height.
    dir[at] = image.size >= 256 ? 0 : image.size;
    dir[at + 1] = image.size >= 256 ? 0 : image.size;
    dir.writeUInt16LE(1, at + 4);
    dir.writeUInt16LE(32, at + 6);
    dir.writeUInt32LE(bodies[i]!.length, at + 8);
    dir.writeUInt32LE(offset, at + 12);
    offset += bodies[i]!.length;
  });
  return Buffer.concat([dir, ...bodies]);
}

const file = join(assets, 'icon.ico');
writeFileSync(file, ico(await render()));
console.log(`wrote ${file} (${SIZES.join(', ')} px)`);
