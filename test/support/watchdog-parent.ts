/**
 * An "app" for the watchdog tests, run in a process of its own (`node --import tsx`): starts
 * `sh -c '<script>'` under the watchdog with a marker, prints the watchdog's pid, and waits to be killed.
 * argv: <marker value> <deadline ms> <script>
 */
import { startProcess } from '../../src/main/base/processes'

const [value, deadline, script] = process.argv.slice(2)
const p = startProcess('sh', ['-c', script], { marker: { name: 'T2S_TEST_MARK', value }, watchdog: { deadlineMs: Number(deadline) } })
process.stdout.write(`${p.pid}\n`)
setInterval(() => {}, 60_000)
