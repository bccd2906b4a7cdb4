/** A worker thread that summarizes session files (built to out/main/summary-worker.js). */
import { parentPort } from 'node:worker_threads'
import { summarizeFile, type SummaryCheckpoint } from './summary'

parentPort!.on('message', (msg: { id: number; file: string; prev?: SummaryCheckpoint }) => {
  // Blocking reads: this thread has nothing else to do while it waits.
  summarizeFile(msg.file, msg.prev, { sync: true }).then(
    (summary) => parentPort!.postMessage({ id: msg.id, summary }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, error: err?.message ?? String(err) })
  )
})
