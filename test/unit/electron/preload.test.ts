import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StandInContextBridge, StandInIpcRenderer } from '../../support/electron-standin.js';

const standIn = vi.hoisted(() => ({ electron: null as unknown as { contextBridge: unknown; ipcRenderer: unknown } }));
vi.mock('electron', async () => {
  const { StandInContextBridge, StandInIpcRenderer } = await import('../../support/electron-standin.js');
  standIn.electron = { contextBridge: new StandInContextBridge(), ipcRenderer: new StandInIpcRenderer() };
  return standIn.electron;
});

await import('../../../src/preload/index.js');
const { CHANNELS } = await import('../../../src/shared/contract/channels.js');
const { CHANNEL_NAMES, IPC_EVENT_CHANNEL } = await import('../../../src/shared/contract/channel-names.js');
type ContractClient = import('../../../src/shared/contract/client.js').ContractClient;

const bridge = standIn.electron.contextBridge as StandInContextBridge;
const ipc = standIn.electron.ipcRenderer as StandInIpcRenderer;
const exposed = bridge.exposed.get('runnerTray') as ContractClient;
const RUNNER = '{0a1b2c3d-1111-4222-8333-444455556666}';

describe('preload (with a stand-in electron module)', () => {
  it('exposes one frozen object named runnerTray with exactly invoke and on', () => {
    expect([...bridge.exposed.keys()]).toEqual(['runnerTray']);
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(exposed)).toBe(true);
    expect(JSON.stringify(Object.values(exposed).map((v) => typeof v))).toBe('["function","function"]');
  });

  it("its channel list is exactly the contract's", () => {
    expect([...CHANNEL_NAMES].sort()).toEqual([...CHANNELS].sort());
  });

  it("invokes a known channel over IPC and returns main's envelope", async () => {
    ipc.reply = () => ({ ok: true, value: [{ uuid: RUNNER }] });
    const r = await exposed.invoke('runners.list', {});
    expect(r).toEqual({ ok: true, value: [{ uuid: RUNNER }] });
    expect(ipc.invoked.at(-1)).toEqual({ channel: 'runners.list', payload: {} });
  });

  it('refuses an unknown channel without sending anything', async () => {
    const before = ipc.invoked.length;
    const r = await (exposed.invoke as (c: string, p: unknown) => Promise<unknown>)('shell.openExternal', { url: 'file:///etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(ipc.invoked.length).toBe(before);
  });

  it('never rejects: a failed IPC call comes back as ok:false', async () => {
    ipc.reply = () => {
      throw new Error("Error invoking remote method 'runners.list': Error: No handler registered for 'runners.list'");
    };
    const r = await exposed.invoke('runners.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('No handler registered') } });
  });

  it('delivers pushed events of the subscribed type, as plain data without the IPC event, until unsubscribed', () => {
    const seen: unknown[] = [];
    const off = exposed.on('runner.removed', (...args: unknown[]) => seen.push(args));
    expect(ipc.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    ipc.deliver(IPC_EVENT_CHANNEL, { type: 'runner.removed', runnerUuid: RUNNER });
    ipc.deliver(IPC_EVENT_CHANNEL, { type: 'resync' });
    expect(seen).toEqual([[{ type: 'runner.removed', runnerUuid: RUNNER }]]);
    off();
    expect(ipc.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
    ipc.deliver(IPC_EVENT_CHANNEL, { type: 'runner.removed', runnerUuid: RUNNER });
    expect(seen).toHaveLength(1);
  });

  it('refuses to subscribe to an unknown event type', () => {
    expect(() => (exposed.on as (t: string, l: () => void) => void)('ipc.raw', () => undefined)).toThrow(/unknown event type "ipc.raw"/);
  });
});

describe('the built preload bundle (dist/preload/index.cjs shape)', () => {
  const out = mkdtempSync(join(tmpdir(), 'preload-build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs where only require("electron") exists, as in a sandboxed preload, and carries no zod', async () => {
    const { build } = await import('vite');
    await build({
      configFile: fileURLToPath(new URL('../../../vite.preload.config.ts', import.meta.url)),
      logLevel: 'silent',
      build: { outDir: out, emptyOutDir: true },
    });
    const code = readFileSync(join(out, 'index.cjs'), 'utf8');
    // zod's own code (its comment in channel-names.ts may name it).
    expect(code).not.toMatch(/ZodError|\$Zod|safeParse/);
    expect(code.length).toBeLessThan(20_000);

    const required: string[] = [];
    const sandboxBridge = new StandInContextBridge();
    const sandboxIpc = new StandInIpcRenderer();
    const module = { exports: {} };
    const sandbox = {
      module,
      exports: module.exports,
      console,
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`module not found: ${name}`);
        return { contextBridge: sandboxBridge, ipcRenderer: sandboxIpc };
      },
    };
    vm.runInNewContext(code, sandbox);
    expect(required).toEqual(['electron']);
    const api = sandboxBridge.exposed.get('runnerTray') as ContractClient;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    sandboxIpc.reply = () => ({ ok: true, value: 'pong' });
    expect(await api.invoke('settings.get', {})).toEqual({ ok: true, value: 'pong' });
  });
});
