/** `web`: the app served to a browser on 127.0.0.1; the command line's writers go through it meanwhile. */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveAppApi } from '../../web/app-api'
import { UsageError } from '../common'
import { verb } from '../context'

function staticDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, '../renderer'), join(here, '../../../out/renderer'), join(here, '../../../../out/renderer')]
}

const web = verb<number | undefined>({
  name: 'web',
  args: { n: 0, what: '' },
  options: ['port'],
  // it holds the data folder: the app, served
  readOnly: false,
  screenshots: true,
  prepare(_args, o) {
    if (o.port === undefined) return undefined
    const port = Number(o.port)
    if (!/^\d{1,5}$/.test(o.port) || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not ${o.port}`)
    return port
  },
  async run({ io, dataDir, local }, _args, _o, port) {
    const staticDir = io.env.TRACE2SKILL_STATIC_DIR || staticDirCandidates().find((d) => existsSync(join(d, 'index.html')))
    if (!staticDir) throw new Error('the app is not built: run npm run build first')
    // the page, and the API the command line's writing commands go through while this holds the data folder
    const service = local()
    const server = await serveAppApi({ handlers: service.handlers, hub: service.hub, dataDir, what: '`trace2skill web`', staticDir, port })
    io.out(`trace2skill web: ${server.url}`)
    io.err('Open that URL in a browser; anyone without its token is refused. Ctrl+C stops.')
    await (io.untilStopped ?? new Promise(() => {}))
    await server.close()
  }
})

export const webVerbs = [web]
