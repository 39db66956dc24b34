/**
 * Renders the tray icons, one per state (idle, busy, error, stopped), from SVG with Debian's
 * Chromium, like scripts/render-icons.ts: `<state>.png` (16 px) and `<state>@2x.png` (32 px) in
 * colour for Linux and Windows, and `<state>Template.png` / `@2x` in black and alpha only for the
 * macOS menu bar (macOS tints template images itself). The SVGs are written next to them, so
 * the source of each PNG is in the repository. Run: npx tsx scripts/render-tray-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'tray');
mkdirSync(out, { recursive: true });

type State = 'idle' | 'busy' | 'error' | 'stopped';

// The app icon's play triangle, with a state badge at the lower right; 16×16 view box.
const COLOURS: Record<State, string> = { idle: '#2fb36b', busy: '#2f6fed', error: '#d93a3a', stopped: '#8a8f98' };

/**
 * The badge tells the state by shape as well as colour, because macOS template images are
 * black and alpha only: a dot (idle), a dot with a bar cut out (busy), a dot with "!" cut out
 * (error), a ring (stopped). Marks are cut with masks, so they are transparent in both sets.
 */
function badge(state: State, colour: string): string {
  const cut = (marks: string) =>
    `<mask id="b"><rect width="16" height="16" fill="#fff"/>${marks}</mask><circle cx="12" cy="12" r="3.8" fill="${colour}" mask="url(#b)"/>`;
  switch (state) {
    case 'idle':
      return `<circle cx="12" cy="12" r="3.3" fill="${colour}"/>`;
    case 'busy':
      return cut('<path d="M10.2 12 h3.6" stroke="#000" stroke-width="1.5" stroke-linecap="round"/>');
    case 'error':
      return cut('<path d="M12 9.9 v2.3 M12 14 v0.05" stroke="#000" stroke-width="1.5" stroke-linecap="round"/>');
    case 'stopped':
      return `<circle cx="12" cy="12" r="2.8" fill="none" stroke="${colour}" stroke-width="1.4"/>`;
  }
}

function svg(state: State, template: boolean): string {
  // Mid grey: readable on light and on dark panels (GNOME's top bar, dark taskbars).
  const glyph = template ? '#000' : '#7d8696';
  const colour = template ? '#000' : COLOURS[state];
  // The badge is cut out of the glyph so the two stay apart at 16 px.
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">',
    '<defs><mask id="cut"><rect width="16" height="16" fill="#fff"/><circle cx="12" cy="12" r="5" fill="#000"/></mask></defs>',
    `<path d="M3 1.8 L12.6 7.6 L3 13.4 Z" fill="${glyph}" stroke="${glyph}" stroke-width="1" stroke-linejoin="round" mask="url(#cut)"/>`,
    badge(state, colour),
    '</svg>',
  ].join('');
}

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
  for (const state of ['idle', 'busy', 'error', 'stopped'] as const) {
    for (const template of [false, true]) {
      const name = template ? `${state}Template` : state;
      const source = svg(state, template);
      writeFileSync(join(out, `${name}.svg`), `${source}\n`);
      for (const scale of [1, 2]) {
        const page = await browser.newPage({ viewport: { width: 16, height: 16 }, deviceScaleFactor: scale });
        await page.setContent(`<html><body style="margin:0;background:transparent">${source}</body></html>`);
        await page.screenshot({ path: join(out, scale === 1 ? `${name}.png` : `${name}@2x.png`), omitBackground: true });
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
}
