/** `verify`'s command line read into what it asks: the versions, the variations, the settings, who grades. */
import type { VerifySettings } from '../../shared/verify'
import { allowDomains, claudePath, int, preset, readVariationsFile, type Opts } from './args'
import { UsageError } from './common'
import { gradeMode, type VerifyArgs } from './verification'

/** `verify`'s arguments, checked (and its variations file read) before the data folder is opened. */
export async function verifyArgs(skill: string, values: Opts): Promise<VerifyArgs> {
  const permission = preset(values)
  const allowedDomains = allowDomains(values)
  const number = (flag: string, v: string | undefined, or = '') => {
    if (v === undefined) return undefined
    if (!/^[1-9]\d{0,5}$/.test(v))
      throw new UsageError(
        `--${flag} takes ${or}a version number of the skill (1, 2, ...: \`trace2skill skill <skill> --json\` lists its versions), not ${v}`
      )
    return Number(v)
  }
  const version = number('version', values.skillVersion)
  const against = values.against === 'none' ? 'none' : number('against', values.against, 'none or ')
  if (version !== undefined && against === version)
    throw new UsageError(`--against ${against} is the version verified: compare it with another version, or with no skill (--against none)`)
  const grade = gradeMode(values.grade)
  const from = values.variations ?? 'fresh'
  let variations: VerifyArgs['variations']
  if (from === 'fresh' || from === 'batch') variations = { source: from }
  else {
    const items = await readVariationsFile(from)
    if (!items.length)
      throw new UsageError(`--variations ${from} has no variations: write a numbered list, or JSON [{"difficulty", "prompt"}]`)
    if (items.length > 200) throw new UsageError(`--variations ${from}: ${items.length} variations; a verification takes at most 200`)
    const near = items.findIndex((v) => v.nearMiss)
    if (near >= 0)
      throw new UsageError(
        `--variations ${from}: item ${near + 1} is a near miss: a verification runs only instances of the task (take the near misses out of the list)`
      )
    variations = { source: 'pasted', items, file: from }
  }
  let maxBudgetUsd: number | undefined
  if (values.budget !== undefined) {
    maxBudgetUsd = Number(values.budget)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(values.budget) || !(maxBudgetUsd > 0) || maxBudgetUsd > 10_000)
      throw new UsageError(`--budget takes US dollars a run, more than 0 and at most 10000 (such as 0.50), not ${values.budget}`)
  }
  const given: VerifySettings = {
    concurrency: int('concurrency', values.concurrency, 1, 16),
    maxTurns: int('max-turns', values.maxTurns, 1, 1000),
    model: values.model,
    claudePath: claudePath(values),
    permission,
    allowedDomains,
    maxBudgetUsd
  }
  return {
    skill,
    version,
    against,
    variations,
    repeats: int('repeats', values.repeats, 1, 10),
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings,
    ...(values.acceptFlagged ? { acceptFlagged: true } : {}),
    ...(grade === 'auto' || grade === 'assist' ? { grade } : {})
  }
}
