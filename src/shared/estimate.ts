/**
 * What a batch of runs will cost, before it starts. A run's cost depends on the task far more than
 * on the model and the turn limit, so the only honest basis is what earlier runs of the same task
 * cost: their median per run, times the runs. With no finished runs yet there is no estimate, only
 * the cap. Pure; shared with the renderer.
 */

export function median(xs: number[]): number {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export interface BatchEstimate {
  /** history: runs of this task with the same model; other-models: runs of this task with other models; none: no finished runs */
  basis: 'history' | 'other-models' | 'none'
  usd: number | null
  /** how many finished runs the median is over */
  sample: number
  /** one line for people, saying what it is based on */
  text: string
}

const usd = (n: number) => `$${n.toFixed(2)}`

/**
 * `finished`: the task's finished runs with their cost (and the model their batch asked for; none for
 * Claude Code's default). `capPerRun`: the spending cap per run, if any.
 */
export function batchEstimate(o: {
  finished: { costUsd: number; model?: string }[]
  model: string | undefined
  runs: number
  capPerRun: number | null
}): BatchEstimate {
  const want = o.model?.trim() || undefined
  const costed = o.finished.filter((r) => Number.isFinite(r.costUsd) && r.costUsd > 0)
  const same = costed.filter((r) => (r.model?.trim() || undefined) === want)
  const cap = o.capPerRun && o.capPerRun > 0 ? ` Cap: ${usd(o.capPerRun * o.runs)} in all.` : ' No spending cap.'
  const plural = (n: number) => `${n} run${n === 1 ? '' : 's'}`
  if (!costed.length) return { basis: 'none', usd: null, sample: 0, text: `No estimate yet: the first runs will tell.${cap}` }
  const basis = same.length ? 'history' : 'other-models'
  const sample = same.length ? same : costed
  const per = median(sample.map((r) => r.costUsd))
  const total = per * o.runs
  const text = same.length
    ? `About ${usd(total)} for ${plural(o.runs)}: the median finished run of this task${want ? ` with ${want}` : ''} cost ${usd(per)} (${plural(sample.length)}).${cap}`
    : `About ${usd(total)} for ${plural(o.runs)}: the median finished run of this task cost ${usd(per)} (${plural(sample.length)}, with other models than ${want ?? "Claude Code's default"}).${cap}`
  return { basis, usd: total, sample: sample.length, text }
}
