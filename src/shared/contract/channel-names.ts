/**
 * The contract's channel names as plain strings, without the zod schemas: Electron's sandboxed
 * preload is bundled from this and must stay small and free of libraries. A unit test keeps this
 * list equal to the keys of `channels`.
 */
export const CHANNEL_NAMES = [
  'runners.list',
  'runners.parseCommand',
  'runners.add',
  'runners.start',
  'runners.stop',
  'runners.remove',
  'runners.logs.subscribe',
  'runners.logs.unsubscribe',
  'steps.list',
  'steps.queued',
  'host.preflight',
  'settings.get',
  'settings.update',
  'bitbucket.connect',
  'bitbucket.disconnect',
  'clipboard.peek',
  'clipboard.read',
] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The one IPC channel that carries pushed contract events from main to the window. */
export const IPC_EVENT_CHANNEL = 'runner-tray:event';
