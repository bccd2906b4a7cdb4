/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The scripted proposer (issue 23's tests): it writes a description from the failures it is shown, as
 * the optimiser's prompt gives them (src/main/triggers/propose.ts), under the scripted model's loading
 * rule (trigger-words.ts: a description loads for a prompt sharing at least 2 of its words).
 *
 * - 'generalise': keeps the current description's words less those of the near misses that loaded it,
 *   and adds the words at least two missed prompts share (what the misses have in common);
 * - 'overfit': adds every word of every missed prompt (fits the training queries, learns nothing);
 * - 'unrelated': a description for other work (loads nothing);
 * - 'bad': an answer with angle brackets (refused); 'same': the current description again (refused).
 *
 * A description is written as "Skill for: word, word, ...": its words are what the rule counts.
 */
import type { ModelPort } from '../../src/main/analysts/model'
import type { Script } from './model-server'
import { wordsOf } from './trigger-words'

export type Strategy = 'generalise' | 'overfit' | 'unrelated' | 'bad' | 'same'

export interface Shown {
  current: string
  missed: string[]
  falseLoads: string[]
}

/** What the proposer's prompt shows: the current description and the two lists of failures (JSON strings, one a line). */
export function shownIn(prompt: string): Shown {
  const current = /^Current description: (".*")$/m.exec(prompt)
  const section = (heading: string) => {
    const at = prompt.indexOf(heading)
    if (at < 0) return []
    const out: string[] = []
    for (const line of prompt.slice(at).split('\n').slice(1)) {
      if (line.startsWith('#')) break
      if (line.startsWith('- "')) out.push(JSON.parse(line.slice(2)) as string)
    }
    return out
  }
  return {
    current: current ? (JSON.parse(current[1]) as string) : '',
    missed: section('## Should have loaded the skill, but did not'),
    falseLoads: section('## Loaded the skill, but should not have')
  }
}

const sorted = (s: Iterable<string>) => [...s].sort()

/** The scripted proposer's description for what it is shown. */
export function propose(shown: Shown, strategy: Strategy): { description: string; why: string } {
  if (strategy === 'bad') return { description: 'Skill for <landing> pages', why: 'angle brackets' }
  if (strategy === 'same') return { description: shown.current, why: 'the same again' }
  if (strategy === 'unrelated') return { description: 'Skill for: spreadsheets, invoices, ledgers', why: 'other work' }
  const words = wordsOf(shown.current)
  words.delete('skill')
  const near = new Set(shown.falseLoads.flatMap((p) => [...wordsOf(p)]))
  for (const w of near) words.delete(w)
  const seen = new Map<string, number>()
  for (const p of shown.missed) for (const w of wordsOf(p)) seen.set(w, (seen.get(w) ?? 0) + 1)
  for (const [w, n] of seen) if (!near.has(w) && (strategy === 'overfit' || n >= 2)) words.add(w)
  return {
    description: `Skill for: ${sorted(words).join(', ')}`,
    why: `${strategy}: ${shown.missed.length} missed, ${shown.falseLoads.length} false loads`
  }
}

/** The text of a model call's prompt (a port's request). */
const promptOf = (req: Parameters<ModelPort['call']>[0]) =>
  req.shared.map((b) => (b.type === 'text' ? b.text : '')).join('\n') + '\n' + req.instructions

/**
 * A model port that answers the proposer's calls with the strategies in order (the last one again
 * after the list runs out), recording each request; `onCall` runs before each answer (a test cancels there).
 */
export function scriptedProposer(plan: Strategy[], onCall?: (n: number, signal: AbortSignal) => void) {
  const requests: Parameters<ModelPort['call']>[0][] = []
  const port: ModelPort = {
    kind: 'api',
    async call(req, _hooks, signal) {
      requests.push(req)
      onCall?.(requests.length, signal)
      signal.throwIfAborted()
      const strategy = plan[Math.min(requests.length - 1, plan.length - 1)]
      return {
        input: propose(shownIn(promptOf(req)), strategy),
        usage: { input: 1000, output: 100, cacheRead: 0, cacheCreation: 0 },
        model: req.model,
        rounds: 0,
        costUsd: 0.01
      }
    }
  }
  return { port, requests }
}

/** For the scripted Messages API: the proposer's tool answer to a request body (the tool is propose_description). */
export function proposeReply(body: { messages: { content: string | { type: string; text?: string }[] }[] }, strategy: Strategy) {
  const first = body.messages[0]?.content
  const text = typeof first === 'string' ? first : (first ?? []).map((b) => b.text ?? '').join('\n')
  return { toolUses: [{ name: 'propose_description', input: propose(shownIn(text), strategy) }] }
}

/**
 * A query set for the optimiser's tests, under the rule and the fixed split (seed 23): training
 * s1-s4, s8, s9, n1, n3, n4, n6; held out s5-s7, s10, n2, n5. The should-trigger prompts each name two
 * of hero, headline, signup, pricing; s9 ("landing page podcast") only one; the near misses one each,
 * n1 shares "build" and "pages" with the starting description, n5 "podcast" and "page" with s9.
 */
export const LANDING_DESCRIPTION = 'Build landing pages that work.'
export const LANDING_QUERIES = [
  ...[
    'Create a hero section with a bold headline for the bakery',
    'Add a signup form and pricing table to the yoga studio site',
    'Rewrite the headline above the signup box for our product launch',
    'Design the hero and pricing blocks for the conference',
    'Lay out pricing tiers with a headline for the budgeting tool',
    'Make a hero image and headline for the charity drive',
    'Build a signup flow under the hero for the webinar',
    'Draft the pricing cards beside the hero for the coffee subscription',
    'Set up a landing page for the podcast',
    'Build landing pages with a hero and signup for the spring sale'
  ].map((prompt, i) => ({ id: `s${i + 1}`, prompt, should: true, source: 'person' as const })),
  ...[
    'Fix the build pipeline that fails on the docs pages',
    'Write unit tests for the pricing calculator module',
    'Debug the signup database migration error',
    'Translate the headline strings in the mobile client',
    'Fix the podcast page audio player under the hero',
    'Summarise the conversion metrics report for the board meeting'
  ].map((prompt, i) => ({ id: `n${i + 1}`, prompt, should: false, source: 'person' as const }))
]

/**
 * One scripted model for the real `claude` runs (trigger-script.ts: loads a skill by the words rule)
 * and the proposer's API calls (the request offers propose_description): the proposer's answers by
 * `plan`, in order, the last one again after the list runs out. `proposals` holds the proposer's requests.
 */
export function optimiseScript(plan: Strategy[], claudeSide: Script) {
  const proposals: { body: any }[] = []
  const script = ((req) => {
    if ((req.body?.tools ?? []).some((t: { name?: string }) => t.name === 'propose_description')) {
      proposals.push({ body: req.body })
      return proposeReply(req.body, plan[Math.min(proposals.length - 1, plan.length - 1)])
    }
    return claudeSide(req)
  }) as Script & { proposals: typeof proposals }
  script.proposals = proposals
  return script
}
