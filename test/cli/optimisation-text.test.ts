/** The optimize command's table: per round recall and false triggers on both splits, its description, the pick and why. */
import { describe, expect, it } from 'vitest'
import { optimisationText, roundLine } from '../../src/main/cli/optimisation'
import { scoresOf, type Optimisation, type Round } from '../../src/shared/triggers'

const d = (loaded: boolean) => ({ kind: loaded ? ('loaded' as const) : ('answer' as const), turns: 1, tokens: 0, usd: 0, ms: 0 })
const scores = (should: boolean[], not: boolean[]) =>
  scoresOf([...should.map((l) => ({ should: true, decisions: [d(l)] })), ...not.map((l) => ({ should: false, decisions: [d(l)] }))])
const round = (n: number, description: string, train: ReturnType<typeof scores>, test: ReturnType<typeof scores>): Round => ({
  round: n,
  description,
  train,
  test,
  usd: 0.05 * (n + 1)
})

const o: Optimisation = {
  id: 'opt-1',
  skillId: 'sk1',
  versionId: 'v1',
  version: 1,
  seed: 23,
  rounds: 5,
  repeats: 3,
  train: ['a', 'b', 'c', 'd', 'e'],
  test: ['f', 'g', 'h'],
  state: 'done',
  startedAt: '2025-01-01T00:00:00.000Z',
  done: [
    round(0, 'Build landing pages that work.', scores([false, false, true], [true, false]), scores([false, true], [false])),
    round(1, 'Skill for: hero, headline', scores([true, true, false], [false, false]), scores([true, true], [false])),
    round(2, 'Skill for: hero, headline, podcast', scores([true, true, true], [false, false]), scores([true, true], [true]))
  ],
  best: 1,
  bestWhy: 'Round 1 did best on the held-out queries.',
  usd: 0.3
}

describe('the optimisation as the command line says it', () => {
  it('prints a row a round with its description, marks the pick, and says why', () => {
    const lines = optimisationText(o, 'landing-pages').split('\n')
    expect(lines[0]).toBe(
      'optimisation opt-1: the description of landing-pages version 1; 5 training queries, 3 held out (split seed 23); 3 repeats a query; up to 5 rounds'
    )
    expect(lines[1].split(/\s{2,}/)).toEqual(['round', 'train recall', 'train false', 'held-out recall', 'held-out false', 'cost'])
    expect(lines[2].split(/\s{2,}/)).toEqual(['0', '1/3 33%', '1/2 50%', '1/2 50%', '0/1 0%', '$0.0500'])
    expect(lines[3]).toBe('    "Build landing pages that work."')
    expect(lines[4].split(/\s{2,}/)).toEqual(['1*', '2/3 67%', '0/2 0%', '2/2 100%', '0/1 0%', '$0.1000'])
    expect(lines[6].split(/\s{2,}/)).toEqual(['2', '3/3 100%', '0/2 0%', '2/2 100%', '1/1 100%', '$0.1500'])
    expect(lines.at(-2)).toBe('chosen: round 1. Round 1 did best on the held-out queries.')
    expect(lines.at(-1)).toBe('cost: $0.3000')
  })

  it('says how it ended when it did not finish, and the version own as the pick', () => {
    const text = optimisationText(
      {
        ...o,
        state: 'failed',
        error: 'Round 2 failed: rejected twice',
        done: o.done.slice(0, 1),
        best: 0,
        bestWhy: 'No description was proposed.'
      },
      'x'
    )
    expect(text).toMatch(/\nfailed: Round 2 failed: rejected twice\n/)
    expect(text).toMatch(/\nchosen: round 0 \(the version's own\)\. No description was proposed\.\n/)
  })

  it('one line of progress a round', () => {
    expect(roundLine(o.done[1])).toBe(
      'round 1: training recall 2/3 67%, false triggers 0/2 0%; held-out recall 2/2 100%, false triggers 0/1 0% ($0.1000)'
    )
  })
})
