import { describe, expect, it, vi } from 'vitest';
import { StandInIpcMain, StandInWebContents } from '../../support/electron-standin.js';

// ipc.ts imports only Electron's types; the stand-in is here so an accidental runtime import cannot reach the real module.
vi.mock('electron', () => ({ ipcMain: new StandInIpcMain() }));

const { registerIpc } = await import('../../../src/main/electron/ipc.js');
const { createDispatch } = await import('../../../src/main/api/dispatch.js');
const { CHANNELS } = await import('../../../src/shared/contract/channels.js');
const { IPC_EVENT_CHANNEL } = await import('../../../src/shared/contract/channel-names.js');
type ContractHandlers = import('../../../src/shared/contract/channels.js').ContractHandlers;
type ContractEvent = import('../../../src/shared/contract/events.js').ContractEvent;

const RUNNER = '{0a1b2c3d-1111-4222-8333-444455556666}';

function setup() {
  const ipcMain = new StandInIpcMain();
  const own = new StandInWebContents('app://runner-tray/index.html');
  const calls: Array<{ channel: string; request: unknown }> = [];
  // The real dispatch (zod validation, envelope, one log line) over a handler table of recorders.
  const handlers = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      async (request: unknown) => {
        calls.push({ channel: c, request });
        return { channel: c };
      },
    ]),
  ) as unknown as ContractHandlers;
  const logs: string[] = [];
  const dispatch = createDispatch(handlers, { log: (l) => logs.push(l) });
  const listeners = new Set<(e: ContractEvent) => void>();
  const push = (e: ContractEvent) => listeners.forEach((l) => l(e));
  let contents: StandInWebContents | null = own;
  const reg = registerIpc({
    ipcMain: ipcMain as never,
    dispatch,
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    contents: () => contents as never,
    log: (l) => logs.push(l),
  });
  return { ipcMain, own, calls, logs, reg, push, listeners, setContents: (c: StandInWebContents | null) => (contents = c) };
}

describe('IPC registration (with a stand-in electron module)', () => {
  it('registers exactly one handler per contract channel, and removes them all on dispose', () => {
    const { ipcMain, reg } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    reg.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('passes a good request from our own window to the service and returns the envelope', async () => {
    const { ipcMain, own, calls } = setup();
    const reply = await ipcMain.invokeFrom(own, own.mainFrame, 'runners.start', { runnerUuid: RUNNER });
    expect(reply).toEqual({ ok: true, value: { channel: 'runners.start' } });
    expect(calls).toEqual([{ channel: 'runners.start', request: { runnerUuid: RUNNER } }]);
  });

  it('refuses a request from another webContents, an iframe, or a page not on app://', async () => {
    const { ipcMain, own, calls, logs } = setup();
    const foreign = new StandInWebContents('https://evil.example/');
    const refusals = [
      await ipcMain.invokeFrom(foreign, foreign.mainFrame, 'runners.list', {}),
      await ipcMain.invokeFrom(own, { url: 'app://runner-tray/index.html', parent: own.mainFrame }, 'runners.list', {}),
      await ipcMain.invokeFrom(own, { url: 'https://evil.example/', parent: null }, 'runners.list', {}),
      await ipcMain.invokeFrom(own, null, 'runners.list', {}),
    ];
    for (const r of refusals) expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(calls).toEqual([]);
    expect(logs.filter((l) => l.includes('UNAUTHORIZED'))).toHaveLength(4);
  });

  it('refuses everything while the window is gone or destroyed', async () => {
    const { ipcMain, own, setContents } = setup();
    own.destroyed = true;
    expect(await ipcMain.invokeFrom(own, own.mainFrame, 'runners.list', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    setContents(null);
    expect(await ipcMain.invokeFrom(own, own.mainFrame, 'runners.list', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('answers a bad payload with INVALID_INPUT naming the field, without calling the service or logging the payload', async () => {
    const { ipcMain, own, calls, logs } = setup();
    const secretish = 'S3cr3t-Value-That-Must-Not-Be-Logged-0123456789';
    const reply = (await ipcMain.invokeFrom(own, own.mainFrame, 'runners.start', { runnerUuid: secretish })) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('INVALID_INPUT');
    expect(reply.error.message).toMatch(/runnerUuid/);
    expect(calls).toEqual([]);
    expect(logs.join('\n')).not.toContain(secretish);
  });

  it('pushes events to the window only while it is visible, and says resync when shown again', () => {
    const { own, reg, push, listeners } = setup();
    const event: ContractEvent = { type: 'runner.removed', runnerUuid: RUNNER };
    push(event);
    expect(own.sent).toEqual([]);
    expect(listeners.size).toBe(0);

    reg.setVisible(true);
    push(event);
    expect(own.sent).toEqual([{ channel: IPC_EVENT_CHANNEL, args: [event] }]);

    reg.setVisible(false);
    expect(listeners.size).toBe(0);
    push(event);
    reg.setVisible(true);
    expect(own.sent.map((s) => s.args[0])).toEqual([event, { type: 'resync' }]);
  });
});
