// The naive baseline: one thread, read each file whole, split on newlines, JSON.parse every line.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(process.argv[2], 'projects')
const t0 = performance.now()
let bytes = 0
let lines = 0
for (const p of readdirSync(root)) {
  for (const f of readdirSync(join(root, p))) {
    if (!f.endsWith('.jsonl')) continue
    const text = readFileSync(join(root, p, f), 'utf8')
    bytes += Buffer.byteLength(text)
    for (const line of text.split('\n')) {
      if (!line) continue
      try {
        JSON.parse(line)
        lines++
      } catch {
        /* a line that is not JSON is skipped, as a reader would */
      }
    }
  }
}
const seconds = (performance.now() - t0) / 1000
process.stdout.write(JSON.stringify({ seconds, bytes, lines, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n')
