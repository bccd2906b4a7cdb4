/**
 * Progress comes fast (every streamed token, every indexed file); screens and files need only some of
 * it. A coalescer passes the first value at once, then at most one every `ms`: values that arrive in
 * between replace each other, and the last one goes out when its time comes. The final state of a piece
 * of work is never left to it: `cancel()` (or `flush()`) first, then write the final state at once.
 */
export class Coalescer<T> {
  private last = -Infinity
  private timer: ReturnType<typeof setTimeout> | null = null
  private pending: { value: T } | null = null

  constructor(
    private readonly ms: number,
    private readonly send: (value: T) => void
  ) {}

  push(value: T): void {
    const wait = this.last + this.ms - Date.now()
    if (wait <= 0 && !this.timer) return this.emit(value)
    this.pending = { value }
    this.timer ??= setTimeout(
      () => {
        this.timer = null
        const p = this.pending
        this.pending = null
        if (p) this.emit(p.value)
      },
      Math.max(0, wait)
    )
  }

  /** Send what is waiting now. */
  flush(): void {
    const p = this.pending
    this.cancel()
    if (p) this.emit(p.value)
  }

  /** Drop what is waiting (the final state follows). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.pending = null
  }

  private emit(value: T) {
    this.last = Date.now()
    try {
      this.send(value)
    } catch {
      /* a failing listener must not stop the work */
    }
  }
}
