/** The proposer's prompt (training failures, the descriptions tried with their training scores) and the checks on its answer. */
import { describe, expect, it } from 'vitest'
import { checkProposal, FAILURES_SHOWN, proposeDescription, proposePrompt } from '../../src/main/triggers/propose'
import { scoresOf } from '../../src/shared/triggers'
import { scriptedProposer, shownIn } from '../support/propose-script'

const train = scoresOf([
  { should: true, decisions: [{ kind: 'answer', turns: 1, tokens: 0, usd: 0, ms: 0 }] },
  { should: false, decisions: [{ kind: 'loaded', turns: 1, tokens: 0, usd: 0, ms: 0 }] }
])
const input = {
  name: 'landing-pages',
  body: '# Landing pages\n\nKeep it to three cards.',
  tried: [
    { round: 0, description: 'Build landing pages.', train },
    { round: 1, description: 'Landing pages with a hero.', train }
  ],
  missed: ['Make a hero for the bakery', 'A signup "box"\non two lines'],
  falseLoads: ['Fix the landing server']
}

describe('the proposer', () => {
  it('shows the skill, every description tried with its training score, and the current one’s failures', () => {
    const text = proposePrompt(input, 'tag1')
    expect(text).toContain('Name: landing-pages')
    expect(text).toContain('<<<SKILL tag1>>>\n# Landing pages\n\nKeep it to three cards.\n<<<END OF SKILL tag1>>>')
    expect(text).toContain(
      `Round 0 (the skill's own): "Build landing pages."\n  recall 0/1 (should-trigger queries that loaded it), false triggers 1/1`
    )
    expect(text).toContain('Current description: "Landing pages with a hero."')
    // one line a query (JSON), as the scripted proposer reads them back
    expect(shownIn(text)).toEqual({ current: 'Landing pages with a hero.', missed: input.missed, falseLoads: input.falseLoads })
  })

  it('shows at most FAILURES_SHOWN failures of a kind, and says how many more', () => {
    const many = Array.from({ length: FAILURES_SHOWN + 3 }, (_, i) => `prompt number ${i}`)
    const text = proposePrompt({ ...input, missed: many })
    expect(shownIn(text).missed).toHaveLength(FAILURES_SHOWN)
    expect(text).toContain('(and 3 more)')
  })

  it('checks an answer: the schema, the limits, not one already tried', () => {
    expect(checkProposal({ description: '  Use for landing pages.  ', why: 'x' }, input.tried)).toEqual({
      ok: true,
      value: { description: 'Use for landing pages.', why: 'x' }
    })
    expect(checkProposal({ description: 'x' }, [])).toMatchObject({ ok: false, problem: expect.stringMatching(/why/) })
    expect(checkProposal({ description: 'a'.repeat(1025), why: '' }, [])).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/1025 characters/)
    })
    expect(checkProposal({ description: '   ', why: '' }, [])).toMatchObject({ ok: false, problem: 'the description is empty' })
    expect(checkProposal({ description: 'Build landing pages.', why: '' }, input.tried)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/round 0's description again/)
    })
  })

  it('takes the app secrets out of what it sends', async () => {
    const { port, requests } = scriptedProposer(['generalise'])
    await proposeDescription(
      port,
      { ...input, model: 'm', missed: ['Deploy with key sk-live-1234567890abcdef'], redact: { literals: ['sk-live-1234567890abcdef'] } },
      new AbortController().signal
    )
    expect(JSON.stringify(requests)).not.toContain('sk-live-1234567890abcdef')
  })
})
