/**
 * Progress on long work (run, verify and resume, analyze). On a terminal, one live line at the foot of
 * stderr, rewritten in place (counts, what is running, the cost so far, the time), with what happens
 * (a run done, an analyst failed) printed above it as lines that stay. Anywhere else (a pipe, a log, CI)
 * only those lines, each carrying the counts, so a log reads as well as the screen.
 */
import type { Analysis, AnalystStatusInfo } from '../../shared/analysis'
import type { Run } from '../../shared/runs'
import { inline } from './inert'

/** stderr when it is a terminal: its width and a raw write (no newline added). */
export interface Tty {
  columns(): number
  write(text: string): void
}

/** Clear the line the cursor is on and go to its start. */
const CLEAR = '\r\x1b[2K'
/** Redraws wait this long at least (a batch's progress comes many times a second). */
const THROTTLE_MS = 100

/**
 * The foot of stderr. `err` and `out` print lines that stay (the live line is taken away and drawn
 * again under them); `live` starts a live line drawn from `render` until the returned stop is called.
 */
export class StatusLine {
  private render: (() => string) | null = null
  private shown = false
  private pending: NodeJS.Timeout | null = null
  private ticker: NodeJS.Timeout | null = null

  constructor(
    private readonly raw: { out(text: string): void; err(text: string): void },
    private readonly tty?: Tty
  ) {}

  get live(): boolean {
    return !!this.tty
  }

  err(text: string) {
    this.around(() => this.raw.err(text))
  }
  out(text: string) {
    this.around(() => this.raw.out(text))
  }

  /** Show `render`'s line (a terminal only) until the returned function is called; `changed` redraws it soon. */
  start(render: () => string): { changed(): void; stop(): void } {
    if (!this.tty) return { changed: () => {}, stop: () => {} }
    this.render = render
    this.draw()
    // the clock on the line moves even when nothing else does
    this.ticker = setInterval(() => this.draw(), 1000)
    this.ticker.unref?.()
    return {
      changed: () => {
        if (this.pending || !this.render) return
        this.pending = setTimeout(() => {
          this.pending = null
          this.draw()
        }, THROTTLE_MS)
        this.pending.unref?.()
      },
      stop: () => {
        if (this.render !== render) return
        if (this.pending) clearTimeout(this.pending)
        if (this.ticker) clearInterval(this.ticker)
        this.pending = this.ticker = null
        this.clear()
        this.render = null
      }
    }
  }

  private around(print: () => void) {
    this.clear()
    print()
    if (this.render) this.draw()
  }
  private clear() {
    if (this.shown) this.tty!.write(CLEAR)
    this.shown = false
  }
  private draw() {
    if (!this.tty || !this.render) return
    // never wider than the terminal: a line that wraps cannot be rewritten in place
    const width = Math.max(20, (this.tty.columns() || 80) - 1)
    const line = inline(this.render(), width)
    this.tty.write(`${CLEAR}${line}`)
    this.shown = true
  }
}

