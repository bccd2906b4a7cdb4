/**
 * How far a grader agrees with the person: accuracy, Cohen's kappa, the 2x2 confusion table (person
 * good/bad x grader good/bad), the folds used to cross-validate a grader on the person's own grades,
 * and whether the figures are good enough to trust it. Pure functions (the renderer shows the same
 * numbers as the CLI).
 */
export type Label = 'good' | 'bad'

/** One run graded by both: the person's label and the grader's. */
export interface LabelPair {
  person: Label
  grader: Label
}

/** Rows: what the person said; columns: what the grader said. */
export interface Confusion {
  /** person good, grader good */
  goodGood: number
  /** person good, grader bad */
  goodBad: number
  /** person bad, grader good */
  badGood: number
  /** person bad, grader bad */
  badBad: number
}

export interface Agreement {
  /** runs graded by both */
  n: number
  /** runs on which they agree */
  agreed: number
  /** agreed / n (null with no runs) */
  accuracy: number | null
  /** Cohen's kappa (null when undefined: no runs, or chance agreement is 1) */
  kappa: number | null
  /** why kappa is null, in one line */
  kappaNote?: string
  confusion: Confusion
}

export function confusionOf(pairs: LabelPair[]): Confusion {
  const c: Confusion = { goodGood: 0, goodBad: 0, badGood: 0, badBad: 0 }
  for (const p of pairs) {
    if (p.person === 'good') {
      if (p.grader === 'good') c.goodGood++
      else c.goodBad++
    } else if (p.grader === 'good') c.badGood++
    else c.badBad++
  }
  return c
}

/**
 * Cohen's kappa of a 2x2 table: (po - pe) / (1 - pe), po the observed agreement, pe the agreement
 * expected by chance from each rater's own share of good. Undefined (null) with no runs, or when both
 * raters gave one and the same label to every run (pe = 1: there is nothing chance could get wrong).
 */
export function kappaOf(c: Confusion): { kappa: number | null; note?: string } {
  const n = c.goodGood + c.goodBad + c.badGood + c.badBad
  if (n === 0) return { kappa: null, note: 'no runs graded by both' }
  const po = (c.goodGood + c.badBad) / n
  const personGood = (c.goodGood + c.goodBad) / n
  const graderGood = (c.goodGood + c.badGood) / n
  const pe = personGood * graderGood + (1 - personGood) * (1 - graderGood)
  if (pe >= 1 - 1e-12) {
    const label = personGood === 1 ? 'good' : 'bad'
    return { kappa: null, note: `the person and the grader said ${label} of every run: agreement by chance is certain, kappa is undefined` }
  }
  return { kappa: (po - pe) / (1 - pe) }
}

export function agreementOf(pairs: LabelPair[]): Agreement {
  const confusion = confusionOf(pairs)
  const n = pairs.length
  const agreed = confusion.goodGood + confusion.badBad
  const k = kappaOf(confusion)
  return {
    n,
    agreed,
    accuracy: n ? agreed / n : null,
    kappa: k.kappa,
    ...(k.note ? { kappaNote: k.note } : {}),
    confusion
  }
}

/** FNV-1a (32 bits) of a string's UTF-16 code units: a stable, well-spread key (no node:crypto: the renderer loads this too). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** Folds of cross-validation unless asked otherwise. */
export const DEFAULT_FOLDS = 5

/**
 * Split runs into k folds, the same way every time for the same run ids (whatever order they come in):
 * ids sorted by a hash of the id, then dealt round-robin. Fewer runs than folds: one run per fold.
 * Every fold has at least one run; fold sizes differ by at most one.
 */
export function foldsOf(ids: string[], k = DEFAULT_FOLDS): string[][] {
  const unique = [...new Set(ids)]
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds: at least 2 are needed (got ${k})`)
  const count = Math.min(k, unique.length)
  const keyed = unique.map((id) => ({ id, key: fnv1a(id) }))
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1))
  const folds: string[][] = Array.from({ length: count }, () => [])
  keyed.forEach((x, i) => folds[i % count].push(x.id))
  return folds
}

/** Below these the grader is not to be trusted (either one is enough). */
export const TRUST = { minKappa: 0.6, minAccuracy: 0.8, minRuns: 10 } as const

export interface Trust {
  trusted: boolean
  /** one line per reason it is not trusted (empty when trusted) */
  reasons: string[]
}

const pct = (x: number) => `${Math.round(x * 100)}%`

/**
 * Whether the grader may be trusted: kappa at least 0.6 (substantial agreement beyond chance on the
 * Landis-Koch scale), accuracy at least 80%, and at least 10 runs graded by both (fewer say too little).
 */
export function trustOf(a: Agreement): Trust {
  const reasons: string[] = []
  if (a.n < TRUST.minRuns)
    reasons.push(`only ${a.n} run${a.n === 1 ? '' : 's'} graded by both (at least ${TRUST.minRuns} are needed to say)`)
  if (a.accuracy !== null && a.accuracy < TRUST.minAccuracy)
    reasons.push(
      `accuracy ${pct(a.accuracy)} is below ${pct(TRUST.minAccuracy)}: it disagrees with you on ${a.n - a.agreed} of ${a.n} runs`
    )
  if (a.kappa === null) reasons.push(`kappa is undefined (${a.kappaNote ?? 'no runs'}): agreement beyond chance cannot be measured`)
  else if (a.kappa < TRUST.minKappa)
    reasons.push(`kappa ${a.kappa.toFixed(2)} is below ${TRUST.minKappa}: its agreement with you is not much beyond chance`)
  return { trusted: reasons.length === 0, reasons }
}
