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
import { emptyProgress, RunSettingsSchema, type Run } from '../../src/shared/runs'

export const FACTS = {
  deepFile: 'PLANTED-DEEP-FILE: nine yellow Deal cards crammed under the fold',
  midError: 'PLANTED-MID-ERROR: EADDRINUSE 127.0.0.1:5173',
  subagent: 'PLANTED-SUBAGENT: the hero image is 4.2 MB and blocks the first paint'
}
/** Pixel colours of the two screenshots that differ only in styling (same text). */
export const SHOT_COLOURS = { calm: 0xf4f6fbff, loud: 0xff2d2dff }

type Step = { text?: string; tool?: { name: string; input: unknown; result: string; isError?: boolean } }

/** A session file's lines: the prompt, then each step as an assistant message and its tool result. */
function sessionLines(sessionId: string, cwd: string, prompt: string, steps: Step[], opts: { agentId?: string } = {}): string {
  const lines: string[] = []
  let parent: string | null = null
  let t = Date.UTC(2026, 10, 20, 10)
  const common = () => ({
    isSidechain: !!opts.agentId,
    ...(opts.agentId ? { agentId: opts.agentId } : {}),
    userType: 'external',
    entrypoint: 'sdk-cli',
    cwd,
    sessionId,
    version: '2.1.330',
    timestamp: new Date((t += 1000)).toISOString()
  })
  const node = (o: object) => {
    const uuid = randomUUID()
    lines.push(JSON.stringify({ parentUuid: parent, ...o, uuid, ...common() }))
    parent = uuid
  }
  node({ type: 'user', message: { role: 'user', content: prompt } })
  const usage = { input_tokens: 10, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 }
  for (const [i, s] of steps.entries()) {
    const id = `msg_${i}_${randomUUID().slice(0, 8)}`
    const assistant = (content: object[]) =>
      node({ type: 'assistant', message: { id, type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', content, usage } })
    if (s.text) assistant([{ type: 'text', text: s.text }])
    if (s.tool) {
      const toolId = `toolu_${i}_${randomUUID().slice(0, 8)}`
      assistant([{ type: 'tool_use', id: toolId, name: s.tool.name, input: s.tool.input }])
      node({
        type: 'user',
        message: {
          role: 'user',
          content: [{ tool_use_id: toolId, type: 'tool_result', content: s.tool.result, is_error: !!s.tool.isError }]
        }
      })
    }
  }
  return lines.join('\n') + '\n'
}

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
export async function plantedFiles(configDir: string, dataDir: string, opts: { resultChars?: number } = {}): Promise<PlantedBatch> {
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
    runs.push({
      id,
      batchId,
      number: s.number,
      prompt: s.prompt,
      repeat: 1,
      state: 'done',
      workspace,
      sessionId,
      progress: emptyProgress(),
      result: 'Done.',
      files: Object.entries(s.files).map(([path, text]) => ({
        path,
        status: 'added' as const,
        bytes: Buffer.byteLength(text),
        binary: false
      })),
      screenshots: [
        {
          html: 'index.html',
          shots: [
            {
              label: 'desktop',
              width: 1280,
              height: 2000,
              file: shotFile,
              bytes: buf.length,
              blank: false,
              timedOut: false,
              blockedRequests: []
            }
          ]
        }
      ],
      imported: false
    })
  }
  return { batchId, runs, grades: specs.map((s) => ({ number: s.number, label: s.label, feedback: s.feedback })) }
}

export async function addPlanted(service: Service, p: PlantedBatch): Promise<void> {
  await service.store.batches.add(
    {
      id: p.batchId,
      name: 'Planted facts',
      createdAt: new Date().toISOString(),
      settings: RunSettingsSchema.parse({}),
      runIds: p.runs.map((r) => r.id)
    },
    p.runs
  )
  for (const g of p.grades) await service.handlers.saveFeedback({ runId: p.runs[g.number - 1].id, label: g.label, text: g.feedback })
}
