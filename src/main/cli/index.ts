/** Entry of the `trace2skill` bin (built to out/main/cli.js). No electron here. */
import { runCli } from './cli'

const stopped = new Promise<void>((resolve) => {
  let stopping = false
  const stop = () => {
    // A second Ctrl+C stops at once.
    if (stopping) {
      process.stderr.write('trace2skill: stopping now\n')
      process.exit(130)
    }
    stopping = true
    resolve()
    // Cleaning up (ending runs, saving the store) gets a while; a stop must never hang for good.
    setTimeout(() => {
      process.stderr.write('trace2skill: still stopping after 15 s; exiting now\n')
      process.exit(130)
    }, 15_000).unref()
  }
  // `on`, not `once`: while we clean up, our listener must stay. signal-exit (used by the store's lock
  // and atomic writes) re-raises a signal that no one else listens to, which killed us mid-cleanup.
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
})

runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  // a terminal gets a live progress line on stderr; a pipe or a log gets plain lines
  tty: process.stderr.isTTY ? { columns: () => process.stderr.columns, write: (t) => void process.stderr.write(t) } : undefined,
  untilStopped: stopped,
  readStdin: async () => {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
}).then(
  (code) => {
    process.exitCode = code
    // A finished command must not hang on open handles, nor cut its own output short in a pipe.
    let pending = 2
    const done = () => --pending === 0 && process.exit(code)
    process.stdout.write('', done)
    process.stderr.write('', done)
  },
  (err) => {
    process.stderr.write(`trace2skill: ${(err as Error).message}\n`)
    process.exit(1)
  }
)
