/**
 * A script when the runs kept writing the same helper. On the planted batch with helpers (good runs 1
 * and 5 both wrote tools/check-links.sh, bad run 2 wrote another), the scripted analysts propose
 * scripts: one from the two good runs' real file (kept: its content is that file, byte for byte), one
 * from a good and a bad run (dropped, said why), one at a path no run has (dropped), one under an unsafe
 * name (made safe). The export writes a script, with its run bit, only once the person included it; a
 * version keeps it, and verify's installer writes it too.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { writeInside } from '../../src/main/skills/export'
import { filesOf } from '../../src/main/verify/install'
import type { Analysis } from '../../src/shared/analysis'
import type { SkillView } from '../../src/shared/contract'
import { parseSkillMd } from '../../src/shared/skill-md-read'
import { validateFrontMatter, withinBudget } from '../../src/shared/skill-md'
import type { ProposedRule, SkillRule } from '../../src/shared/skills'
import { analystScript } from '../support/analyst-script'
import { startModelServer, type ModelServer } from '../support/model-server'
import { addPlanted, HELPER, HELPER_RULE, plantedFiles, type PlantedBatch } from '../support/planted'

const both = (name: string, file = HELPER.path) => ({ name, from: [1, 5].map((run) => ({ run, file })) })
const rules: Record<string, ProposedRule> = {
  links: HELPER_RULE,
  mixed: {
    rule: 'Check the links with a script of your own',
    evidence: [1, 2],
    priority: 'medium',
    reason: 'run 1 and run 2 wrote a link check',
    script: { name: 'verify.sh', from: [1, 2].map((run) => ({ run, file: HELPER.path })) }
  },
  invented: {
    rule: 'Lint the page before reporting',
    evidence: [1, 5],
    priority: 'low',
    reason: 'made up',
    script: both('lint.sh', 'tools/lint.sh')
  },
  unsafe: {
    rule: 'Keep the link check beside the page',
    evidence: [1, 5],
    priority: 'low',
    reason: 'the same helper',
    script: both('../../x')
  }
}

describe('a script from the helper good runs kept writing', () => {
  let server: ModelServer
  let service: Service
  let planted: PlantedBatch
  let analysis: Analysis
  let view: SkillView
  let dataDir: string

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        success: { rules: [rules.links, rules.unsafe] },
        error: { rules: [rules.mixed, rules.invented] }
      })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-scripts-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-scripts-data-'))
    planted = await plantedFiles(configDir, dataDir, { helpers: true })
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.url }
    })
    await addPlanted(service, planted)
    analysis = await service.handlers.startAnalysis({ batchId: planted.batchId })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
    view = await service.handlers.getSkill({ skillId: analysis.skillId! })
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const ruleOf = (text: string) => view.skill.rules.find((r) => r.text === text)!
  const fileOf = (run: number) => readFile(join(planted.runs.find((x) => x.number === run)!.workspace!, HELPER.path), 'utf8')

  it('asks the analysts for a script by name and file, never its content', () => {
    const analyst = server.requests.find((r) => r.body?.tools?.some((t: { name: string }) => t.name === 'propose_rules'))!
    const tool = analyst.body.tools.find((t: { name: string }) => t.name === 'propose_rules')
    const script = tool.input_schema.properties.rules.items.properties.script
    expect(Object.keys(script.properties).sort()).toEqual(['from', 'name'])
    expect(JSON.stringify(analyst.body.messages)).toMatch(/you may give a SCRIPT/)
  })

  it('keeps a script two good runs wrote: its content is their real file, not yet included', async () => {
    const links = ruleOf(rules.links.rule)
    expect(links.script).toMatchObject({ name: 'check-links.sh', runs: [1, 5], include: false, batchId: planted.batchId })
    expect(links.script!.content).toBe(await fileOf(1))
    expect(links.script!.content).toBe(HELPER.good)
    expect(links.scriptNote).toBeUndefined()
  })

  it('drops a script only one good run wrote, or at a path no run has, saying why', () => {
    const mixed = ruleOf(rules.mixed.rule)
    expect(mixed.script).toBeUndefined()
    expect(mixed.scriptNote).toBe(
      'Script scripts/verify.sh: only run 1 (graded good) wrote it; run 2 is not graded good; a script needs the same helper in at least 2 good runs; dropped.'
    )
    const invented = ruleOf(rules.invented.rule)
    expect(invented.script).toBeUndefined()
    expect(invented.scriptNote).toMatch(/^Script scripts\/lint\.sh: no good run it cites wrote it; run 1 has no file "tools\/lint\.sh"/)
    expect(analysis.warnings.filter((w) => /Script scripts\//.test(w))).toHaveLength(2)
    expect(JSON.stringify(view.skill)).not.toContain(HELPER.bad)
  })

  it('makes an unsafe name safe: one file name in scripts/', () => {
    const unsafe = ruleOf(rules.unsafe.rule)
    expect(unsafe.script?.name).toBe('x')
    expect(unsafe.script?.content).toBe(HELPER.good)
  })

  it('exports a script, with its run bit, only once the person included it; a version keeps it for verify', async () => {
    const none = await mkdtemp(join(tmpdir(), 't2s-scripts-none-'))
    await service.handlers.exportSkill({ skillId: view.skill.id, folder: none })
    const dir = join(none, '.claude/skills', view.skill.frontMatter.name)
    await expect(stat(join(dir, 'scripts'))).rejects.toThrow(/ENOENT/)
    expect(await readFile(join(dir, 'SKILL.md'), 'utf8')).not.toContain('Run `scripts/')

    const include = (r: SkillRule): SkillRule =>
      r.text === rules.links.rule || r.text === rules.unsafe.rule ? { ...r, script: { ...r.script!, include: true } } : r
    const saved = await service.handlers.saveSkill({ skillId: view.skill.id, patch: { rules: view.skill.rules.map(include) } })
    const folder = await mkdtemp(join(tmpdir(), 't2s-scripts-export-'))
    const plan = await service.handlers.planSkillExport({ skillId: view.skill.id, folder })
    const rel = `.claude/skills/${saved.skill.frontMatter.name}/scripts/check-links.sh`
    expect(plan.files.map((f) => f.path)).toContain(rel)
    expect(plan.files.map((f) => f.path)).toContain(rel.replace('check-links.sh', 'x'))
    await service.handlers.exportSkill({ skillId: view.skill.id, folder })
    expect(await readFile(join(folder, rel), 'utf8')).toBe(HELPER.good)
    expect((await stat(join(folder, rel))).mode & 0o777).toBe(0o755)
    // the rule that says when to run it names it (these are edge cases: 2 runs of 6); one that did not is given "Run scripts/<name>."
    const skillDir = join(folder, `.claude/skills/${saved.skill.frontMatter.name}`)
    const edge = await readFile(join(skillDir, 'references/edge-cases.md'), 'utf8')
    expect(edge).toContain(`- ${rules.links.rule} (runs 1, 5)`)
    expect(edge).toContain(`- ${rules.unsafe.rule}. Run \`scripts/x\`. (runs 1, 5)`)
    expect(edge).not.toContain('scripts/verify.sh')
    // its front matter still valid, its body within budget
    const md = await readFile(join(skillDir, 'SKILL.md'), 'utf8')
    const parsed = parseSkillMd(md)
    expect(
      validateFrontMatter({ name: parsed.frontMatter.name!, description: parsed.frontMatter.description! }, saved.skill.frontMatter.name)
    ).toEqual([])
    expect(withinBudget(md)).toBe(true)

    // the version keeps the script, and verify's installer writes it the same way
    const last = saved.versions[saved.versions.length - 1]
    const version = await service.handlers.getSkillVersion({ versionId: last.id })
    expect(version.scripts).toEqual([
      { name: 'check-links.sh', content: HELPER.good },
      { name: 'x', content: HELPER.good }
    ])
    // the versions' diff shows the scripts the newer one exports
    const diff = await service.handlers.diffSkillVersions({ a: saved.versions[saved.versions.length - 2].id, b: last.id })
    expect(diff.identical).toBe(false)
    expect(diff.scripts).toContain('+# scripts/check-links.sh')
    expect(diff.scripts).toContain('+echo "links ok"')
    const run = await mkdtemp(join(tmpdir(), 't2s-scripts-run-'))
    await writeInside(run, filesOf(version))
    expect((await stat(join(run, rel))).mode & 0o777).toBe(0o755)
  })
})
