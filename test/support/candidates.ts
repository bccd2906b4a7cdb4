/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * For the candidates verification (issue 22): three versions of one skill planted straight in the
 * store, and a scripted model whose agent does better with one of them. A run of the real `claude`
 * whose prompt carries `SCENARIO:skilled` loads a listed skill that says it covers a landing page;
 * it then writes the good page only when the skill's text it was given holds BEST_RULE (the best
 * candidate's rule), else the cluttered one. Version 1 loads but has no such rule; version 3's
 * description does not say landing page, so Claude Code never loads it (its trigger rate is 0).
 * Everything else (the grader, variations) is verifyGraderScript's.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Service } from '../../src/main/app/service'
import type { Run } from '../../src/shared/runs'
import type { Reply, Script } from './model-server'
import { CLUTTERED_PAGE, LANDING_PAGE } from './scenarios'
import { plantSkill } from './skill'
import { verifyGraderScript } from './verify-grader'
import { gradeOfPage, listedSkills, skilledPrompt } from './verify-script'

export const BEST_RULE = 'Start from the hero and keep three calm cards under it'

const textOf = (content: any): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((b: any) => b?.text ?? textOf(b?.content)).join('\n') : ''

function candidateReply(body: any): Reply {
  const messages = (body?.messages ?? []) as any[]
  const called = (tool: string) =>
    messages.some(
      (m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b: any) => b.type === 'tool_use' && b.name === tool)
    )
  const fitting = listedSkills(body).find((x) => /landing page/i.test(x.description))
  if (fitting && !called('Skill')) return { text: 'Loading the skill.', toolUses: [{ name: 'Skill', input: { skill: fitting.name } }] }
  const all = messages.map((m) => JSON.stringify(m.content)).join('\n')
  if (!called('Write')) {
    const good = all.includes('Base directory for this skill:') && all.includes(BEST_RULE)
    return {
      text: 'Writing the page.',
      toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: good ? LANDING_PAGE : CLUTTERED_PAGE } }]
    }
  }
  return { text: 'Wrote index.html.' }
}

/** The scripted model: the runs as above, the grader and the rest as verifyGraderScript (given `grader`, e.g. what it is unsure of). */
export function candidatesScript(grader: Parameters<typeof verifyGraderScript>[0] = {}): Script & { graderRequests: any[] } {
  const rest = verifyGraderScript(grader)
  const script = ((req) => {
    const first = textOf((req.body?.messages ?? []).find((m: any) => m.role === 'user')?.content)
    if (/SCENARIO:skilled\b/.test(first) && !(req.body?.tools ?? []).some((t: any) => t?.name === 'grade_output'))
      return candidateReply(req.body)
    return rest(req)
  }) as Script & { graderRequests: any[] }
  script.graderRequests = rest.graderRequests
  return script
}

/** Three versions of one skill: 1 loads and does nothing, 2 holds BEST_RULE, 3 is never loaded. */
export async function plantCandidates(service: Service, o: { taskId?: string } = {}) {
  const { skillId } = await plantSkill(service, o)
  const skill = (await service.store.skills.get(skillId))!
  const rule = skill.rules[0]
  await service.handlers.saveSkill({ skillId, patch: { rules: [{ ...rule, text: BEST_RULE }] } })
  await service.handlers.saveSkill({
    skillId,
    patch: {
      rules: [rule],
      frontMatter: { name: skill.frontMatter.name, description: 'Use when writing a newsletter email.' }
    }
  })
  const versions = await service.store.skills.versions(skillId)
  return { skillId, versions: versions.map((v) => ({ id: v.id, number: v.number })) }
}

/** Pasted variations the scripted agent gets right only with the best candidate. */
export const candidateVariations = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ difficulty: 'normal' as const, prompt: skilledPrompt('fixed', `candidate page ${i + 1}`) }))

/** Grades every run of a batch as the person would (the cluttered page is bad), through the app. */
export async function gradeByPage(service: Service, batchId: string): Promise<Run[]> {
  const runs = service.store.batches.runsOf((await service.store.batches.get(batchId))!)
  for (const r of runs) {
    const html = await readFile(join(r.workspace!, 'index.html'), 'utf8').catch(() => '')
    await service.handlers.saveFeedback({ runId: r.id, label: gradeOfPage(html), text: '' })
  }
  return service.store.batches.runsOf((await service.store.batches.get(batchId))!)
}
