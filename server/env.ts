import { z } from 'zod'

/**
 * The configuration, read once at boot. A bad value stops the start with a message naming the
 * variable, so a typo in DATABASE_URL never turns into a confusing error deep in a request.
 */
const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** sqlite:./data/samenspel.db (default) or postgres://user@host:5432/db */
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .default('sqlite:./data/samenspel.db'),
  /** The public origin(s) that may send mutations, comma separated; the request's own origin always may. */
  PUBLIC_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(
      z.array(
        z.url({ protocol: /^https?$/, message: 'must be a list of http(s) URLs such as https://samenspel.example' }),
      ),
    ),
  /** Set the Secure flag on the session cookie. Defaults to on in production. */
  COOKIE_SECURE: booleanish.optional(),
  /** Days a session may stay unused before it expires. */
  SESSION_IDLE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /** Seed the demo regions and accounts when the database is empty. */
  SAMENSPEL_DEMO: booleanish.optional(),
  /** Behind a reverse proxy: trust X-Forwarded-For for the client address (login throttling). */
  TRUST_PROXY: booleanish.default(false),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How long a SQLite statement waits for another process's write lock. Short: the driver blocks the whole process while it waits; the collab server retries failed writes itself. */
  SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(10_000).default(200),
  /** The audit chain's HMAC key: at least 32 random bytes, as hex or base64 (`openssl rand -hex 32`). */
  AUDIT_KEY: z
    .string()
    .transform((s) => decodeAuditKey(s))
    .refine((k) => k.length >= 32, 'must be at least 32 bytes as hex or base64, e.g. the output of `openssl rand -hex 32`')
    .optional(),
  /** A file holding the audit key (a mounted secret); created (mode 0600) only for SQLite or outside production. */
  AUDIT_KEY_FILE: z.string().min(1).optional(),
  /** The append-only file of chain-head checkpoints; default beside the SQLite file, or ./data. */
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
})

function decodeAuditKey(s: string): Buffer {
  const t = s.trim()
  return /^(?:[0-9a-fA-F]{2})+$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64')
}

export type Env = z.infer<typeof envSchema>

export interface Config {
  nodeEnv: Env['NODE_ENV']
  port: number
  host: string
  databaseUrl: string
  publicOrigins: string[]
  cookieSecure: boolean
  sessionIdleDays: number
  demo: boolean
  logLevel: Env['LOG_LEVEL']
  trustProxy: boolean
  sqliteBusyTimeoutMs: number
  version: string
  /** Where the audit chain's key and checkpoints live; never in the database (see ADR 0014). */
  audit: { key: Buffer | null; keyFile: string | null; checkpointFile: string | null }
}

export class ConfigError extends Error {}

export function readConfig(source: Record<string, string | undefined>, version = '0.0.0'): Config {
  // A variable set to the empty string counts as unset (PORT= must not mean port 0).
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(given)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const env = parsed.data
  const production = env.NODE_ENV === 'production'
  // Several instances on one PostgreSQL must sign with one key: none may invent its own.
  if (production && !env.DATABASE_URL.startsWith('sqlite:') && !env.AUDIT_KEY && !env.AUDIT_KEY_FILE) {
    throw new ConfigError(
      'Invalid configuration:\n  AUDIT_KEY: with PostgreSQL in production, set AUDIT_KEY or AUDIT_KEY_FILE (the same key on every instance)',
    )
  }
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    publicOrigins: env.PUBLIC_ORIGINS.map((o) => new URL(o).origin),
    cookieSecure: env.COOKIE_SECURE ?? production,
    sessionIdleDays: env.SESSION_IDLE_DAYS,
    // Demo accounts have known passwords: never in production unless asked for explicitly.
    demo: env.SAMENSPEL_DEMO ?? !production,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    sqliteBusyTimeoutMs: env.SQLITE_BUSY_TIMEOUT_MS,
    version,
    audit: { key: env.AUDIT_KEY ?? null, keyFile: env.AUDIT_KEY_FILE ?? null, checkpointFile: env.AUDIT_CHECKPOINT_FILE ?? null },
  }
}
