/**
 * Save-as-you-type: one request in flight per key, and only the latest value is sent after it, so
 * answers can never arrive out of order and the last thing typed is what is stored.
 */
export function createSaver<T>(
  send: (key: string, value: T) => Promise<unknown>,
  onState?: (key: string, state: 'saving' | 'saved' | 'error', error?: string) => void
) {
  const inflight = new Map<string, Promise<void>>()
  const pending = new Map<string, T>()
  const pump = (key: string): Promise<void> => {
    if (inflight.has(key)) return inflight.get(key)!
    if (!pending.has(key)) return Promise.resolve()
    const value = pending.get(key) as T
    pending.delete(key)
    onState?.(key, 'saving')
    const p = send(key, value).then(
      () => {
        if (!pending.has(key)) onState?.(key, 'saved')
      },
      (e: Error) => onState?.(key, 'error', e.message)
    )
    const done = p.finally(() => {
      inflight.delete(key)
      void pump(key)
    })
    inflight.set(key, done)
    return done
  }
  return {
    save(key: string, value: T) {
      pending.set(key, value)
      return pump(key)
    },
    /** resolves when everything typed so far is stored */
    async flush() {
      while (inflight.size || pending.size) {
        for (const k of [...pending.keys()]) void pump(k)
        await Promise.all([...inflight.values()])
      }
    }
  }
}
