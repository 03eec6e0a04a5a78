import { vitePlugin as remix } from '@remix-run/dev'
import { defineConfig } from 'vite'
import { denyImports } from 'vite-env-only'
import remixConfig from './remix.config.js'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

export default defineConfig({
  plugins: [
    // Server code must never reach the browser bundle. db/schema.ts holds only types and the
    // domain's vocabulary (roles, organisation kinds), which the forms need too.
    denyImports({
      client: {
        files: ['**/server/**', '**/db/connect.ts', '**/db/seed.ts', '**/db/migrations/**'],
        specifiers: ['better-sqlite3', 'pg', 'kysely', '@node-rs/argon2'],
      },
    }),
    remix(remixConfig),
  ],
  server: { hmr: { port: 24678 } },
  build: { target: 'es2022' },
})
