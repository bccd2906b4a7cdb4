/**
 * What `npm start` needs before it can open the desktop app: the Electron binary, which the electron
 * package fetches on first use (about 100 MB from GitHub, so it needs the network). Plain Node, no
 * electron import (requiring 'electron' from Node would try to download it).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { atLeast, DECLARED_NODE } from '../bin/node-check.mjs'

export { atLeast }

/** The Electron executable if it is installed, else null (never downloads). */
export function electronBinary(electronDir) {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const exe = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(exe) ? exe : null
}

/** The lines to print when the binary is missing and could not be fetched. */
export function missingElectronMessage({ downloadError, node = process.version, electronNode = DECLARED_NODE }) {
  const lines = [
    'trace2skill: the desktop app needs the Electron binary, and it is not installed.',
    '  The electron package fetches it on first use (about 100 MB from github.com), which needs the network;',
    `  that failed${downloadError ? `: ${downloadError}` : ''}.`,
    '  To fix it: once online, run `npx install-electron` (or `node node_modules/electron/install.js`), then `npm start`.',
    '  Meanwhile, the same app runs in your browser: `npm run web` (it prints the address to open).'
  ]
  if (!atLeast(node, electronNode))
    lines.push(`  Note: Electron's installer declares Node ${electronNode.join('.')} or newer; this is Node ${node.replace(/^v/, '')}.`)
  return lines.join('\n')
}
