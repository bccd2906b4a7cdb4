/**
 * A batch where the answer is known and each telling fact sits where a condensed context loses it:
 * deep inside a written file (run 2), in the middle of a 200-step run (run 3), only in a sub-agent's
 * transcript (run 4), and only in the screenshots: two runs with the same text and different styling
 * (runs 5 and 6). Sessions are written in Claude Code 2.1's on-disk format; the runs' folders, files
 * and screenshots (real PNGs) are made here, and the batch is added to the store as the runner would.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Jimp } from 'jimp'
import type { Service } from '../../src/main/app/service'
import { addGradedBatch, finishedRun, sessionLines, type Step } from './sessions'
import type { Run } from '../../src/shared/runs'
import type { ProposedRule } from '../../src/shared/skills'

export const FACTS = {
  deepFile: 'PLANTED-DEEP-FILE: nine yellow Deal cards crammed under the fold',
  midError: 'PLANTED-MID-ERROR: EADDRINUSE 127.0.0.1:5173',
  subagent: 'PLANTED-SUBAGENT: the hero image is 4.2 MB and blocks the first paint'
}
/** Pixel colours of the two screenshots that differ only in styling (same text). */
export const SHOT_COLOURS = { calm: 0xf4f6fbff, loud: 0xff2d2dff }

const CALM_CSS = 'body{font-family:sans-serif;background:#f4f6fb;color:#1d2433}'
const LOUD_CSS = 'body{font-family:Impact;background:#ff2d2d;color:#ffe36e}'
const PAGE = (css: string, body: string) => `<!doctype html><html><head><style>${css}</style></head><body>${body}</body></html>\n`
const CARDS = (n: number) => Array.from({ length: n }, (_, i) => `<div class="card">Feature ${i + 1}</div>`).join('\n')

async function png(colour: number, width = 1280, height = 2000): Promise<Buffer> {
  const img = new Jimp({ width, height, color: colour })
  // a dark band at the top, as a page's header
  for (let y = 0; y < 120; y++) for (let x = 0; x < width; x++) img.setPixelColor(0x1d2433ff, x, y)
  return img.getBuffer('image/png')
}

/**
 * The helper good runs 1 and 5 both wrote (with `helpers`): a link check, the same file in both; bad
 * run 2 wrote one of its own. What a scripted analyst proposes as scripts/check-links.sh.
 */
export const HELPER = {
  path: 'tools/check-links.sh',
  good: '#!/bin/sh\n# every local link of index.html must exist\nfor f in $(grep -o \'href="[^"#:]*"\' index.html | cut -d\'"\' -f2); do\n  [ -e "$f" ] || { echo "missing: $f"; exit 1; }\ndone\necho "links ok"\n',
  bad: '#!/bin/sh\necho "links ok"\n'
}

/** What a scripted analyst proposes for HELPER: a rule that says when to run it, with the script from good runs 1 and 5's real file. */
export const HELPER_RULE: ProposedRule = {
  rule: 'Before reporting, run scripts/check-links.sh and fix every missing link',
  evidence: [1, 5],
  priority: 'high',
  reason: 'runs 1 and 5 checked their links with the same script',
  script: { name: 'check-links.sh', from: [1, 5].map((run) => ({ run, file: HELPER.path })) }
}

export interface PlantedBatch {
  batchId: string
  runs: Run[]
  grades: { number: number; label: 'good' | 'bad'; feedback: string }[]
}

/**
 * Writes the sessions under `<configDir>/projects/<slug>/` and the runs' folders and screenshots
 * under `dataDir` (before the service starts, so it finds the sessions); `addPlanted` then adds the
 * batch to the store and grades every run.
 */
