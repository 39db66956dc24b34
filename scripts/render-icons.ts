/**
 * Renders assets/icon.svg to the PNG sizes electron-builder and the tray use, with Debian's
 * Chromium (no image tool needed). Run: npx tsx scripts/render-icons.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const svg = readFileSync(join(assets, 'icon.svg'), 'utf8');
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
  for (const size of [512, 256, 32, 16]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`,
    );
    await page.screenshot({ path: join(assets, size === 512 ? 'icon.png' : `icon-${size}.png`), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
