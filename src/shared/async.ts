/**
 * Small helpers for promises, shared by the main process (Electron-free) and anything else.
 */

/** Thrown when a step did not finish within its time. */
export class DeadlineError extends Error {}

/** `p`, or a rejection with `Err` ("<what> did not finish in time") after `ms`; the timer is cleared either way. */
export const withTimeout = <T>(p: Promise<T>, ms: number, what: string, Err: new (m: string) => Error = Error): Promise<T> =>
  new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Err(`${what} did not finish in time`)), Math.max(0, ms))
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e))
    )
  })
