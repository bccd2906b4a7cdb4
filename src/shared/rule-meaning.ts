/**
 * Do two rules say the same thing? A model restating a rule changes a word or adds a sentence; the
 * merge and the check of a deepened skill use this to keep one rule per meaning. Conservative: rules
 * of opposite polarity ("Never X" / "X") or about different things are never the same.
 *
 * Pure and shared with the renderer: no Node imports.
 */

/** Words that carry no meaning of their own in a rule. */
const STOP = new Set(
  (
    'a an the to of and or it its is are be been that this these those with for in on at by as any each every ' +
    'then so you your from into there their them they all do does'
  ).split(' ')
)
/** Words that turn a rule around ("don't" is read as "do not"). */
const NEGATIONS = new Set(['never', 'not', 'no', 'avoid', 'without', 'nor', 'cannot', 'neither', 'none'])

const CITATIONS = /\((?:earlier:?\s*)?runs?\s[^)]*\)/gi

/** Lowercase words, citations and markdown gone, a plural "s" dropped. */
function words(text: string): string[] {
  return text
    .replace(CITATIONS, ' ')
    .toLowerCase()
    .replace(/n['\u2019]t\b/g, ' not')
    .replace(/[^a-z0-9\u00c0-\uffff]+/g, ' ')
    .split(' ')
    .filter(Boolean)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
}

const negations = (ws: string[]) => new Set(ws.filter((w) => NEGATIONS.has(w)))
const content = (ws: string[]) => new Set(ws.filter((w) => !STOP.has(w) && !NEGATIONS.has(w)))
const subset = <T>(a: Set<T>, b: Set<T>) => [...a].every((x) => b.has(x))
const sameSet = <T>(a: Set<T>, b: Set<T>) => a.size === b.size && subset(a, b)

/** The text up to its first sentence end. */
const firstSentence = (text: string) =>
  text
    .replace(CITATIONS, ' ')
    .trim()
    .split(/(?<=[.!?;])\s+/)[0] ?? text

/** Most content words shared, the same negations; a small rule must not differ by even one word. */
function restates(x: string[], y: string[]): boolean {
  if (!sameSet(negations(x), negations(y))) return false
  const cx = content(x)
  const cy = content(y)
  if (Math.min(cx.size, cy.size) < 3) return false
  const union = new Set([...cx, ...cy]).size
  let shared = 0
  for (const w of cx) if (cy.has(w)) shared++
  return shared / union >= 0.7 && (union >= 5 || shared === union)
}

/**
 * True when `a` and `b` say the same thing: equal once normalised; or one restates the other (most
 * words shared, the same negations); or the longer is the shorter, or a restatement of it, with more
 * said after it (a clause or a sentence added). "Never X" and "X" are never the same.
 */
export function sameMeaning(a: string, b: string): boolean {
  const wa = words(a)
  const wb = words(b)
  if (wa.length === 0 || wb.length === 0) return false
  if (wa.join(' ') === wb.join(' ')) return true
  if (restates(wa, wb)) return true
  const [short, long, longer] = wa.length <= wb.length ? [wa, wb, b] : [wb, wa, a]
  if (content(short).size < 3) return false
  // more said after it: the shorter is where the longer starts, or is its first sentence said again
  if (short.every((w, i) => long[i] === w)) return subset(negations(words(firstSentence(longer))), negations(short))
  const first = words(firstSentence(longer))
  return first.length < long.length && restates(short, first)
}

/** True when `a` says everything `b` says: all of b's words, and no negation b does not have in a's first sentence. */
export function covers(a: string, b: string): boolean {
  const wa = words(a)
  const wb = words(b)
  if (!wa.length || !wb.length) return false
  const ca = content(wa)
  return (
    [...content(wb)].every((w) => ca.has(w)) &&
    subset(negations(wb), negations(wa)) &&
    subset(negations(words(firstSentence(a))), negations(wb))
  )
}
