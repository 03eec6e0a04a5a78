import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { readConfig } from '../../server/env'
import { startServer } from '../../server/app'

/**
 * Our server for the benchmark: server/main.ts without the dev mode, plus collab limits high enough
 * for one user to hold hundreds of connections (the bench logs every client in as one drafter).
 * Env as for main.ts (PORT, HOST, DATABASE_URL, NODE_ENV=production needs build/, or the copy
 * named by BENCH_BUILD_DIR); prints
 * `listening <url>` on stdout when ready; SIGTERM closes it (every document written away).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

async function main() {
  const config = readConfig(process.env, 'bench')
  // The runner passes a snapshot of build/, so a rebuild elsewhere cannot pull it away mid-run.
  const buildDir = process.env.BENCH_BUILD_DIR ?? path.join(root, 'build')
  const buildFile = path.join(buildDir, 'server/index.js')
  if (!fs.existsSync(buildFile)) throw new Error(`${buildFile} is missing: run \`npx remix vite:build\` first`)
  const server = await startServer({
    config,
    build: (await import(pathToFileURL(buildFile).href)) as ServerBuild,
    clientDir: path.join(buildDir, 'client'),
    collabLimits: { maxConnectionsPerUser: 1000, maxConnectionsPerDocument: 1000 },
  })
  process.stdout.write(`listening ${server.url}\n`)
  const stop = () => {
    const hard = setTimeout(() => process.exit(1), 5_000)
    hard.unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((err) => {
  console.error('bench server could not start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
