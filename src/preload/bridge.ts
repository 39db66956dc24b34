/**
 * The object the preload hands to the page. The page gets functions that take plain data and
 * return plain data: never `ipcRenderer`, never the IPC event (its `sender` is ipcRenderer
 * itself), never `process`.
 */
import { CHANNEL_NAMES, IPC_EVENT_CHANNEL } from '../shared/contract/channel-names.js';
import type { ContractClient } from '../shared/contract/client.js';
import { EVENT_TYPES, type ContractEvent } from '../shared/contract/events.js';
import type { Result } from '../shared/contract/result.js';

type Listener = (event: ContractEvent) => void;

/**
 * The part of Electron's `ipcRenderer` the bridge uses, written out structurally so this file
 * compiles in the web layer (tsconfig.web.json): electron.d.ts pulls in Node's types.
 * `ipcRenderer` satisfies it, as src/preload/index.ts checks.
 */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const KNOWN_CHANNELS: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_TYPES);

export function expose(ipc: BridgeIpc): ContractClient {
  const listeners = new Map<string, Set<Listener>>();
  let attached = false;

  // One IPC listener for all subscribers, attached while anyone listens.
  const onIpc = (_event: unknown, payload: unknown) => {
    const type = (payload as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') return;
    for (const fn of [...(listeners.get(type) ?? [])]) {
      try {
        fn(payload as ContractEvent);
      } catch (e) {
        // A throwing view must not stop the others from updating.
        console.error(e);
      }
    }
  };

  const invoke = async (channel: string, payload: unknown): Promise<Result<unknown>> => {
    if (typeof channel !== 'string' || !KNOWN_CHANNELS.has(channel)) {
      return {
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `No channel "${String(channel).slice(0, 60)}"; channels are ${CHANNEL_NAMES.join(', ')}.` },
      };
    }
    try {
      return (await ipc.invoke(channel, payload ?? {})) as Result<unknown>;
    } catch (e) {
      // Electron rejects when main has no handler or the payload cannot be cloned; invoke never rejects.
      const message = e instanceof Error ? e.message.replace(/^Error invoking remote method '[^']*': /, '') : String(e);
      return {
        ok: false,
        error: { code: 'INTERNAL', message: `The app could not carry this request (${message.slice(0, 200)}). Restart Runner Tray if it keeps happening.` },
      };
    }
  };

  const on = (type: string, listener: Listener): (() => void) => {
    if (typeof type !== 'string' || !KNOWN_EVENTS.has(type))
      throw new TypeError(`runnerTray.on: unknown event type "${String(type).slice(0, 60)}"; known: ${EVENT_TYPES.join(', ')}.`);
    if (typeof listener !== 'function') throw new TypeError('runnerTray.on: the listener must be a function.');
    let set = listeners.get(type);
    if (!set) listeners.set(type, (set = new Set()));
    set.add(listener);
    if (!attached) {
      ipc.on(IPC_EVENT_CHANNEL, onIpc);
      attached = true;
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(type);
      if (listeners.size === 0 && attached) {
        ipc.removeListener(IPC_EVENT_CHANNEL, onIpc);
        attached = false;
      }
    };
  };

  return Object.freeze({ invoke, on }) as ContractClient;
}