export async function plantedFiles(
  configDir: string,
  dataDir: string,
  opts: { resultChars?: number; helpers?: boolean } = {}
): Promise<PlantedBatch> {
  const slug = '-tmp-planted'
  const project = join(configDir, 'projects', slug)
  await mkdir(project, { recursive: true })
  const batchId = randomUUID()
  const filler = (n: number) => 'x'.repeat(n)
  const resultChars = opts.resultChars ?? 300

  // The long file of run 2: 30 KB, the telling part in its middle.
  const longBody = `${'<p>Intro text. </p>\n'.repeat(700)}<section>${FACTS.deepFile}\n${Array.from({ length: 9 }, (_, i) => `<div class="card" style="background:#ffe36e">Deal ${i + 1}</div>`).join('\n')}</section>\n${'<p>Footer text. </p>\n'.repeat(700)}`

  const specs: {
    number: number
    label: 'good' | 'bad'
    feedback: string
    prompt: string
    steps: Step[]
    files: Record<string, string>
    shot: number
    subagent?: { id: string; steps: Step[] }
  }[] = [
    {
      number: 1,
      label: 'good',
      feedback: 'Clean, three cards, easy to read.',
      prompt: 'Build a landing page for Acme.',
      steps: [
        {
          text: 'I will write the page.',
          tool: { name: 'Write', input: { file_path: 'index.html', content: PAGE(CALM_CSS, CARDS(3)) }, result: 'File created' }
        }
      ],
      files: { 'index.html': PAGE(CALM_CSS, CARDS(3)) },
      shot: SHOT_COLOURS.calm
    },
    {
      number: 2,
      label: 'bad',
      feedback: 'Cluttered: far too many cards.',
      prompt: 'Build a landing page for Acme with deals.',
      steps: [
        {
          text: 'Writing the page.',
          tool: { name: 'Write', input: { file_path: 'index.html', content: PAGE(CALM_CSS, longBody) }, result: 'File created' }
        }
      ],
      files: { 'index.html': PAGE(CALM_CSS, longBody) },
      shot: SHOT_COLOURS.calm
    },
    {
      number: 3,
      label: 'bad',
      feedback: 'It never finished: no page.',
      prompt: 'Build a landing page for Acme and preview it.',
      steps: Array.from({ length: 200 }, (_, i): Step =>
        i === 100
          ? {
              text: 'Starting the dev server.',
              tool: { name: 'Bash', input: { command: 'npm run dev' }, result: `Error: listen ${FACTS.midError}`, isError: true }
            }
          : { text: `Step ${i}.`, tool: { name: 'Bash', input: { command: `ls step-${i}` }, result: `step-${i} ${filler(resultChars)}` } }
      ),
      files: { 'notes.txt': 'unfinished' },
      shot: SHOT_COLOURS.calm
    },
    {
      number: 4,
      label: 'bad',
      feedback: 'Slow to show anything.',
      prompt: 'Build a landing page for Acme with a hero image.',
      steps: [
        {
          text: 'I will ask a helper to check the assets.',
          tool: {
            name: 'Task',
            input: { description: 'Check the assets', prompt: 'Check the assets.', subagent_type: 'general-purpose' },
            result: 'Checked.'
          }
        }
      ],
      subagent: {
        id: 'a4planted',
        steps: [
          { text: 'Looking at the assets.', tool: { name: 'Bash', input: { command: 'du -h hero.png' }, result: '4.2M hero.png' } },
          { text: FACTS.subagent }
        ]
      },
      files: { 'index.html': PAGE(CALM_CSS, '<img src="hero.png">') },
      shot: SHOT_COLOURS.calm
    },
    {
      number: 5,
      label: 'good',
      feedback: 'Calm and readable.',
      prompt: 'Build a landing page for Acme, quiet colours.',
      steps: [
        {
          text: 'Writing.',
          tool: { name: 'Write', input: { file_path: 'index.html', content: PAGE(CALM_CSS, CARDS(3)) }, result: 'File created' }
        }
      ],
      files: { 'index.html': PAGE(CALM_CSS, CARDS(3)) },
      shot: SHOT_COLOURS.calm
    },
    {
      number: 6,
      label: 'bad',
      feedback: 'Hard to read: the colours shout.',
      prompt: 'Build a landing page for Acme, bold colours.',
      steps: [
        {
          text: 'Writing.',
          tool: { name: 'Write', input: { file_path: 'index.html', content: PAGE(LOUD_CSS, CARDS(3)) }, result: 'File created' }
        }
      ],
      files: { 'index.html': PAGE(LOUD_CSS, CARDS(3)) },
      shot: SHOT_COLOURS.loud
    }
  ]

  const runs: Run[] = []
  for (const s of specs) {
    const id = randomUUID()
    const sessionId = randomUUID()
    const workspace = join(dataDir, 'workspaces', `run-${s.number}`)
    await mkdir(workspace, { recursive: true })
    for (const [path, text] of Object.entries(s.files)) await writeFile(join(workspace, path), text)
    // the same helper in good runs 1 and 5, another in bad run 2 (HELPER)
    const helper = opts.helpers ? (s.number === 1 || s.number === 5 ? HELPER.good : s.number === 2 ? HELPER.bad : undefined) : undefined
    if (helper) {
      s.files[HELPER.path] = helper
      await mkdir(join(workspace, 'tools'), { recursive: true })
      await writeFile(join(workspace, HELPER.path), helper)
    }
    const steps = [...s.steps]
    await writeFile(join(project, `${sessionId}.jsonl`), sessionLines(sessionId, workspace, s.prompt, steps))
    if (s.subagent) {
      const dir = join(project, sessionId, 'subagents')
      await mkdir(dir, { recursive: true })
      await writeFile(
        join(dir, `agent-${s.subagent.id}.jsonl`),
        sessionLines(sessionId, workspace, 'Check the assets.', s.subagent.steps, { agentId: s.subagent.id })
      )
    }
    const shotsDir = join(dataDir, 'runs', id, 'screenshots')
    await mkdir(shotsDir, { recursive: true })
    const shotFile = join(shotsDir, '1-index.html-desktop.png')
    const buf = await png(s.shot)
    await writeFile(shotFile, buf)
    // run 6 has a mobile screenshot too (shown only when asked for)
    const mobileFile = join(shotsDir, '1-index.html-mobile.png')
    const mobile = s.number === 6 ? await png(s.shot, 390, 1200) : null
    if (mobile) await writeFile(mobileFile, mobile)
    runs.push(
      finishedRun({
        id,
        batchId,
        number: s.number,
        prompt: s.prompt,
        workspace,
        sessionId,
        result: 'Done.',
        files: s.files,
        shot: { file: shotFile, height: 2000, bytes: buf.length },
        ...(mobile ? { mobile: { file: mobileFile, height: 1200, bytes: mobile.length } } : {})
      })
    )
  }
  return { batchId, runs, grades: specs.map((s) => ({ number: s.number, label: s.label, feedback: s.feedback })) }
}

export const addPlanted = (service: Service, p: PlantedBatch) => addGradedBatch(service, { ...p, name: 'Planted facts' })
