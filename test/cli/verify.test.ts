/**
 * Step 5 from the command line, headless, with the real claude against one scripted model
 * (test/support/verify-script.ts: runs behave better when the skill is loaded; it also writes fresh
 * variations, explains pairs and plays the analysts): `run` a learning batch, `grade` it, `analyze` it
 * into a skill; `verify` it on pasted variations whose outcome is known, `batch` the verification blind,
 * `grade` it by the pages alone, `report` equal to values computed by hand (and said in words),
 * `verifications`; bad arguments in one line with their exit codes; a `verify` killed with SIGKILL while
 * its runs run, read as interrupted by `report`, finished by `resume`; `explain` and `deepen` to the next
 * version.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VerificationView } from '../../src/shared/verify'
import { BIN } from '../support/cli'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { gradeOfPage, SKILL_NAME, skilledPrompt, verifyScript } from '../support/verify-script'
import { cliIn, type Result } from './support'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

// the batch the skill is learned from: one normal, one easy (the mix fresh variations follow)
const LEARNED = [
  `1. [normal] ${skilledPrompt('fixed', 'learned one: a rocket company')}`,
  `2. [easy] ${skilledPrompt('good', 'learned two: a library')}`
]
// verified on these: three the skill fixes (two normal, one easy), one it breaks
const PASTED = [
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: a dentist') },
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: a florist') },
  { difficulty: 'easy', prompt: skilledPrompt('fixed', 'pasted: a tea room') },
  { difficulty: 'adversarial', prompt: skilledPrompt('trap', 'pasted: a night club') }
]
// fresh ones, in the learned mix
const FRESH = [
  { difficulty: 'normal', prompt: skilledPrompt('fixed', 'fresh: a gym') },
  { difficulty: 'easy', prompt: skilledPrompt('good', 'fresh: a zoo') }
]
const NO_CHROMIUM = /^warning: no Chromium found/

/** The one line a refused command prints on stderr (screenshots are off here: that warning aside). */
function errorLine(r: Result): string {
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !NO_CHROMIUM.test(l))
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^trace2skill: /)
  return lines[0]
}

