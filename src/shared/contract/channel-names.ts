/**
 * The contract's channel names as plain strings, without the zod schemas: Electron's sandboxed
 * preload is bundled from this and must stay small and free of libraries. The compiler keeps this
 * list equal to the keys of `channels` (below; a type import, so the preload bundle gets no zod),
 * and a unit test checks the order and that no name is listed twice.
 */
import type { Channel } from './channels.js';

export const CHANNEL_NAMES = [
  'runners.list',
  'runners.parseCommand',
  'runners.add',
  'runners.create',
  'runners.start',
  'runners.stop',
  'runners.remove',
  'runners.logs.subscribe',
  'runners.logs.unsubscribe',
  'steps.list',
  'steps.queued',
  'host.preflight',
  'host.status',
  'host.useVault',
  'settings.get',
  'settings.update',
  'bitbucket.connect',
  'bitbucket.disconnect',
  'clipboard.peek',
  'clipboard.read',
  'imports.list',
  'imports.run',
  'pools.list',
  'pools.add',
  'pools.edit',
  'pools.remove',
  'kubernetes.contexts',
  'kubernetes.preview',
  'kubernetes.reveal',
  'kubernetes.move',
  'kubernetes.bringBack',
] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** `tsc` fails on these, naming the channel, when the list and the contract differ. */
type NoneLeft<Names extends never> = Names;
export type ContractChannelsMissingFromThisList = NoneLeft<Exclude<Channel, ChannelName>>;
export type ListedChannelsMissingFromTheContract = NoneLeft<Exclude<ChannelName, Channel>>;

/** The one IPC channel that carries pushed contract events from main to the window. */
export const IPC_EVENT_CHANNEL = 'runner-tray:event';
