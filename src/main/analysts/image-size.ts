/**
 * The size a screenshot is shown at, pure: the API's image token cost, the parts a tall page is cut
 * into, and the largest size within the API's long edge and a token budget. images.ts makes the image
 * at this size; condense.ts plans with it (without decoding), so the planned tokens are the real ones.
 */

/** The long edge (px) the API takes without downscaling. */
export const MAX_EDGE = 1568
/** A part is this many widths tall. */
export const PART_ASPECT = 1.25

/** The Messages API's image token cost. */
export function imageTokens(width: number, height: number): number {
  return Math.ceil((width * height) / 750)
}

/** Height of one part of a page `sourceWidth` wide. */
export function partHeight(sourceWidth: number): number {
  return Math.max(1, Math.round(sourceWidth * PART_ASPECT))
}

/** How many parts a `sourceWidth` × `sourceHeight` page is split into. */
export function partCount(sourceWidth: number, sourceHeight: number): number {
  return Math.max(1, Math.ceil(sourceHeight / partHeight(sourceWidth)))
}

/**
 * The largest size, keeping the aspect ratio and never scaling up, with the long edge <= MAX_EDGE and
 * imageTokens <= maxTokens (`scale` shrinks further, for the byte limit).
 */
export function fitSize(width: number, height: number, maxTokens: number, scale = 1): { width: number; height: number } {
  let s = Math.min(1, scale, MAX_EDGE / Math.max(width, height), Math.sqrt((maxTokens * 750) / (width * height)))
  for (;;) {
    const w = Math.max(1, Math.floor(width * s))
    const h = Math.max(1, Math.floor(height * s))
    if ((imageTokens(w, h) <= maxTokens && Math.max(w, h) <= MAX_EDGE) || (w === 1 && h === 1)) return { width: w, height: h }
    s *= 0.99
  }
}
