import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { ConfigError, readConfig } from './env'
import { createLogger } from './lib/log'
import { startServer, type ServerOptions } from './app'

/** The one process: `tsx server/main.ts` (production build) or `tsx server/main.ts --dev` (Vite). */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }

async function main() {
  let config
  try {
    config = readConfig(process.env, pkg.version)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  const logger = createLogger(config.logLevel)
  const dev = process.argv.includes('--dev')

  let options: ServerOptions
  if (dev) {
    const vite = await import('vite')
    const viteServer = await vite.createServer({ root, server: { middlewareMode: true } })
    options = {
      config,
      logger,
      devMiddleware: viteServer.middlewares,
      build: () => viteServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>,
    }
  } else {
    const buildDir = path.resolve(root, process.env.SAMENSPEL_BUILD_DIR || 'build')
    const buildFile = path.join(buildDir, 'server/index.js')
    if (!fs.existsSync(buildFile)) {
      console.error('No build found: run `npm run build` first (npm start does this for you).')
      process.exit(1)
    }
    options = {
      config,
      logger,
      clientDir: path.join(buildDir, 'client'),
      build: (await import(pathToFileURL(buildFile).href)) as ServerBuild,
    }
  }

  const server = await startServer(options)
  logger.info('Samenspel is running', {
    url: server.url,
    database: server.context.dialect,
    demo: config.demo,
    mode: dev ? 'development' : 'production',
  })

  const stop = (signal: string) => {
    logger.info('shutting down', { signal })
    const hard = setTimeout(() => process.exit(1), 15_000)
    hard.unref()
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { error: String(err) })
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

main().catch((err) => {
  console.error('Samenspel could not start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
