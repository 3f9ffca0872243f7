/**
 * A minimal typed event emitter: `on` returns its own unsubscribe, and a listener that throws
 * is reported to `onListenerError` instead of breaking the emitter's caller.
 */
export interface TypedEmitter<Events extends object> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
  listenerCount(): number;
}

export function createTypedEmitter<Events extends object>(
  onListenerError: (error: unknown) => void,
): TypedEmitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const registered = set;
      registered.add(listener);
      return () => {
        registered.delete(listener);
      };
    },
    emit<K extends keyof Events>(event: K, payload: Events[K]) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          // Registration went through `on`, which typed the listener for this event.
          (listener as (value: Events[K]) => void)(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    listenerCount() {
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return count;
    },
  };
}
