// Which Node the parts of trace2skill need. package.json declares 22.12 (what Electron 45 and Claude
// Code's installers require); the CLI and the web mode themselves run on 20.19 or newer.
export const CLI_NODE = [20, 19]
export const DECLARED_NODE = [22, 12]

const parse = (v) => v.replace(/^v/, '').split('.').slice(0, 2).map(Number)
export const atLeast = (v, [major, minor]) => {
  const [a, b] = parse(v)
  return a > major || (a === major && b >= minor)
}

/** null when this Node can run the CLI, else the one line to print. */
export function cliNodeProblem(version = process.version) {
  if (atLeast(version, CLI_NODE)) return null
  return `trace2skill: Node ${version.replace(/^v/, '')} is too old: the command line and the web mode need Node ${CLI_NODE.join('.')} or newer (${DECLARED_NODE.join('.')} or newer to install and develop the desktop app). Install a current Node from https://nodejs.org and try again.`
}
