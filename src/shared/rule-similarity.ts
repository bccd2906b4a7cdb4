/**
 * Two rules that say the same thing in nearly the same words: the deterministic half of "never two rules
 * with the same meaning in one version" (issue 20; the merge's model call is the other half, for
 * paraphrases). Rules are compared by their content words: lower-cased, punctuation and stop words out,
 * a light stemming (plural -s, -es, -ed, -ing), run citations ("(runs 2, 7)") and numbers of runs left
 * out. Two rules are near-duplicates when their word sets overlap by at least `NEAR_DUPLICATE` (Jaccard:
 * shared words over all words) or when the shorter one's words (at least three) are all in the longer
 * one. Electron-free, pure.
 */

/** Jaccard overlap of content words at or above which two rules are near-duplicates. */
export const NEAR_DUPLICATE = 0.7

const STOP = new Set(
  (
    'a an the and or but if then else of to in on at by for from with without into onto over under as is are be been being was were ' +
    'it its this that these those there here do does did done not no nor so than too very can could should would will shall must may might ' +
    'you your yours we our they their them he she his her i me my always never each every any all some only just also before after when while'
  ).split(' ')
)

const stem = (w: string) => {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3)
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2)
  if (w.length > 4 && w.endsWith('es') && !w.endsWith('ses')) return w.slice(0, -2)
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1)
  return w
}

/** The content words of a rule's text (its run citations left out). */
export function ruleWords(text: string): Set<string> {
  const plain = text
    .toLowerCase()
    .replace(/\((?:runs?|run)\b[^)]*\)/g, ' ')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
  return new Set(
    plain
      .split(/\s+/)
      .filter((w) => w && !STOP.has(w))
      .map(stem)
  )
}

/** How alike two rules' texts are: the Jaccard overlap of their content words (0 to 1). */
export function ruleSimilarity(a: string, b: string): number {
  const x = ruleWords(a)
  const y = ruleWords(b)
  if (!x.size || !y.size) return 0
  let shared = 0
  for (const w of x) if (y.has(w)) shared++
  return shared / (x.size + y.size - shared)
}

/** Whether two rules say the same thing in nearly the same words (see above). */
export function nearDuplicate(a: string, b: string): boolean {
  const x = ruleWords(a)
  const y = ruleWords(b)
  const [small, big] = x.size <= y.size ? [x, y] : [y, x]
  if (small.size >= 3 && [...small].every((w) => big.has(w))) return true
  return ruleSimilarity(a, b) >= NEAR_DUPLICATE
}

/** Every pair of rules (by index) that are near-duplicates of each other, in order. */
export function nearDuplicatePairs(texts: string[]): [number, number][] {
  const out: [number, number][] = []
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) if (nearDuplicate(texts[i], texts[j])) out.push([i, j])
  return out
}
