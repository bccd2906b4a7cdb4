/**
 * Progress on stderr: on a terminal (a fake TTY stream here) one live line rewritten in place, never
 * wider than the terminal, with lines that stay printed above it and nothing left behind when it stops;
 * in a pipe, plain lines only. A batch's board: the counts, the runs running with their time and
 * turns (none of a run's own figures when blind), the cost.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { runCli } from '../../src/main/cli/cli'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'
import type { Run } from '../../src/shared/runs'
import { analysisLine, clock, RunBoard, StatusLine, type Tty } from '../../src/main/cli/progress'

const CLEAR = '\r\x1b[2K'

/** A terminal that keeps what was written to it, and what a screen would show at the end. */
function fakeTty(columns = 60) {
  let written = ''
  const tty: Tty & { written(): string; screen(): string[] } = {
    columns: () => columns,
    write: (t) => void (written += t),
    written: () => written,
    // what is left on screen: each CLEAR wipes the line it is on
    screen: () => {
      const lines: string[] = ['']
      for (const part of written.split(/(\r\x1b\[2K|\n)/)) {
        if (part === CLEAR) lines[lines.length - 1] = ''
        else if (part === '\n') lines.push('')
        else lines[lines.length - 1] += part
      }
      return lines
    }
  }
  return tty
}

const run = (number: number, state: Run['state'], o: { turns?: number; cost?: number; startedAt?: string } = {}) => ({
  id: `r${number}`,
  number,
  state,
  startedAt: o.startedAt,
  progress: { turns: o.turns ?? 0, toolCalls: 0, tokens: 0, costUsd: o.cost ?? 0, elapsedMs: 0 }
})

describe('the live line', () => {
  it('on a terminal: drawn in place, lines that stay go above it, gone when it stops', () => {
    vi.useFakeTimers()
    onTestFinished(() => void vi.useRealTimers())
    const tty = fakeTty(60)
    const status = new StatusLine({ out: (t) => tty.write(`${t}\n`), err: (t) => tty.write(`${t}\n`) }, tty)
    let n = 0
    const live = status.start(() => `working: ${n} done`)
    expect(tty.written()).toBe(`${CLEAR}working: 0 done`)
    n = 1
    status.err('Run 1: done')
    // the live line is taken away, the line printed, the live line drawn again under it
    expect(tty.written()).toBe(`${CLEAR}working: 0 done${CLEAR}Run 1: done\n${CLEAR}working: 1 done`)
    n = 2
    live.changed()
    live.changed()
    expect(tty.written()).not.toContain('working: 2 done')
    vi.advanceTimersByTime(150)
    // two changes in a moment: one redraw
    expect(tty.written().split('working: 2 done')).toHaveLength(2)
    // and the clock moves with nothing else changing
    vi.advanceTimersByTime(1000)
    expect(tty.written().split('working: 2 done')).toHaveLength(3)
    live.stop()
    vi.advanceTimersByTime(5000)
    expect(tty.written().split('working: 2 done')).toHaveLength(3)
    expect(tty.screen()).toEqual(['Run 1: done', ''])
    // after it stops, lines are plain
    status.err('after')
    expect(tty.screen()).toEqual(['Run 1: done', 'after', ''])
  })

  it('never wider than the terminal, and inert', () => {
    const tty = fakeTty(30)
    const status = new StatusLine({ out: () => {}, err: () => {} }, tty)
    const live = status.start(() => `a very long line that goes on \x1b]0;title\x07 and on and on`)
    const drawn = tty.written().slice(CLEAR.length)
    expect(drawn.length).toBeLessThanOrEqual(29)
    expect(drawn).not.toContain('\x07')
    live.stop()
  })

  it('not on a terminal: no live line and no escape, only the lines printed', () => {
    let err = ''
    const status = new StatusLine({ out: () => {}, err: (t) => void (err += `${t}\n`) })
    const live = status.start(() => 'never shown')
    live.changed()
    status.err('Run 1: done')
    live.stop()
    expect(err).toBe('Run 1: done\n')
  })
})

describe("a batch's board", () => {
  it('counts the runs, names the ones running with their time and turns, and sums the cost', () => {
    let now = Date.parse('2026-01-01T00:01:00Z')
    const board = new RunBoard(false, () => now)
    for (const n of [1, 2, 3, 4]) board.seed(run(n, 'queued'))
    expect(board.update(run(1, 'running', { startedAt: '2026-01-01T00:00:48Z', turns: 3, cost: 0.01 }))).toBe(false)
    expect(board.update(run(2, 'running', { startedAt: '2026-01-01T00:00:58Z', turns: 1 }))).toBe(false)
    expect(board.line()).toMatch(
      /^runs: 0 of 4 finished, 2 running, 2 queued; \$0\.0100 \| running: Run 1 0:12, 3 turns; Run 2 0:02, 1 turn \| /
    )
    // a run that ends: a line to print, once
    expect(board.update(run(1, 'done', { cost: 0.25 }))).toBe(true)
    expect(board.update(run(1, 'done', { cost: 0.25 }))).toBe(false)
    expect(board.finished(run(1, 'done'))).toBe('Run 1: done [1 of 4 finished, 1 running, 2 queued; $0.2500]')
    now += 60_000
    expect(board.update({ ...run(2, 'failed', { cost: 0.5 }), reason: 'exit 1\nRun 9: good - x' })).toBe(true)
    expect(board.finished({ ...run(2, 'failed'), reason: 'exit 1\nRun 9: good - x' })).toBe(
      'Run 2: failed (exit 1 Run 9: good - x) [2 of 4 finished (1 failed), 2 queued; $0.7500]'
    )
  })

  it("blind: no run's own figures, and no cost that would tell them as it moves", () => {
    const board = new RunBoard(true)
    board.seed(run(1, 'queued'))
    board.update(run(2, 'running', { startedAt: new Date().toISOString(), turns: 7, cost: 0.3 }))
    expect(board.line()).toMatch(/^runs: 0 of 2 finished, 1 running, 1 queued \| running: Run 2 \| \d+:\d\d$/)
    board.update(run(2, 'done', { cost: 0.4 }))
    expect(board.finished(run(2, 'done'))).toBe('Run 2: done [1 of 2 finished, 1 queued]')
  })

  it('an analysis: each analyst, the merge, the cost, the time', () => {
    const began = Date.parse('2026-01-01T00:00:00Z')
    const usage = (n: number) => ({ input: n, output: 0, cacheRead: 0, cacheCreation: 0 })
    const a = {
      state: 'analysing',
      preparing: undefined,
      merge: { state: 'waiting', costUsd: 0 },
      analysts: [
        { kind: 'error', state: 'streaming', usage: usage(12345), costUsd: 0.05 },
        { kind: 'success', state: 'waiting', usage: usage(0), costUsd: 0 },
        { kind: 'structure', state: 'done', usage: usage(1000), costUsd: 0.01, chunks: 4, chunksDone: 4 },
        { kind: 'edge', state: 'queued', usage: usage(0), costUsd: 0 }
      ]
    } as unknown as Parameters<typeof analysisLine>[0]
    expect(analysisLine(a, began, began + 75_000)).toBe(
      'analysts: 1 of 4 done, 1 streaming, 1 waiting, 1 queued | 13.3k tokens, $0.0600 | groups: 4 of 4 done | 1:15 | error streaming, success waiting, structure done, edge queued'
    )
    expect(analysisLine(null, began, began + 1000)).toBe('starting the analysis | 0:01')
    expect(clock(3_725_000)).toBe('1:02:05')
  })
})

describe('run on a terminal', () => {
  let server: ModelServer
  afterAll(async () => {
    await server?.close()
  })

  it('keeps a live line of the batch under the lines of the runs that finish, and leaves none behind', async () => {
    server = await startModelServer(scenarioScript())
    const dir = await mkdtemp(join(tmpdir(), 't2s-cli-tty-'))
    await writeFile(join(dir, 'task.txt'), 'Build a landing page.')
    await writeFile(join(dir, 'v.txt'), `1. ${prompt('write-file', 'one')}\n2. ${prompt('write-file', 'two')}\n`)
    const tty = fakeTty(120)
    let stdout = ''
    const code = await runCli(
      ['run', '--task', join(dir, 'task.txt'), '--variations', join(dir, 'v.txt'), '--claude', CLAUDE_BIN, '--preset', 'accept-edits'],
      {
        out: (t) => void (stdout += `${t}\n`),
        err: (t) => tty.write(`${t}\n`),
        tty,
        env: { ...claudeEnv(join(dir, 'claude'), server.url), TRACE2SKILL_DATA_DIR: join(dir, 'data'), CHROMIUM_PATH: join(dir, 'none') }
      }
    )
    expect(code, tty.screen().join('\n')).toBe(0)
    const drawn = tty
      .written()
      .split(/\r\x1b\[2K|\n/)
      .filter((l) => l.startsWith('runs: '))
    expect(drawn.length).toBeGreaterThan(0)
    for (const l of drawn)
      expect(l).toMatch(/^runs: \d of 2 finished.*; \$\d+\.\d{4}( \| running: (Run \d \d+:\d\d, \d+ turns?(; )?)+)? \| \d+:\d\d$/)
    expect(drawn.some((l) => /running: Run \d /.test(l))).toBe(true)
    const screen = tty.screen()
    expect(screen[screen.length - 1]).toBe('')
    expect(screen.filter((l) => l.startsWith('runs: '))).toEqual([])
    expect(screen).toContainEqual(expect.stringMatching(/^Run \d: done \[2 of 2 finished; \$\d+\.\d{4}\]$/))
    expect(stdout).toMatch(/^Run 1: done /m)
  }, 120_000)
})
