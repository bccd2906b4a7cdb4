/**
 * Path guards every layer may use (the bottom layer: it imports nothing of ours). Electron-free, with
 * unit tests (test/app/guards.test.ts).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'

/** Is `child` the folder `parent` or inside it (lexically; callers resolve links where they matter)? */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child))
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}