/** "0:07", "12:04", "1:02:09" */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const two = (n: number) => String(n).padStart(2, '0')
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`
}
const money = (usd: number) => `$${usd.toFixed(usd >= 1 ? 2 : 4)}`

const FINISHED: Run['state'][] = ['done', 'failed', 'cancelled', 'interrupted']

/**
 * A batch's runs as their progress events tell them: the counts, the runs running, the cost. `blind`
 * (a verification's runs, graded blind): no run's own figures, only the whole batch's.
 */
export class RunBoard {
  private readonly runs = new Map<string, Pick<Run, 'id' | 'number' | 'state' | 'startedAt' | 'progress' | 'reason'>>()
  private readonly began = Date.now()

  constructor(
    private readonly blind = false,
    private readonly now: () => number = Date.now
  ) {}

  /** A run as it is now; true when it has just finished (a line to print). */
  update(run: Pick<Run, 'id' | 'number' | 'state' | 'startedAt' | 'progress' | 'reason'>): boolean {
    const was = this.runs.get(run.id)?.state
    // a copy: the core may hand out its own records, which change in place
    this.runs.set(run.id, { ...run, progress: { ...run.progress } })
    return FINISHED.includes(run.state) && was !== run.state
  }

  /** A run known from elsewhere (the batch as read), unless an event already told it. */
  seed(run: Pick<Run, 'id' | 'number' | 'state' | 'startedAt' | 'progress' | 'reason'>) {
    if (!this.runs.has(run.id)) this.runs.set(run.id, { ...run, progress: { ...run.progress } })
  }

  get size() {
    return this.runs.size
  }

  private count() {
    const all = [...this.runs.values()]
    const n = (s: Run['state']) => all.filter((r) => r.state === s).length
    return {
      total: all.length,
      finished: all.filter((r) => FINISHED.includes(r.state)).length,
      failed: n('failed'),
      cancelled: n('cancelled') + n('interrupted'),
      running: all.filter((r) => r.state === 'running').sort((a, b) => a.number - b.number),
      queued: n('queued'),
      costUsd: all.reduce((x, r) => x + (r.progress?.costUsd ?? 0), 0)
    }
  }

  /** "3 of 20 finished (1 failed), 2 running, 15 queued; $0.4213" (blind: no cost, which would tell a run's own as it moves) */
  counts(): string {
    const c = this.count()
    const bad = [c.failed ? `${c.failed} failed` : '', c.cancelled ? `${c.cancelled} cancelled` : ''].filter(Boolean).join(', ')
    return [
      `${c.finished} of ${c.total} finished${bad ? ` (${bad})` : ''}`,
      c.running.length ? `${c.running.length} running` : '',
      c.queued ? `${c.queued} queued` : ''
    ]
      .filter(Boolean)
      .join(', ')
      .concat(this.blind ? '' : `; ${money(c.costUsd)}`)
  }

  /** The line printed when a run finishes: "Run 3: done (3 of 20 finished, 2 running, 15 queued; $0.4213)". */
  finished(run: Pick<Run, 'number' | 'state' | 'reason'>): string {
    return `Run ${run.number}: ${run.state}${run.reason ? ` (${inline(run.reason, 300)})` : ''} [${this.counts()}]`
  }

  /** The live line: the counts, each run running (its time and turns, unless blind), the time so far. */
  line(): string {
    const c = this.count()
    const now = this.now()
    const each = c.running
      .map((r) =>
        this.blind
          ? `Run ${r.number}`
          : `Run ${r.number} ${clock(r.startedAt ? now - Date.parse(r.startedAt) : 0)}, ${r.progress?.turns ?? 0} turn${r.progress?.turns === 1 ? '' : 's'}`
      )
      .join('; ')
    return `runs: ${this.counts()}${each ? ` | running: ${each}` : ''} | ${clock(now - this.began)}`
  }
}

const tokensOf = (a: AnalystStatusInfo) => a.usage.input + a.usage.output + a.usage.cacheRead + a.usage.cacheCreation

/** "12.3k" */
const short = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n))

/**
 * An analysis's live line: how many analysts are done and what the others do, the tokens and cost so
 * far, the groups (runs analysed in groups), the time; then each analyst's state (cut first when narrow).
 */
export function analysisLine(a: Analysis | null, began: number, now = Date.now()): string {
  if (!a) return `starting the analysis | ${clock(now - began)}`
  if (a.preparing) return `${inline(a.preparing, 200)} | ${clock(now - began)}`
  const cost = a.analysts.reduce((n, x) => n + x.costUsd, 0) + a.merge.costUsd + (a.support?.costUsd ?? 0)
  const tokens = a.analysts.reduce((n, x) => n + tokensOf(x), 0)
  const by = (s: AnalystStatusInfo['state']) => a.analysts.filter((x) => x.state === s).length
  const states = (['streaming', 'waiting', 'queued', 'failed', 'cancelled'] as const).filter((s) => by(s)).map((s) => `${by(s)} ${s}`)
  const chunked = a.analysts.filter((x) => x.chunks && x.chunks > 1)
  const groups = chunked.length
    ? ` | groups: ${chunked.reduce((n, x) => n + (x.chunksDone ?? 0), 0)} of ${chunked.reduce((n, x) => n + (x.chunks ?? 0), 0)} done`
    : ''
  const head =
    a.support?.state === 'running'
      ? `checking support: ${a.support.checked} of ${a.support.runs} cited runs`
      : a.state === 'merging' || a.merge.state === 'running'
        ? 'merging the rules'
        : `analysts: ${by('done')} of ${a.analysts.length} done${states.length ? `, ${states.join(', ')}` : ''}`
  return `${head} | ${short(tokens)} tokens, ${money(cost)}${groups} | ${clock(now - began)} | ${a.analysts.map((x) => `${x.kind} ${x.state}`).join(', ')}`
}
