/**
 * A small watchdog between the app and a `claude` it starts (POSIX), so that a run's limits hold even
 * when the app is gone: it starts the command in its own process group (the watchdog leads it), passes
 * the output straight through (the command writes to the app's pipes itself), and ends the whole group,
 * and every process carrying the run's marker in its environment (Linux: found in /proc, so one that
 * left the group with `setsid` is found too), when
 * - the deadline passes (the run's timeout, with a margin: the app ends the run first while it lives),
 * - the app dies (its end of the watchdog's stdin closes, or the watchdog's parent changes), or
 * - the app ends the group (SIGTERM reaches the watchdog too).
 * Otherwise it exits as the command did (the same code, or the same signal).
 *
 * It is Node code run with `node -e` (Electron's own binary with ELECTRON_RUN_AS_NODE=1 in the app),
 * so no file has to be found at run time. Electron-free.
 */

export interface WatchdogOptions {
  /** end everything this long after the start */
  deadlineMs: number
  /** after SIGTERM, how long before SIGKILL */
  graceMs?: number
}

export interface WatchdogConfig {
  command: string
  args: string[]
  deadlineMs: number
  graceMs: number
  /** `NAME=value`: a process whose environment holds it belongs to the run */
  marker?: string
  /** variables only the watchdog needed (ELECTRON_RUN_AS_NODE): not passed on */
  unset: string[]
}

/** The watchdog itself: plain CommonJS, no dependencies. argv[1] is its WatchdogConfig as JSON. */
export const WATCHDOG_SOURCE = String.raw`
'use strict'
const { spawn } = require('child_process')
const fs = require('fs')
const o = JSON.parse(process.argv[1])
for (const k of o.unset) delete process.env[k]
const linux = process.platform === 'linux'
const self = process.pid
const needle = o.marker ? Buffer.from(o.marker + '\0') : null
/** Linux: every other process in our group or carrying the marker */
const others = () => {
  if (!linux) return []
  const out = []
  let names = []
  try { names = fs.readdirSync('/proc') } catch (e) { return out }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === self) continue
    try {
      const stat = fs.readFileSync('/proc/' + name + '/stat', 'utf8')
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      let ours = pgrp === self
      if (!ours && needle) {
        const env = fs.readFileSync('/proc/' + name + '/environ')
        ours = env.indexOf(needle) === 0 || env.indexOf(Buffer.concat([Buffer.from([0]), needle])) >= 0
      }
      if (ours) out.push(Number(name))
    } catch (e) { /* gone, or not ours to read */ }
  }
  return out
}
const kill = (pid, sig) => { try { process.kill(pid, sig) } catch (e) { /* gone */ } }
let status = null
let ending = false
const finish = () => {
  if (!status) return
  if (status.signal) {
    process.removeAllListeners('SIGTERM')
    kill(self, status.signal)
  }
  process.exit(status.code == null ? 1 : status.code)
}
const child = spawn(o.command, o.args, { stdio: ['ignore', 'inherit', 'inherit'], env: process.env })
child.on('error', (e) => {
  process.stderr.write(String(e && e.message) + '\n')
  status = { code: e && e.code === 'ENOENT' ? 127 : 126, signal: null }
  finish()
})
const endAll = () => {
  if (ending) return
  ending = true
  // TERM to the group (we ignore it: we stay to finish the job) and to everything marked
  kill(-self, 'SIGTERM')
  for (const p of others()) kill(p, 'SIGTERM')
  setTimeout(() => {
    if (linux) {
      for (const p of others()) kill(p, 'SIGKILL')
      kill(child.pid, 'SIGKILL')
      setTimeout(finish, 100)
    } else kill(-self, 'SIGKILL')
  }, o.graceMs)
}
child.on('exit', (code, signal) => {
  status = { code, signal }
  // ending: leave once nothing of the run is left (Linux), else at the end of the grace period
  if (!ending || (linux && others().length === 0)) finish()
})
process.on('SIGTERM', endAll)
setTimeout(endAll, o.deadlineMs)
// the app's end of our stdin closes when it dies, however it dies
process.stdin.on('end', endAll)
process.stdin.on('close', endAll)
process.stdin.on('error', endAll)
process.stdin.resume()
const parent = process.ppid
setInterval(() => { if (process.ppid !== parent) endAll() }, 1000).unref()
`

/** How to start `command` under the watchdog with `node` (the app's own executable). */
export function watchdogLaunch(
  command: string,
  args: string[],
  o: WatchdogOptions & { marker?: { name: string; value: string }; node?: string }
): { command: string; args: string[]; env: Record<string, string> } {
  const config: WatchdogConfig = {
    command,
    args,
    deadlineMs: o.deadlineMs,
    graceMs: o.graceMs ?? 2000,
    marker: o.marker ? `${o.marker.name}=${o.marker.value}` : undefined,
    unset: ['ELECTRON_RUN_AS_NODE']
  }
  return { command: o.node ?? process.execPath, args: ['-e', WATCHDOG_SOURCE, JSON.stringify(config)], env: { ELECTRON_RUN_AS_NODE: '1' } }
}
