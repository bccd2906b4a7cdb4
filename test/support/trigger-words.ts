/**
 * The scripted model's rule for loading a skill (issue 23's tests): it loads a listed skill only when
 * the skill's description shares at least TRIGGER_OVERLAP words with the prompt. Words: lower-case
 * runs of letters of 4 or more, less a few common ones. One rule for the scripted `claude` runs
 * (test/support/trigger-script.ts) and the tests' hand counts, so both agree by construction.
 */
export const TRIGGER_OVERLAP = 2

const COMMON = new Set([
  'this',
  'that',
  'with',
  'from',
  'your',
  'when',
  'what',
  'into',
  'have',
  'make',
  'need',
  'please',
  'some',
  'them',
  'they',
  'will',
  'would',
  'should',
  'could',
  'about',
  'also',
  'just',
  'like',
  'want',
  'use',
  'used',
  'using'
])

/** The words of a text, as the rule counts them. */
export function wordsOf(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((w) => !COMMON.has(w)))
}

/** How many words a description and a prompt share. */
export function overlap(description: string, prompt: string): number {
  const d = wordsOf(description)
  let n = 0
  for (const w of wordsOf(prompt)) if (d.has(w)) n++
  return n
}

/** Would the scripted model load a skill with this description for this prompt. */
export const loads = (description: string, prompt: string) => overlap(description, prompt) >= TRIGGER_OVERLAP
