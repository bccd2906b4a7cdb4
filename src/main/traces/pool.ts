import PQueue from 'p-queue'

/** Run `fn` over items with at most `n` in flight; stops taking new items once `signal` aborts. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const queue = new PQueue({ concurrency: Math.max(1, n) })
  await Promise.all(items.map((item) => queue.add(async () => (signal?.aborted ? undefined : fn(item)))))
}
