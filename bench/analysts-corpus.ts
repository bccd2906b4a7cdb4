/**
 * The analysts benchmark's batch: runs of realistic size written as the runner leaves them. Each run
 * has a session in Claude Code 2.1's on-disk format (about 40 tool calls: reads, searches, commands,
 * the files written in full, some errors, a sub-agent in some), its final files in its own folder
 * (20-50 KB), and one desktop screenshot, a real PNG 1280 px wide and 2,000-4,000 px tall. The batch is
 * added to the store as test/support/planted.ts does. Seeded, so every run of the benchmark reads the
 * same bytes.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import type { Service } from '../src/main/app/service'
import type { Run } from '../src/shared/runs'
import { rng } from './generate'
import { addGradedBatch, finishedRun, sessionLines, type Step } from '../test/support/sessions'

/** The usage each assistant line of a generated session carries. */
const SESSION_USAGE = { input_tokens: 12, output_tokens: 180, cache_read_input_tokens: 18_000, cache_creation_input_tokens: 900 }

export type Kind = 'good' | 'cluttered' | 'errors' | 'detour'
const KINDS: Kind[] = ['good', 'cluttered', 'errors', 'detour']
const FEEDBACK: Record<Kind, string> = {
  good: 'Clean and calm: a clear header, three cards, readable.',
  cluttered: 'Cluttered: far too many cards and loud colours.',
  errors: 'Half-finished: the pricing section is missing.',
  detour: 'Fine in the end, but it took ages and left stray files.'
}

const WORDS =
  'the page card header layout colour contrast button section pricing feature grid mobile desktop font spacing margin padding hero image footer link form input validation build test server error config style script deploy'.split(
    ' '
  )
const sentence = (r: () => number, n: number) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ')

