/** A worker thread that prepares screenshots for the analysts (built to out/main/image-worker.js). */
import { parentPort } from 'node:worker_threads'
import { prepareScreenshot, type PrepareOptions } from './images'

parentPort!.on('message', (msg: { png: Uint8Array; opts?: PrepareOptions }) => {
  const png = Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength)
  prepareScreenshot(png, msg.opts).then(
    (image) => parentPort!.postMessage({ image }),
    (err: Error) => parentPort!.postMessage({ error: err?.message ?? String(err) })
  )
})
