/** Steps 3 and 5: `analyze` (four analysts over a batch's graded runs, merged into a skill) and `deepen` (a verification's runs make the next version). */
import type { AnalysisEstimate } from '../../../shared/analysis'
import type { SkillView } from '../../../shared/contract'
import { analyzeBatch, notDone, notValidYet, readLines, sayWarnings, tiersText } from '../analysis'
import { claudePath, via } from '../args'
import { call, findBatch } from '../common'
import { verb } from '../context'
import { inline } from '../inert'
import { findVerification } from '../verification'

const analyze = verb({
  name: 'analyze',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['via', 'model', 'mergeModel', 'claude', 'mobile', 'estimate', 'json'],
  // --estimate calls no model and writes nothing
  readOnly: (o) => !!o.estimate,
  prepare: (_args, o) => void via(o),
  async run({ client, io, print }, [arg], o) {
    if (o.estimate) {
      const batchId = await findBatch(client, arg)
      const est = await call<AnalysisEstimate>(client, 'estimateAnalysis', {
        batchId,
        ...(o.via ? { via: o.via } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.mergeModel ? { mergeModel: o.mergeModel } : {}),
        ...(o.mobile ? { mobile: true } : {})
      })
      for (const w of est.warnings) io.err(`warning: ${inline(w)}`)
      const usd = est.usd === null ? 'no price known for these models' : `about $${est.usd.toFixed(2)}`
      print(est, () =>
        [
          `${usd} (${est.contextTokens.toLocaleString('en-US')} tokens of context over ${est.runs} graded runs, model ${est.model}, merge ${est.mergeModel}). ${est.basis}.`,
          ...readLines(est.report),
          `next: trace2skill analyze ${batchId}`
        ].join('\n')
      )
      return 0
    }
    const got = await analyzeBatch(
      client,
      arg,
      {
        via: via(o),
        model: o.model,
        mergeModel: o.mergeModel,
        mobile: o.mobile,
        claude: claudePath(o)
      },
      io
    )
    const { analysis, skill } = got
    sayWarnings(analysis, io)
    print(got, () => {
      const lines = [
        `analysis ${analysis.id}: ${analysis.state} (${analysis.context.runs} runs; ${analysis.analysts.map((a) => `${a.kind} ${a.state}`).join(', ')})`,
        ...readLines(analysis.context.report)
      ]
      if (skill) {
        lines.push(`skill ${skill.skill.id} (${inline(skill.skill.frontMatter.name)}): ${tiersText(skill.skill)}`)
        if (skill.problems.length) lines.push(notValidYet(skill.problems))
        lines.push(`next: trace2skill export ${skill.skill.id} <project folder> (or edit it first in the app: Skills)`)
      }
      return lines.join('\n')
    })
    if (analysis.state !== 'done') {
      io.err(`trace2skill: ${notDone(analysis)}`)
      return 1
    }
  }
})

const deepen = verb({
  name: 'deepen',
  args: { n: 1, what: 'a verification (its id; `trace2skill verifications` lists them)' },
  options: ['via', 'model', 'mergeModel', 'claude', 'json'],
  readOnly: false,
  prepare: (_args, o) => void via(o),
  async run({ client, io, print }, [arg], o) {
    const v = await findVerification(client, arg)
    // only to say whether the analysis made a new version: a skill that cannot be read counts as having none
    const before = (await call<SkillView>(client, 'getSkill', { skillId: v.skillId }).catch(() => null))?.versions.length ?? 0
    const got = await analyzeBatch(
      client,
      v.id,
      {
        via: via(o),
        model: o.model,
        mergeModel: o.mergeModel,
        claude: claudePath(o),
        deepenFrom: v.id
      },
      io
    )
    const { analysis, skill } = got
    sayWarnings(analysis, io)
    const newest = skill?.versions.reduce((x, y) => (y.number > x.number ? y : x), skill.versions[0])
    const made = skill && newest && skill.versions.length > before ? newest : null
    print({ ...got, verificationId: v.id, version: made ? made.number : null }, () => {
      const lines = [
        `analysis ${analysis.id}: ${analysis.state} (${analysis.context.runs} runs of verification ${v.id}, both arms; ${analysis.analysts.map((a) => `${a.kind} ${a.state}`).join(', ')})`,
        ...readLines(analysis.context.report)
      ]
      if (skill) {
        const name = inline(skill.skill.frontMatter.name || skill.skill.id)
        lines.push(
          `skill ${skill.skill.id} (${name}): ${made ? `version ${made.number}` : 'no new version (nothing changed)'}: ${tiersText(skill.skill)}`
        )
        if (skill.problems.length) lines.push(notValidYet(skill.problems))
        if (made)
          lines.push(
            `next: trace2skill verify ${name} --version ${made.number} (against no skill; --against ${v.version.number} compares it with the version verified)`
          )
      }
      return lines.join('\n')
    })
    if (analysis.state !== 'done') {
      io.err(`trace2skill: ${notDone(analysis)}`)
      return 1
    }
  }
})

export const analyzeVerbs = [analyze, deepen]