/** A page of about `bytes` bytes: a header, `cards` cards, sections of text. */
function page(r: () => number, bytes: number, cards: number, loud: boolean): string {
  const css = loud
    ? 'body{font-family:Impact;background:#ff2d2d;color:#ffe36e}.card{background:#ffe36e;color:#d00;padding:4px}'
    : 'body{font-family:system-ui,sans-serif;background:#f4f6fb;color:#1d2433}header{background:#2b59c3;color:#fff;padding:64px 32px}.card{background:#fff;border-radius:8px;padding:24px}'
  const parts = [
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Acme</title>\n<style>${css}</style>\n</head>\n<body>`,
    '<header><h1>Acme</h1><p>Ship faster with less.</p><a class="cta" href="#start">Get started</a></header>',
    `<main class="grid">${Array.from({ length: cards }, (_, i) => `<div class="card"><h3>Feature ${i + 1}</h3><p>${sentence(r, 12)}</p></div>`).join('\n')}</main>`
  ]
  let i = 0
  while (parts.join('\n').length < bytes - 200)
    parts.push(`<section id="s${++i}"><h2>${sentence(r, 4)}</h2>\n<p>${sentence(r, 60)}</p>\n<p>${sentence(r, 40)}</p></section>`)
  parts.push('<footer>© Acme</footer>\n</body>\n</html>\n')
  return parts.join('\n')
}

/** A stylesheet of about `bytes` bytes. */
function stylesheet(r: () => number, bytes: number): string {
  const out: string[] = []
  let i = 0
  while (out.join('\n').length < bytes)
    out.push(
      `.block-${++i} {\n  margin: ${Math.floor(r() * 48)}px auto;\n  padding: ${Math.floor(r() * 32)}px;\n  color: #${Math.floor(
        r() * 0xffffff
      )
        .toString(16)
        .padStart(6, '0')};\n  /* ${sentence(r, 8)} */\n}`
    )
  return out.join('\n')
}

/** ~40 tool calls of a run of kind `kind`, writing `files`. */
function stepsOf(r: () => number, kind: Kind, files: Record<string, string>): Step[] {
  const steps: Step[] = []
  const listing = Array.from({ length: 30 }, (_, i) => `src/${WORDS[i % WORDS.length]}-${i}.ts`).join('\n')
  steps.push({ text: 'I will look at the workspace first.', tool: { name: 'Bash', input: { command: 'ls -la' }, result: listing } })
  steps.push({ tool: { name: 'Glob', input: { pattern: '**/*.html' }, result: 'No files found' } })
  const calls = 34 + Math.floor(r() * 8)
  const writes = Object.entries(files)
  for (let i = 0; steps.length < calls; i++) {
    const at = steps.length
    if (kind === 'errors' && (at === 9 || at === 21 || at === 30))
      steps.push({
        text: 'Running the build.',
        tool: {
          name: 'Bash',
          input: { command: 'npm run build' },
          result: `Error: ENOENT: no such file or directory, open '/workspace/config/pricing.json'\n    at Object.openSync (node:fs:${590 + i}:3)\n${sentence(r, 80)}`,
          isError: true
        }
      })
    else if (kind === 'detour' && at === 12)
      steps.push({
        text: 'I will ask a helper to survey the assets.',
        tool: {
          name: 'Task',
          input: { description: 'Survey the assets', prompt: 'List the image assets and their sizes.', subagent_type: 'general-purpose' },
          result: 'The hero image is 4.2 MB; the rest are small.',
          agent: Array.from({ length: 6 }, (_, k) => ({
            text: `Checking asset ${k + 1}.`,
            tool: { name: 'Bash', input: { command: `du -h assets/img-${k}.png` }, result: `${(r() * 5).toFixed(1)}M assets/img-${k}.png` }
          }))
        }
      })
    else if (kind === 'detour' && at % 7 === 0)
      steps.push({
        text: 'Keeping notes of progress.',
        tool: { name: 'Write', input: { file_path: `notes-${at}.txt`, content: sentence(r, 200) }, result: 'File created successfully' }
      })
    else if (at % 5 === 0)
      steps.push({
        tool: {
          name: 'Read',
          input: { file_path: `src/${WORDS[at % WORDS.length]}.ts` },
          result: Array.from({ length: 40 + Math.floor(r() * 60) }, (_, k) => `${String(k + 1).padStart(5)}\t${sentence(r, 9)}`).join('\n')
        }
      })
    else if (at % 5 === 1)
      steps.push({
        tool: {
          name: 'Grep',
          input: { pattern: WORDS[at % WORDS.length], path: 'src' },
          result: Array.from({ length: 10 }, (_, k) => `src/file-${k}.ts:${k * 7 + 3}: ${sentence(r, 10)}`).join('\n')
        }
      })
    else if (at % 5 === 2)
      steps.push({
        text: sentence(r, 30),
        tool: { name: 'Bash', input: { command: `npx prettier --check page-${at}.html` }, result: sentence(r, 40 + Math.floor(r() * 200)) }
      })
    else if (at % 5 === 3 && writes.length) {
      const [path, content] = writes.shift()!
      steps.push({
        text: `Writing ${path}.`,
        tool: { name: 'Write', input: { file_path: path, content }, result: 'File created successfully' }
      })
    } else
      steps.push({
        tool: {
          name: 'Edit',
          input: { file_path: 'index.html', old_string: sentence(r, 8), new_string: sentence(r, 10) },
          result: 'The file index.html has been updated.'
        }
      })
  }
  for (const [path, content] of writes)
    steps.push({
      text: `Writing ${path}.`,
      tool: { name: 'Write', input: { file_path: path, content }, result: 'File created successfully' }
    })
  steps.push({ text: `Done: wrote ${Object.keys(files).join(', ')}. ${sentence(r, 20)}` })
  return steps
}

/** A page-like screenshot: a header band, a grid of cards, lines of "text" (runs of dark pixels). */
export function screenshotPng(r: () => number, width: number, height: number, loud: boolean, cards: number): Buffer {
  const png = new PNG({ width, height })
  const raw = png.data
  const bg = loud ? [0xff, 0x2d, 0x2d] : [0xf4, 0xf6, 0xfb]
  const head = loud ? [0xd0, 0x00, 0x00] : [0x2b, 0x59, 0xc3]
  const card = loud ? [0xff, 0xe3, 0x6e] : [0xff, 0xff, 0xff]
  const cols = Math.min(4, Math.max(1, cards))
  const cardW = Math.floor((width - 64 - (cols - 1) * 24) / cols)
  const rowsOfCards = Math.ceil(cards / cols)
  // the "text" of each line: runs of glyph-like dark pixels, fixed per line for compression like a real page
  const glyphs = Array.from({ length: 64 }, () => Array.from({ length: width }, () => r() < 0.35))
  for (let y = 0; y < height; y++) {
    const o = y * width * 4
    const inHead = y < 200
    const cardRow = Math.floor((y - 240) / 260)
    const inCards = y >= 240 && cardRow < rowsOfCards && (y - 240) % 260 < 236
    const textLine = (y % 22) - 6
    const glyph = textLine >= 0 && textLine < 10 ? glyphs[Math.floor(y / 22) % glyphs.length] : null
    for (let x = 0; x < width; x++) {
      let c = bg
      if (inHead) c = head
      else if (inCards) {
        const col = Math.floor((x - 32) / (cardW + 24))
        const inCard = x >= 32 && col < cols && (x - 32) % (cardW + 24) < cardW && cardRow * cols + col < cards
        if (inCard) c = card
      }
      const dark = glyph && x > 48 && x < width - 48 && glyph[x] && (y > 240 + rowsOfCards * 260 || inHead || inCards)
      const p = o + x * 4
      raw[p + 3] = 0xff
      if (dark) {
        raw[p] = inHead ? 0xff : 0x1d
        raw[p + 1] = inHead ? 0xff : 0x24
        raw[p + 2] = inHead ? 0xff : 0x33
      } else {
        raw[p] = c[0]
        raw[p + 1] = c[1]
        raw[p + 2] = c[2]
      }
    }
  }
  return PNG.sync.write(png, { colorType: 2 })
}

export interface BenchRun {
  number: number
  kind: Kind
  sessionId: string
  /** the session file (the drill-down's evidence for the analyst alone) */
  file: string
  toolCalls: number
  outputBytes: number
  shot: { width: number; height: number; bytes: number }
}

export interface BenchBatch {
  batchId: string
  runs: Run[]
  info: BenchRun[]
  /** bytes of the session files (main and sub-agents) */
  sessionBytes: number
}

/**
 * Writes `count` runs: sessions under `<configDir>/projects/<slug>/`, folders and screenshots under
 * `dataDir`. Call before the service starts (its index finds the sessions); then `addBatch`.
 */
export async function writeBatch(configDir: string, dataDir: string, count: number, seed = 7): Promise<BenchBatch> {
  const project = join(configDir, 'projects', '-tmp-bench-analysts')
  await mkdir(project, { recursive: true })
  const batchId = randomUUID()
  const runs: Run[] = []
  const info: BenchRun[] = []
  let sessionBytes = 0
  for (let number = 1; number <= count; number++) {
    const r = rng(seed * 1000 + number)
    const kind = KINDS[(number - 1) % KINDS.length]
    const id = randomUUID()
    const sessionId = randomUUID()
    const workspace = join(dataDir, 'workspaces', `run-${number}`)
    await mkdir(workspace, { recursive: true })
    // 20-50 KB of final files: the page and its stylesheet
    const total = 20_000 + Math.floor(r() * 30_000)
    const cards = kind === 'cluttered' ? 12 : 3
    const files: Record<string, string> = {
      'index.html': page(r, Math.floor(total * 0.65), cards, kind === 'cluttered'),
      'styles.css': stylesheet(r, Math.floor(total * 0.35))
    }
    if (kind === 'detour') files['notes-final.txt'] = sentence(r, 150)
    for (const [path, text] of Object.entries(files)) await writeFile(join(workspace, path), text)
    const prompt = `Build a landing page for Acme (variation ${number}): a header with one call to action, the features, pricing.`
    const steps = stepsOf(r, kind, files)
    const subagents: { id: string; lines: string }[] = []
    const main = sessionLines(sessionId, workspace, prompt, steps, { subagents, stepMs: 4000, usage: SESSION_USAGE })
    const file = join(project, `${sessionId}.jsonl`)
    await writeFile(file, main)
    sessionBytes += Buffer.byteLength(main)
    if (subagents.length) {
      const dir = join(project, sessionId, 'subagents')
      await mkdir(dir, { recursive: true })
      for (const s of subagents) {
        await writeFile(join(dir, `agent-${s.id}.jsonl`), s.lines)
        sessionBytes += Buffer.byteLength(s.lines)
      }
    }
    const height = 2000 + Math.floor(r() * 2000)
    const png = screenshotPng(r, 1280, height, kind === 'cluttered', cards)
    const shotsDir = join(dataDir, 'runs', id, 'screenshots')
    await mkdir(shotsDir, { recursive: true })
    const shotFile = join(shotsDir, '1-index.html-desktop.png')
    await writeFile(shotFile, png)
    const outputBytes = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0)
    info.push({
      number,
      kind,
      sessionId,
      file,
      toolCalls: steps.filter((s) => s.tool).length,
      outputBytes,
      shot: { width: 1280, height, bytes: png.length }
    })
    runs.push(
      finishedRun({
        id,
        batchId,
        number,
        prompt,
        workspace,
        sessionId,
        result: `Done: wrote ${Object.keys(files).join(', ')}.`,
        files,
        shot: { file: shotFile, height, bytes: png.length }
      })
    )
  }
  return { batchId, runs, info, sessionBytes }
}

/** Adds the batch to the store (as the runner would) and grades every run. */
export const addBatch = (service: Service, b: BenchBatch) =>
  addGradedBatch(service, {
    batchId: b.batchId,
    name: 'Landing pages (bench)',
    runs: b.runs,
    grades: b.info.map((i) => ({
      number: i.number,
      label: i.kind === 'good' ? ('good' as const) : ('bad' as const),
      feedback: FEEDBACK[i.kind]
    }))
  })
