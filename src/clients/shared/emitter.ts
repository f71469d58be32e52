/**
 * A tiny typed event emitter with no node: imports, so the client model runs in the
 * browser too. Listeners run synchronously in registration order; a throwing listener
 * does not stop the others (the error is rethrown asynchronously).
 */
export type EventMap = Record<string, unknown[]>;

type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<AnyListener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = fn as unknown as AnyListener;
    set.add(l);
    return () => set.delete(l);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