describe('verify from the command line', () => {
  let server: ModelServer
  let dir: string
  let configDir: string
  let dataDir: string
  let slow = false
  let vid = ''
  let batchId = ''
  const script = verifyScript({
    variations: () => FRESH,
    analysts: {
      error: { rules: [rule('Keep the page to three cards', [1, 2])] },
      success: { rules: [rule('Read the brief before writing the page', [1, 2])] }
    },
    explain: (body) => {
      const line = Number(/\[L(\d+)\] Write/.exec(JSON.stringify(body.messages))?.[1] ?? 0)
      return [{ rule_id: 'R1', verdict: 'followed', why: 'wrote three cards', lines: line ? [line] : [] }]
    },
    // while `slow`, each answer to a run waits: runs are in flight when the command is killed
    runDelayMs: () => (slow ? 20_000 : 0)
  })
  // screenshots off (no Chromium at that path): they are not what is tested, and they take most of a run's time
  const env = () => ({ ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') })
  const cli = (args: string[]) => cliIn(args, env())
  const json = <T>(r: Result): T => {
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout) as T
  }
  /** Grade a batch from each run's page alone, as a person would: by the deck's numbers, nothing else. */
  const gradeByPages = async (batch: string, file: string) => {
    const b = json<{ runs: { number: number; workspace?: string; texts?: Record<string, string> }[] }>(
      await cli(['batch', batch, '--json'])
    )
    const lines: string[] = []
    for (const r of b.runs) {
      // a blind verification's run gives its pages, not its folder
      const html = r.texts?.['index.html'] ?? (await readFile(join(r.workspace!, 'index.html'), 'utf8'))
      lines.push(`Run ${r.number}: ${gradeOfPage(html)} - ${html.includes('Deal 1') ? 'cluttered, loud cards' : 'clean, three cards'}`)
    }
    await writeFile(file, lines.join('\n') + '\n')
    return cli(['grade', batch, '--file', file])
  }

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-verify-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'Landing page.txt'), 'Build a landing page.')
    await writeFile(join(dir, 'learned.txt'), LEARNED.join('\n') + '\n')
    const ran = await cli([
      'run',
      '--task',
      join(dir, 'Landing page.txt'),
      '--variations',
      join(dir, 'learned.txt'),
      '--concurrency',
      '2',
      '--max-turns',
      '10',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits',
      '--json'
    ])
    const learned = json<{ batchId: string }>(ran).batchId
    const graded = await gradeByPages(learned, join(dir, 'learned-feedback.txt'))
    expect(graded.code, graded.stderr).toBe(0)
    const a = await cli(['analyze', learned])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toContain(`(${SKILL_NAME})`)
  }, 180_000)
  afterAll(async () => {
    await server?.close()
  })

  it('refuses bad arguments in one line: 2 for the arguments, 1 for what does not exist', async () => {
    await writeFile(join(dir, 'empty.txt'), '\n')
    await writeFile(join(dir, 'near.txt'), '1. [easy] A bakery page\n2. [normal] [near-miss] Fix the README typo\n')
    const cases: [string[], number, RegExp][] = [
      [['verify'], 2, /^trace2skill: verify needs a skill \(its id or name\)$/],
      [['verify', SKILL_NAME, '--repeats', '0'], 2, /--repeats takes a whole number from 1 to 10, not 0$/],
      [['verify', SKILL_NAME, '--version', '2', '--against', '2'], 2, /--against 2 is the version verified: .*--against none/],
      // the newest is version 1: against itself
      [['verify', SKILL_NAME, '--against', '1'], 2, /--against 1 is the version verified \(the newest, when --version is not given\)/],
      [['verify', SKILL_NAME, '--version', 'two'], 2, /--version takes a version number of the skill .*not two$/],
      [['verify', SKILL_NAME, '--version'], 2, /verify --version takes a version number of the skill/],
      [['verify', SKILL_NAME, '--budget', '0'], 2, /--budget takes US dollars a run, more than 0/],
      [['verify', SKILL_NAME, '--variations', join(dir, 'nope.txt')], 2, /cannot read --variations .*nope\.txt: ENOENT/],
      [['verify', SKILL_NAME, '--variations', join(dir, 'empty.txt')], 2, /--variations .*empty\.txt: /],
      [
        ['verify', SKILL_NAME, '--variations', join(dir, 'near.txt')],
        2,
        /--variations .*near\.txt: item 2 is a near miss: a verification runs only/
      ],
      [['verify', 'no-such-skill'], 1, new RegExp(`^trace2skill: no such skill: no-such-skill \\(the skills here: ${SKILL_NAME} \\(`)],
      [
        ['verify', SKILL_NAME, '--version', '9'],
        1,
        new RegExp(`^trace2skill: ${SKILL_NAME} has no version 9 \\(--version 9; its versions: 1\\)$`)
      ],
      [['verify', SKILL_NAME, '--against', '9'], 1, /has no version 9 \(--against 9; its versions: 1\)$/],
      [['report'], 2, /^trace2skill: report needs a verification/],
      [['verifications', 'a', 'b'], 2, /verifications: unexpected argument b/],
      [
        ['report', 'nope'],
        1,
        /^trace2skill: no such verification: nope \(there are no verifications yet: verify a skill with `trace2skill verify <skill>`\)$/
      ],
      [['resume', 'nope'], 1, /^trace2skill: no such verification: nope/],
      [['explain', 'nope'], 1, /^trace2skill: no such verification: nope/],
      [['deepen', 'nope'], 1, /^trace2skill: no such verification: nope/],
      [['verifications', 'nope'], 1, /^trace2skill: no such skill: nope/]
    ]
    const check = async ([args, code, message]: (typeof cases)[number]) => {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
      expect(errorLine(r), args.join(' ')).toMatch(message)
      expect(r.stdout).toBe('')
    }
    // the bad arguments are refused before the data folder is opened, and the reading commands take no
    // lock: those at once; the writers one after the other (each holds the data folder while it looks)
    const writes = (args: string[]) => ['verify', 'resume', 'explain', 'deepen'].includes(args[0])
    await Promise.all(cases.filter(([args, code]) => code === 2 || !writes(args)).map(check))
    for (const c of cases.filter(([args, code]) => code === 1 && writes(args))) await check(c)
    // nothing was made by any of them
    const list = await cli(['verifications', '--json'])
    expect(json(list)).toEqual([])
    expect(list.stderr.trim()).toBe('no verifications yet: verify a skill with `trace2skill verify <skill>`')
  }, 120_000)

  it('verify runs both arms of pasted variations, says the estimate first, and prints the id, its batch and the next command', async () => {
    await writeFile(join(dir, 'pasted.json'), JSON.stringify(PASTED))
    const r = await cli([
      'verify',
      SKILL_NAME,
      '--variations',
      join(dir, 'pasted.json'),
      '--repeats',
      '1',
      '--concurrency',
      '3',
      '--max-turns',
      '10',
      '--budget',
      '0.5',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits'
    ])
    expect(r.code, r.stderr).toBe(0)
    const err = r.stderr.split('\n')
    // before anything runs: what it is, the estimate and its basis, the cap
    expect(err).toContain(
      `verify ${SKILL_NAME} version 1 against no skill: the variations of ${join(dir, 'pasted.json')}, held out; 4 variations x 1 repeat x 2 arms = 8 runs`
    )
    expect(r.stderr).toMatch(
      /^estimate: about \$\d+\.\d\d \(8 runs \(4 variations x 1 x 2 arms\) at \$\d+\.\d{3}, the mean of 2 finished runs it was learned from\)$/m
    )
    expect(err).toContain('cap: at most $4.00 (--budget $0.5 a run x 8 runs)')
    expect(r.stderr).toMatch(/^permissions: Accept edits/m)
    expect(err.findIndex((l) => l.startsWith('estimate:'))).toBeLessThan(err.findIndex((l) => /^Run \d: done /.test(l)))
    // progress as run says it: each of the 8, with the counts; blind, so no cost (it would tell each run's)
    for (let n = 1; n <= 8; n++) expect(err).toContainEqual(expect.stringMatching(new RegExp(`^Run ${n}: done \\[\\d of 8 finished`)))
    expect(err.filter((l) => /^Run \d: /.test(l) && l.includes('$'))).toEqual([])
    // the last to finish says all are
    expect(err.filter((l) => /^Run \d: done \[8 of 8 finished\]$/.test(l))).toHaveLength(1)

    const out = r.stdout.trim().split('\n')
    // blind: no run's folder (its name would lead to its session)
    expect(out.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `Run ${n}: done`))
    const head = out.find((l) => l.startsWith('verification '))!
    expect(head).toMatch(new RegExp(`^verification (\\S+): ${SKILL_NAME} version 1 against no skill: 8 of 8 runs done$`))
    vid = /^verification ([^\s:]+):/.exec(head)![1]
    const batch = out.find((l) => l.startsWith('batch '))!
    expect(batch).toMatch(new RegExp(`^batch (\\S+) "Verify ${SKILL_NAME} v1 against no skill #1" \\(blind: `))
    batchId = /^batch (\S+)/.exec(batch)![1]
    expect(out[out.length - 1]).toMatch(new RegExp(`^next: trace2skill grade ${vid} --file feedback.txt \\(.*\`trace2skill batch ${vid}\``))
    // nothing printed says which run had the skill
    expect(r.stdout + r.stderr).not.toMatch(/Run \d+ with|"arm"/)
  }, 120_000)

  it('batch <verification> shows what each run made, blind; grade <verification> grades it and names the report', async () => {
    const b = json<{ id: string; verificationId: string; runs: Record<string, unknown>[] }>(await cli(['batch', vid, '--json']))
    expect(b).toMatchObject({ id: batchId, verificationId: vid })
    expect(b.runs.map((x) => x.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    for (const x of b.runs) {
      expect(Object.keys(x)).not.toContain('arm')
      // nothing that leads to its session or tells its arm by numbers, until every run is graded
      for (const key of ['sessionId', 'workspace', 'turns', 'toolCalls', 'tokens', 'costUsd']) expect(Object.keys(x)).not.toContain(key)
      expect(x.blind).toBe(true)
      // the installed skill is not among what the run made
      expect(x.files).toEqual(['index.html'])
    }
    const words = await cli(['batch', vid])
    expect(words.stdout).toContain(`blind: the runs of verification ${vid}`)
    // the trace says whether the skill was loaded: not offered while grading blind
    expect(words.stdout).not.toMatch(/trace: trace2skill trace/)

    const g = await gradeByPages(vid, join(dir, 'feedback.txt'))
    expect(g.code, g.stderr).toBe(0)
    const lines = g.stdout.trim().split('\n')
    expect(lines.slice(-2)).toEqual([
      `8 of 8 runs graded in "Verify ${SKILL_NAME} v1 against no skill #1" (8 changed)`,
      `next: trace2skill report ${vid}`
    ])
    // feedback takes the verification too
    const fb = await cli(['feedback', vid])
    expect(fb.stdout).toBe(await readFile(join(dir, 'feedback.txt'), 'utf8'))
  })

  it('report --json equals the values computed by hand, and the words say them', async () => {
    const view = json<VerificationView>(await cli(['report', vid, '--json']))
    expect(view.verification).toMatchObject({ id: vid, batchId, source: 'pasted', heldOut: true, repeats: 1, against: null })
    expect(view.verification.settings).toMatchObject({ permission: 'accept-edits', maxTurns: 10, maxBudgetUsd: 0.5, concurrency: 3 })
    expect(view.status).toMatchObject({ stage: 'complete', runs: 8, finished: 8, unfinished: 0, graded: 8 })
    const r = view.report!
    expect(r.complete).toBe(true)
    // by hand: with the skill the three it fixes are good and the trap is bad (3 of 4); without it only
    // the trap is good (1 of 4). Fixed v1, v2, v3; broken v4; the sign test on 3 and 1: 2 x (1 + 4) / 16
    const c = r.comparison
    expect(c.pairs).toBe(4)
    expect(c.with).toMatchObject({ passed: 3, n: 4, rate: 0.75 })
    expect(c.without).toMatchObject({ passed: 1, n: 4, rate: 0.25 })
    expect(c.difference).toBeCloseTo(0.5, 12)
    expect(c.fixed).toEqual(['v1', 'v2', 'v3'])
    expect(c.broken).toEqual(['v4'])
    expect(c.ties).toBe(0)
    expect(c.p).toBeCloseTo(0.625, 12)
    // Wilson 3 of 4: centre (0.75 + 1.9208/4) / (1 + 3.8415/4) = 0.6275, half 0.3269; 1 of 4 mirrors it
    expect(c.with.ci!.low).toBeCloseTo(0.3006, 3)
    expect(c.with.ci!.high).toBeCloseTo(0.9544, 3)
    expect(c.without.ci!.low).toBeCloseTo(0.0456, 3)
    expect(c.without.ci!.high).toBeCloseTo(0.6994, 3)
    const by = Object.fromEntries(r.byDifficulty.map((d) => [d.difficulty, d]))
    expect(by.normal).toMatchObject({ pairs: 2, fixed: ['v1', 'v2'], broken: [] })
    expect(by.normal.p).toBeCloseTo(0.5, 12)
    expect(by.easy).toMatchObject({ pairs: 1, fixed: ['v3'], broken: [] })
    expect(by.easy.p).toBeCloseTo(1, 12)
    expect(by.adversarial).toMatchObject({ pairs: 1, fixed: [], broken: ['v4'] })
    expect(by.adversarial.p).toBeCloseTo(1, 12)
    // Claude Code loaded the skill in every with-skill run; they took one more turn (the Skill call)
    expect(r.arms.with.trigger).toEqual({ invoked: 4, runs: 4, rate: 1, elsewhere: 0 })
    expect(r.arms.without.trigger).toBeNull()
    expect(r.arms.with.meanTurns).toBe(r.arms.without.meanTurns! + 1)
    expect(r.arms.with.meanToolErrors).toBe(0)
    expect(r.warnings.map((w: { text: string }) => w.text).join(' ')).toMatch(/Only 4 pairs/)

    const words = await cli(['report', vid])
    expect(words.code, words.stderr).toBe(0)
    const text = words.stdout
    const pair = (key: string) => r.pairs.find((p) => p.key === key)!
    expect(text).toContain(
      `verification ${vid}: ${SKILL_NAME} version 1 against no skill; 4 variations x 1 repeat (pasted variations, held out)`
    )
    expect(text).toContain(`batch ${batchId} "Verify ${SKILL_NAME} v1 against no skill #1": complete: 8 runs, 8 done; 8 of 8 graded`)
    expect(text).toContain(
      'pass rate over the 4 pairs graded in both arms:\n  version 1: 3 of 4 (75%, 95% CI 30% to 95%)\n  no skill: 1 of 4 (25%, 95% CI 5% to 70%)'
    )
    expect(text).toContain('  difference: +50 points; p = 0.625 (exact sign test on the 4 pairs that disagree)')
    expect(text).toContain('fixed: 3 pairs (good with version 1, bad with no skill)')
    // each fixed and broken pair with both its runs' numbers and arms
    for (const key of ['v1', 'v2', 'v3', 'v4']) {
      const p = pair(key)
      const [w, o] = key === 'v4' ? ['bad', 'good'] : ['good', 'bad']
      expect(text).toContain(
        `  ${key} (${p.difficulty}): Run ${p.with!.number} with version 1: ${w} - ${w === 'bad' ? 'cluttered, loud cards' : 'clean, three cards'}; Run ${p.without!.number} with no skill: ${o} - `
      )
    }
    expect(text).toContain('broken: 1 pair (bad with version 1, good with no skill)')
    expect(text).toContain('  normal: 2 pairs, 2 of 2 against 0 of 2 (+100 points), 2 fixed, 0 broken, p = 0.500')
    expect(text).toMatch(
      /^ {2}version 1: 4 runs, 4 finished, 4 graded \(good: 3 of 4\); cost \$[\d.]+ \(\$[\d.]+ a run\); [\d.]+ turns, 0\.0 tool errors, [\d.]+ s a run; skill loaded in 4 of 4 runs \(100%\)$/m
    )
    expect(text).toMatch(/^ {2}no skill: 4 runs, 4 finished, 4 graded \(good: 1 of 4\); .*; no skill to load$/m)
    expect(text).toContain('warnings:\n  - Only 4 pairs')
    expect(text).toContain(`next: trace2skill explain ${vid} `)

    // verifications lists it (of every skill, and of this one)
    const list = json<{ id: string; version: number; against: null; status: { stage: string }; comparison: { pairs: number } }[]>(
      await cli(['verifications', SKILL_NAME, '--json'])
    )
    expect(list).toEqual([
      expect.objectContaining({ id: vid, version: 1, against: null, batchId, status: expect.objectContaining({ stage: 'complete' }) })
    ])
    expect(list[0].comparison.pairs).toBe(4)
    const row = (await cli(['verifications'])).stdout.trim()
    expect(row).toMatch(
      new RegExp(
        `^${vid}\\t${SKILL_NAME} v1 against no skill\\tcomplete: 8 runs, 8 done; 8 of 8 graded; \\$[\\d.]+\\t3/4 against 1/4 \\(\\+50 points, p = 0\\.625\\)\\t`
      )
    )
  })

  it('a verify killed while its runs run: report reads them as interrupted, resume finishes them', async () => {
    slow = true
    // fresh variations (the default), version 1, the rest of the settings as the learned batch ran
    const child = spawn(process.execPath, [BIN, 'verify', SKILL_NAME, '--version', '1', '--repeats', '1', '--concurrency', '3', '--json'], {
      env: { ...process.env, ...env() }
    })
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    const exited = new Promise<number | string | null>((ok) => child.on('close', (code, sig) => ok(code ?? sig)))
    let id = ''
    try {
      const deadline = Date.now() + 60_000
      // the batch made, and three runs waiting on the model (the fourth queued)
      while (!(id && script.requests.filter((q) => q.kind === 'run' && JSON.stringify(q.body).includes('fresh: ')).length >= 3)) {
        if (Date.now() > deadline) throw new Error(`verify did not start its runs: ${err}`)
        id = /^verification (\S+): batch /m.exec(err)?.[1] ?? ''
        await new Promise((r) => setTimeout(r, 200))
      }
      expect(err).toMatch(/^writing 2 fresh variations from the task/m)
      expect(err).toMatch(/^2 fresh variations written$/m)
      // read-only beside it: still running, nobody said to have stopped
      const live = await cli(['report', id, '--json'])
      expect(json<VerificationView>(live).status).toMatchObject({ stage: 'running', runs: 4 })
      expect(live.stderr).not.toMatch(/has stopped/)
    } finally {
      child.kill('SIGKILL')
    }
    expect(await exited).toBe('SIGKILL')
    slow = false

    const after = await cli(['report', id, '--json'])
    const view = json<VerificationView>(after)
    expect(view.verification.variations.map((x) => x.prompt).sort()).toEqual(FRESH.map((x) => x.prompt).sort())
    // the learned batch's settings, as none were given
    expect(view.verification.settings).toMatchObject({ permission: 'accept-edits', maxTurns: 10, claudePath: CLAUDE_BIN, concurrency: 3 })
    expect(view.status).toMatchObject({ stage: 'grading', runs: 4, queued: 0, running: 0, unfinished: 4, graded: 0 })
    expect(after.stderr).toContain(
      `but the trace2skill that ran them has stopped (pid ${child.pid}): they count as interrupted; \`trace2skill resume ${id}\` runs them again`
    )
    const listed = json<{ id: string; status: { unfinished: number } }[]>(await cli(['verifications', '--json']))
    expect(listed.find((x) => x.id === id)!.status.unfinished).toBe(4)

    const resumed = await cli(['resume', id, '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(/4 runs were in flight when the app stopped; they are marked interrupted/)
    expect(resumed.stderr).toMatch(new RegExp(`^verification ${id}: batch \\S+ ".*": running again Run \\d \\(interrupted\\), `, 'm'))
    const got = JSON.parse(resumed.stdout)
    expect(got).toMatchObject({
      verificationId: id,
      status: { stage: 'grading', runs: 4, finished: 4, unfinished: 0 },
      next: `trace2skill grade ${id} --file feedback.txt`
    })
    expect(got.runs.map((x: { state: string }) => x.state)).toEqual(['done', 'done', 'done', 'done'])
    // blind: no run says its arm
    expect(resumed.stdout).not.toMatch(/"arm"|"with"|"without"/)
    // and nothing is left to resume
    const again = await cli(['resume', id])
    expect(again.code).toBe(1)
    expect(errorLine(again)).toBe(
      `trace2skill: nothing to resume: every run of verification ${id} has finished; grade them: trace2skill grade ${id} --file feedback.txt`
    )
  }, 120_000)

  it('explain says which rules the fixed and broken pairs followed; deepen makes the next version and says how to verify it', async () => {
    const e = await cli(['explain', vid])
    expect(e.code, e.stderr).toBe(0)
    const view = json<VerificationView>(await cli(['report', vid, '--json']))
    const pair = (key: string) => view.report!.pairs.find((p) => p.key === key)!
    for (const key of ['v1', 'v2', 'v3', 'v4']) {
      const p = pair(key)
      const kind = key === 'v4' ? 'broken' : 'fixed'
      expect(e.stdout).toContain(
        `${key}, ${kind} (Run ${p.with!.number} with version 1: ${kind === 'fixed' ? 'good' : 'bad'}; Run ${p.without!.number} with no skill: ${kind === 'fixed' ? 'bad' : 'good'}):\n  followed: `
      )
      expect(e.stdout).toMatch(new RegExp(`- wrote three cards \\(Run ${p.with!.number} line \\d+\\)`))
      expect(view.verification.explanations[key].state).toBe('done')
    }
    expect(e.stdout).toMatch(/^explained 4 of 4 pairs \(\$[\d.]+\)$/m)
    expect(e.stdout).toContain(`next: trace2skill deepen ${vid}`)

    const d = await cli(['deepen', vid])
    expect(d.code, d.stderr).toBe(0)
    expect(d.stdout).toMatch(new RegExp(`^analysis \\S+: done \\(8 runs of verification ${vid}, both arms; `, 'm'))
    expect(d.stdout).toMatch(new RegExp(`\\(${SKILL_NAME}\\): version 2: `))
    expect(d.stdout).toContain(
      `next: trace2skill verify ${SKILL_NAME} --version 2 (against no skill; --against 1 compares it with the version verified)`
    )
    // the report no longer offers deepen: the next step is the new version's verification
    const after = await cli(['report', vid])
    expect(after.stdout).toContain(
      `next: trace2skill verify ${SKILL_NAME} --version 2 (against no skill; --against 1 compares it with the version verified)`
    )
    expect(after.stdout).not.toContain('trace2skill deepen')
    // the analysts were told which arm each run was in
    expect(JSON.stringify(script.requests.filter((q) => q.kind === 'analyst').slice(-1)[0].body)).toMatch(/FIXED by the skill/)
    // version 2 against version 1 is now a verification to ask for; against itself is not
    const same = await cli(['verify', SKILL_NAME, '--against', '2'])
    expect(same.code).toBe(2)
    expect(errorLine(same)).toMatch(/--against 2 is the version verified \(the newest/)
  }, 120_000)
})
