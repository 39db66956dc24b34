import type { ContainerState } from '../../shared/contract/views.js';

/** What the runner service reports while it works; the API layer forwards these to the UI. */
export type RunnerEvent =
  | { type: 'pull-progress'; runnerUuid: string; image: string; status: string; layer?: string; current?: number; total?: number }
  | { type: 'image-check'; image: string; result: 'up-to-date' | 'newer-available' | 'failed'; message?: string }
  | {
      type: 'state';
      runnerUuid: string;
      action: 'added' | 'created' | 'started' | 'stopped' | 'removed' | 'adopted' | 'replaced' | 'recreated' | 'reconciled';
      containerState: ContainerState;
      /** Why, when not obvious (e.g. `secret changed` for a recreate). Never a secret. */
      reason?: string;
    };

type Listener<E> = (event: E) => void;

/** A small typed in-process emitter: one listener failing never stops the others or the service. */
export class TypedEmitter<E extends { type: string }> {
  readonly #listeners = new Map<string, Set<Listener<E>>>();

  on<T extends E['type']>(type: T | '*', fn: Listener<Extract<E, { type: T }>>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(fn as Listener<E>);
    return () => set.delete(fn as Listener<E>);
  }

  emit(event: E): void {
    for (const key of [event.type, '*']) {
      for (const fn of this.#listeners.get(key) ?? []) {
        try {
          fn(event);
        } catch {
          /* a listener's bug is not the service's failure */
        }
      }
    }
  }
}
