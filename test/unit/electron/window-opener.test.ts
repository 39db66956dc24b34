/**
 * The window the tray opens, with stand-in BrowserWindows: a new window loads the page at the
 * view's fragment, an open one (hidden or minimised) comes back and is sent there by a
 * fragment-only loadURL, the same document.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { windowOpener, pageUrl } = await import('../../../src/main/electron/window-opener.js');
const { StandInBrowserWindow } = await import('../../support/electron-standin.js');
const { parseWindowRoute, windowRouteHash, WINDOW_ROUTES } = await import('../../../src/shared/window-route.js');

function opener() {
  const made: InstanceType<typeof StandInBrowserWindow>[] = [];
  const logged: string[] = [];
  const windows = windowOpener({
    create: (url) => {
      const w = new StandInBrowserWindow({});
      void w.loadURL(url);
      w.show();
      made.push(w);
      return w;
    },
    log: (line) => logged.push(line),
  });
  return { windows, made, logged };
}

describe('window routes (shared)', () => {
  it('names each view in the fragment and reads only its own names back', () => {
    expect(WINDOW_ROUTES).toEqual(['add-from-clipboard', 'pools']);
    expect(parseWindowRoute('#pools')).toBe('pools');
    expect(windowRouteHash('add-from-clipboard')).toBe('#add-from-clipboard');
    expect(parseWindowRoute('#add-from-clipboard')).toBe('add-from-clipboard');
    expect(parseWindowRoute('add-from-clipboard')).toBe('add-from-clipboard');
    for (const other of ['', '#', '#token=abc', '#add-from-clipboard&x', '#ADD-FROM-CLIPBOARD', '#constructor'])
      expect(parseWindowRoute(other), other).toBeNull();
  });
});

describe('windowOpener (stand-in BrowserWindow)', () => {
  it('no window yet: makes one at the page, or at the view asked for', () => {
    const a = opener();
    a.windows.open();
    expect(a.made.map((w) => w.webContents.loads)).toEqual([['app://runner-tray/index.html']]);

    const b = opener();
    b.windows.open('add-from-clipboard');
    expect(b.made.map((w) => w.webContents.loads)).toEqual([['app://runner-tray/index.html#add-from-clipboard']]);
    expect(b.windows.current()).toBe(b.made[0]);
  });

  it('an open window, hidden and minimised: restored, shown, focused, and sent to the view in place (no second window)', () => {
    const { windows, made } = opener();
    windows.open();
    const w = made[0]!;
    w.minimize();
    w.hide();
    windows.open('add-from-clipboard');
    expect(made).toHaveLength(1);
    expect(w.visible).toBe(true);
    expect(w.isMinimized()).toBe(false);
    expect(w.focused).toBe(1);
    expect(w.webContents.loads).toEqual(['app://runner-tray/index.html', 'app://runner-tray/index.html#add-from-clipboard']);
    // Only the fragment differs from the page it is on: Chromium runs that in the same document.
    expect(new URL(w.webContents.loads[1]!).href.split('#')[0]).toBe(w.webContents.loads[0]);
  });

  it('a plain open leaves the page where it is', () => {
    const { windows, made } = opener();
    windows.open('add-from-clipboard');
    made[0]!.hide();
    windows.open();
    expect(made[0]!.webContents.loads).toEqual(['app://runner-tray/index.html#add-from-clipboard']);
    expect(made[0]!.visible).toBe(true);
  });

  it('after the window is gone, the next open makes a new one at the view', () => {
    const { windows, made } = opener();
    windows.open();
    made[0]!.destroy();
    expect(windows.current()).toBeNull();
    windows.open('add-from-clipboard');
    expect(made).toHaveLength(2);
    expect(made[1]!.webContents.loads).toEqual([pageUrl('add-from-clipboard')]);
  });

  it('a navigation that fails is logged, not thrown', async () => {
    const { windows, made, logged } = opener();
    windows.open();
    made[0]!.webContents.loadURL = async () => {
      throw new Error("ERR_ABORTED (-3) loading 'app://runner-tray/index.html#add-from-clipboard'");
    };
    windows.open('add-from-clipboard');
    await vi.waitFor(() => expect(logged).toEqual([expect.stringContaining('could not open add-from-clipboard: ERR_ABORTED')]));
  });
});
