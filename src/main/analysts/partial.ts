/**
 * The rules an analyst has finished writing while its answer still streams: the complete items of
 * the `rules` array in the tool input's JSON so far. Pure; Electron-free. Nothing here is checked:
 * these are drafts to show, the answer is checked as a whole when it is complete.
 */

/** The complete items of the first array at the top level of `partial` (a JSON object being streamed). */
export function completeItems(partial: string): unknown[] {
  const out: unknown[] = []
  let depth = 0
  let inString = false
  let escaped = false
  let arrayDepth = -1 // the depth of the array whose items are collected
  let itemStart = -1
  for (let i = 0; i < partial.length; i++) {
    const c = partial[i]
    if (inString) {
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') {
      inString = true
      continue
    }
    if (c === '{' || c === '[') {
      depth++
      if (c === '[' && arrayDepth < 0 && depth === 2) arrayDepth = depth
      else if (depth === arrayDepth + 1 && itemStart < 0 && arrayDepth > 0) itemStart = i
    } else if (c === '}' || c === ']') {
      if (depth === arrayDepth + 1 && itemStart >= 0 && c === '}') {
        try {
          out.push(JSON.parse(partial.slice(itemStart, i + 1)))
        } catch {
          /* not an item after all */
        }
        itemStart = -1
      }
      if (depth === arrayDepth && c === ']') return out
      depth--
    }
  }
  return out
}

export interface DraftRule {
  rule: string
  evidence: number[]
}

/** Drafts of the rules in a streaming propose_rules answer: text and cited runs, as far as they look like rules. */
export function draftRules(partial: string): DraftRule[] {
  return completeItems(partial).flatMap((x) => {
    const o = x as { rule?: unknown; evidence?: unknown }
    if (!o || typeof o.rule !== 'string' || !o.rule.trim()) return []
    const evidence = Array.isArray(o.evidence) ? o.evidence.filter((n): n is number => Number.isInteger(n)).slice(0, 500) : []
    return [{ rule: o.rule.trim().slice(0, 800), evidence }]
  })
}
