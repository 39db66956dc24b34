/**
 * The real loopback bridge (`startHttpBridge`, as `runner-tray serve` runs it) over the stand-in
 * service: the built renderer is driven in real Chromium through the same HTTP/SSE code the
 * dashboard ships. Only `dispatch` is a stand-in: the real request schemas, then the stand-in's
 * handlers, answering the real result envelope.
 */
import { randomBytes } from 'node:crypto';
import { startHttpBridge } from '../../src/main/http-bridge/server.js';
import { fail, ok, validateRequest, type Channel, type ContractEvent, type Result } from '../../src/shared/contract/index.js';
import { StandInFailure, type StandInService } from './stand-in-service.js';

export interface RendererBridge {
  url: string;
  /** The page URL with `#token=…`. */
  pageUrl: string;
  token: string;
  /** Every body the bridge sent (replies and events), for leak checks. */
  sent: string[];
  /** Channels called, in order, for tests that count requests. */
  calls: string[];
  /** Event streams open now. */
  readonly streamCount: number;
  close(): Promise<void>;
}

export async function startRendererBridge(service: StandInService, staticRoot: string): Promise<RendererBridge> {
  const token = randomBytes(24).toString('base64url');
  const sent: string[] = [];
  const calls: string[] = [];
  const bridge = await startHttpBridge({
    token,
    staticRoot,
    dispatch: async (channel, payload) => {
      calls.push(channel);
      const valid = validateRequest(channel, payload);
      let result: Result<unknown>;
      if (!valid.ok) result = valid;
      else {
        try {
          const handler = service.handlers[channel as Channel] as (r: unknown) => Promise<unknown>;
          result = ok(await handler(valid.value));
        } catch (e) {
          result = e instanceof StandInFailure ? fail(e.code, e.message) : fail('INTERNAL', 'The stand-in service failed.');
        }
      }
      sent.push(JSON.stringify(result));
      return result;
    },
    onEvent: (listener) => {
      const forward = (event: ContractEvent) => {
        sent.push(JSON.stringify(event));
        listener(event);
      };
      service.events.on('event', forward);
      return () => service.events.off('event', forward);
    },
  });
  return {
    url: `http://127.0.0.1:${bridge.port}`,
    pageUrl: bridge.pageUrl,
    token,
    sent,
    calls,
    get streamCount() {
      return bridge.streamCount;
    },
    close: () => bridge.close(),
  };
}
