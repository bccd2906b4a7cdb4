/**
 * What the benchmarks share about other processes: the CPU this process's finished children used, and
 * a scripted model started in a process of its own (so its CPU is not counted as the app's), asked
 * things over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** CPU seconds used by this process's finished children (cutime + cstime from /proc/self/stat). */
export function childCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return (Number(fields[13]) + Number(fields[14])) / 100
  } catch {
    return NaN
  }
}

/**
 * Starts `bench/<script>` (it sends `{ url }` once it listens, and answers each `{ id, type, ... }` with
 * `{ id, ... }`); `what` names it in the error when it exits early.
 */
export async function forkApi(script: string, env: NodeJS.ProcessEnv, what: string) {
  const child: ChildProcess = fork(join(import.meta.dirname, script), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const waiting = new Map<number, (m: unknown) => void>()
  let nextId = 1
  const url = await new Promise<string>((ok, fail) => {
    child.once('error', fail)
    child.once('exit', (code) => fail(new Error(`${what} exited (${code})`)))
    child.on('message', (m: { url?: string; id?: number }) => {
      if (m.url) ok(m.url)
      else if (m.id) waiting.get(m.id)?.(m)
    })
  })
  return {
    url,
    ask: <T>(q: { type: string; [k: string]: unknown }): Promise<T> =>
      new Promise((ok) => {
        const id = nextId++
        waiting.set(id, ok as (m: unknown) => void)
        child.send({ ...q, id })
      }),
    close: () => {
      child.removeAllListeners('exit')
      child.kill()
    }
  }
}
