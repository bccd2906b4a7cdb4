/** The checks made on a screenshot: its size from the PNG header, and whether it is one flat colour. */
import { PNG } from 'pngjs'

/** Width and height from a PNG's IHDR. */
export function pngSize(buf: Buffer): { width: number; height: number } {
  if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG')
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) }
}

/** True when every pixel of an 8-bit RGB/RGBA/grey PNG has the same value. */
export function isBlankPng(buf: Buffer): boolean {
  const { width, height } = pngSize(buf)
  const [bitDepth, colorType, , , interlace] = buf.subarray(24, 29)
  if (bitDepth !== 8 || ![0, 2, 4, 6].includes(colorType) || interlace !== 0) return false // unusual formats: not judged blank
  if (!width || !height) return true
  // pngjs gives RGBA (grey spread to RGB, alpha 255 where the PNG has none): equal pixels stay equal, different ones differ
  const { data } = PNG.sync.read(buf, { checkCRC: false })
  const first = data.readUInt32LE(0)
  for (let at = 4; at < data.length; at += 4) if (data.readUInt32LE(at) !== first) return false
  return true
}
