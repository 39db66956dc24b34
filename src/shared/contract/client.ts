import type { Channel, RequestOf, ResponseOf } from './channels.js';
import type { EventOf, EventType } from './events.js';
import type { Result } from './result.js';

/**
 * The transport the renderer talks through. Electron's preload and the loopback
 * HTTP/SSE bridge both implement exactly this, so the UI does not know which it has.
 * `invoke` never rejects: transport failures come back as `{ok:false}`.
 */
export interface ContractClient {
  invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Returns the unsubscribe function. */
  on<E extends EventType>(type: E, listener: (event: EventOf<E>) => void): () => void;
}
