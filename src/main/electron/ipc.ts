/**
 * The only place that calls `ipcMain.handle`: one handler per contract channel, all the same.
 * Each checks that the request comes from our own window's top frame on app://, then hands the
 * payload to `api.dispatch`, which validates it with the channel's schema, runs it, logs one
 * redacted line and returns the result envelope. Pushed events go to the window on one channel.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNEL_NAMES, IPC_EVENT_CHANNEL } from '../../shared/contract/channel-names.js';
import type { ContractEvent } from '../../shared/contract/events.js';
import { fail, type Result } from '../../shared/contract/result.js';
import type { Dispatch } from '../api/dispatch.js';
import { isOwnPage } from './security.js';

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatch: Dispatch;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent: (listener: (event: ContractEvent) => void) => () => void;
  /** Our window's webContents, or null while there is no window. */
  contents: () => WebContents | null;
  log?: (line: string) => void;
}

export interface IpcRegistration {
  /**
   * Pushes events to the window while it is shown. A hidden window is nobody looking: without
   * its listener the services stop polling Bitbucket and close stats streams. On showing again
   * the page gets `resync`, since it missed events meanwhile.
   */
  setVisible(visible: boolean): void;
  /** Removes every handler and the event listener. */
  dispose(): void;
}

export function registerIpc(deps: IpcDeps): IpcRegistration {
  const log = deps.log ?? (() => undefined);

  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const own = deps.contents();
    const frame = event.senderFrame;
    // Same webContents is not enough: an iframe inside it could send too.
    return own !== null && !own.isDestroyed() && event.sender === own && frame !== null && frame.parent === null && isOwnPage(frame.url);
  };

  for (const channel of CHANNEL_NAMES) {
    deps.ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!trusted(event)) {
        log(`${channel} UNAUTHORIZED: refused a request from another page or frame`);
        return fail('UNAUTHORIZED', 'Runner Tray answers only its own window.');
      }
      return deps.dispatch(channel, payload);
    });
  }

  const send = (event: ContractEvent) => {
    const contents = deps.contents();
    if (contents === null || contents.isDestroyed()) return;
    contents.send(IPC_EVENT_CHANNEL, event);
  };
  let off: (() => void) | null = null;
  let everShown = false;

  return {
    setVisible(visible) {
      if (visible && off === null) {
        off = deps.onEvent(send);
        if (everShown) send({ type: 'resync' });
        everShown = true;
      } else if (!visible && off !== null) {
        off();
        off = null;
      }
    },
    dispose() {
      off?.();
      off = null;
      for (const channel of CHANNEL_NAMES) deps.ipcMain.removeHandler(channel);
    },
  };
}
