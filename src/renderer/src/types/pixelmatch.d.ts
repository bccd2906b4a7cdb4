/** pixelmatch 5 (CommonJS, no types of its own): the one call compare.ts makes. */
declare module 'pixelmatch' {
  interface PixelmatchOptions {
    /** 0 to 1, smaller is more sensitive (a YIQ colour distance); default 0.1 */
    threshold?: number
    /** count anti-aliased pixels as differences; default false */
    includeAA?: boolean
    alpha?: number
    aaColor?: [number, number, number]
    diffColor?: [number, number, number]
    diffColorAlt?: [number, number, number] | null
    /** draw only the differences, over a transparent background */
    diffMask?: boolean
  }
  type Pixels = Uint8Array | Uint8ClampedArray
  /** The number of pixels that differ; `output` (optional) gets them drawn. */
  export default function pixelmatch(
    img1: Pixels,
    img2: Pixels,
    output: Pixels | null | undefined,
    width: number,
    height: number,
    options?: PixelmatchOptions
  ): number
}
