/**
 * Where the review deck was opened from, kept in its address while moving through it
 * (`?from=skill:<skillId>:<ruleId>`, an evidence badge of a rule), so the deck can lead back there.
 */
export interface DeckFrom {
  skillId: string
  ruleId?: string
}

/** The deck's `from` search parameter read back; anything that is not ours is dropped. */
export const deckFrom = (raw: unknown): DeckFrom | undefined => {
  const m = typeof raw === 'string' ? /^skill:([\w-]{1,100})(?::([\w-]{1,100}))?$/.exec(raw) : null
  return m ? { skillId: m[1], ...(m[2] ? { ruleId: m[2] } : {}) } : undefined
}

export const deckFromParam = (f: DeckFrom) => `skill:${f.skillId}${f.ruleId ? `:${f.ruleId}` : ''}`
