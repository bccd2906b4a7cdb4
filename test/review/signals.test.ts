import { describe, expect, it } from 'vitest'
import { batchSignals, errorKind, fisherGreater, runFeatures } from '../../src/main/analysts/signals'

const m = (tools: string[], errors: [tool: string, kind: string][] = []) => ({
  tools,
  errors: errors.map(([tool, kind], index) => ({ index, tool, kind, text: '', line: 1 }))
})

describe('error kinds', () => {
  it('names the errors Claude Code and shells report', () => {
    expect(errorKind('<tool_use_error>File does not exist.</tool_use_error>')).toBe('file-not-found')
    expect(errorKind("ls: cannot access '/no/such/dir': No such file or directory")).toBe('file-not-found')
    expect(errorKind('<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>')).toBe(
      'not-read-first'
    )
    expect(errorKind('<tool_use_error>String to replace not found in file.\nString: foo</tool_use_error>')).toBe('edit-no-match')
    expect(errorKind('Found 3 matches of the string to replace, but replace_all is false.')).toBe('edit-ambiguous')
    expect(errorKind("Claude requested permissions to use Bash, but you haven't granted it yet.")).toBe('permission-denied')
    expect(errorKind('Exit code 3\nbuilding')).toBe('exit-code')
    expect(errorKind('/bin/bash: line 1: pnpm: command not found')).toBe('command-not-found')
    expect(errorKind('Command timed out after 2m 0.0s')).toBe('timeout')
    expect(errorKind('SyntaxError: Unexpected token }')).toBe('syntax-error')
    expect(errorKind('something odd happened')).toBe('other')
  })
})

describe('Fisher exact test', () => {
  it('matches hand-computed tables', () => {
    // 4 of 4 bad runs, 0 of 6 good: only one table is as extreme; 1 / C(10,4)
    expect(fisherGreater(4, 0, 0, 6)).toBeCloseTo(1 / 210, 10)
    // 2 of 4 bad, 1 of 6 good: P(X>=2), X ~ hypergeometric(N=10, K=3, n=4) = (C(3,2)C(7,2)+C(3,3)C(7,1))/C(10,4) = (63+7)/210
    expect(fisherGreater(2, 1, 2, 5)).toBeCloseTo(70 / 210, 10)
    // no association at all: p = 1
    expect(fisherGreater(0, 0, 4, 6)).toBeCloseTo(1, 10)
  })
})

describe('signals on a constructed batch', () => {
  // Runs 1-4 are bad: each reads a file that is not there, then retries Bash three times.
  // Runs 5-10 are good: write, read back, done. Run 11 is ungraded and shares the bad pattern.
  const bad = [1, 2, 3, 4].map((number) => ({
    number,
    label: 'bad' as const,
    metrics: m(['Read', 'Bash', 'Bash', 'Bash', 'Write'], [['Read', 'file-not-found']])
  }))
  const good = [5, 6, 7, 8, 9, 10].map((number) => ({
    number,
    label: 'good' as const,
    metrics: m(number === 5 ? ['Write', 'Read', 'Bash'] : ['Write', 'Read'])
  }))
  const ungraded = { number: 11, label: null, metrics: m(['Read', 'Bash', 'Bash', 'Bash'], [['Read', 'file-not-found']]) }
  const result = batchSignals([...bad, ...good, ungraded])
  const by = (feature: string) => result.signals.find((s) => s.feature === feature)

  it('finds what only bad runs do, with their runs', () => {
    expect(result).toMatchObject({ good: 6, bad: 4, ungraded: 1 })
    for (const f of ['file-not-found', 'Read: file-not-found', 'Bash → Bash']) {
      expect(by(f), f).toMatchObject({ badRuns: [1, 2, 3, 4], goodRuns: [], badRate: 1, goodRate: 0 })
      expect(by(f)!.p).toBeCloseTo(1 / 210, 10)
    }
    expect(by('file-not-found')!.kind).toBe('error')
    expect(by('Bash → Bash')!.kind).toBe('sequence')
    // Bash shows in one good run too: still a signal, weaker
    expect(by('Bash')).toMatchObject({ kind: 'tool', badRuns: [1, 2, 3, 4], goodRuns: [5] })
    expect(by('Bash')!.p).toBeGreaterThan(by('Bash → Bash')!.p)
  })

  it('leaves out what good and bad runs share, and the ungraded run', () => {
    // Write and Read appear in every run
    expect(by('Write')).toBeUndefined()
    expect(by('Read')).toBeUndefined()
    expect(result.signals.every((s) => !s.badRuns.includes(11) && !s.goodRuns.includes(11))).toBe(true)
  })

  it('drops a longer sequence that shows in exactly the same runs as a shorter one', () => {
    // Read → Bash → Bash is in the same runs as Read → Bash: only the shorter is kept
    expect(by('Read → Bash')).toBeDefined()
    expect(by('Read → Bash → Bash')).toBeUndefined()
  })

  it('sorts the strongest first and needs two bad runs', () => {
    const ps = result.signals.map((s) => s.p)
    expect(ps).toEqual([...ps].sort((a, b) => a - b))
    const once = batchSignals([
      ...good,
      { number: 1, label: 'bad', metrics: m(['Grep']) },
      { number: 2, label: 'bad', metrics: m(['Glob']) }
    ])
    expect(once.signals.find((s) => s.feature === 'Grep')).toBeUndefined()
  })

  it('reports nothing when there are no bad runs', () => {
    expect(batchSignals(good).signals).toEqual([])
  })

  it('counts a feature once per run', () => {
    const f = runFeatures(
      m(
        ['Bash', 'Bash', 'Bash'],
        [
          ['Bash', 'exit-code'],
          ['Bash', 'exit-code']
        ]
      )
    )
    expect([...f.keys()].sort()).toEqual(['Bash', 'Bash → Bash', 'Bash → Bash → Bash', 'Bash: exit-code', 'exit-code'])
  })
})
