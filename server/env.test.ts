import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from './env'

/** readConfig takes the environment as an argument, so every test passes its own. */
function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return e as ConfigError
  }
  throw new Error(`readConfig accepted ${JSON.stringify(env)}`)
}

describe('readConfig defaults', () => {
  const config = readConfig({})

  it('listens on port 3000', () => {
    expect(config.port).toBe(3000)
  })

  it('uses the embedded SQLite file under ./data', () => {
    expect(config.databaseUrl).toBe('sqlite:./data/samenspel.db')
  })

  it('runs in development with demo data and without the Secure cookie flag', () => {
    expect(config.nodeEnv).toBe('development')
    expect(config.demo).toBe(true)
    expect(config.cookieSecure).toBe(false)
  })

  it('has no extra public origins and a 14-day idle session limit', () => {
    expect(config.publicOrigins).toEqual([])
    expect(config.sessionIdleDays).toBe(14)
  })

  it('passes the version through', () => {
    expect(readConfig({}, '1.2.3').version).toBe('1.2.3')
  })
})

describe('demo data', () => {
  it('is off in production unless asked for', () => {
    expect(readConfig({ NODE_ENV: 'production' }).demo).toBe(false)
  })

  it('is on in production with SAMENSPEL_DEMO=true', () => {
    expect(readConfig({ NODE_ENV: 'production', SAMENSPEL_DEMO: 'true' }).demo).toBe(true)
  })

  it('can be switched off outside production', () => {
    expect(readConfig({ NODE_ENV: 'development', SAMENSPEL_DEMO: 'false' }).demo).toBe(false)
    expect(readConfig({ NODE_ENV: 'test', SAMENSPEL_DEMO: '0' }).demo).toBe(false)
  })
})

describe('cookieSecure', () => {
  it('defaults to on in production and off elsewhere', () => {
    expect(readConfig({ NODE_ENV: 'production' }).cookieSecure).toBe(true)
    expect(readConfig({ NODE_ENV: 'development' }).cookieSecure).toBe(false)
    expect(readConfig({ NODE_ENV: 'test' }).cookieSecure).toBe(false)
  })

  it('is overridden by COOKIE_SECURE either way', () => {
    expect(readConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }).cookieSecure).toBe(false)
    expect(readConfig({ NODE_ENV: 'development', COOKIE_SECURE: 'true' }).cookieSecure).toBe(true)
  })
})

describe('explicit values', () => {
  it('reads PORT, DATABASE_URL and PUBLIC_ORIGINS', () => {
    const config = readConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://samenspel@db:5432/samenspel',
      PUBLIC_ORIGINS: 'https://portaal.example, https://www.portaal.example',
    })
    expect(config.port).toBe(8080)
    expect(config.databaseUrl).toBe('postgres://samenspel@db:5432/samenspel')
    expect(config.publicOrigins).toEqual(['https://portaal.example', 'https://www.portaal.example'])
  })

  it('reduces a public origin given with a path to its origin', () => {
    expect(readConfig({ PUBLIC_ORIGINS: 'https://portaal.example/regio/' }).publicOrigins).toEqual([
      'https://portaal.example',
    ])
  })
})

describe('bad values stop the start with a message naming the variable', () => {
  it.each(['abc', '70000', '-1', '80.5'])('PORT=%s', (port) => {
    expect(configError({ PORT: port }).message).toContain('PORT')
  })

  it.each(['mysql://db/samenspel', './data/samenspel.db', 'file:samenspel.db'])('DATABASE_URL=%s', (url) => {
    expect(configError({ DATABASE_URL: url }).message).toContain('DATABASE_URL')
  })

  it.each(['portaal.example', 'https://ok.example, niet een url'])('PUBLIC_ORIGINS=%s', (origins) => {
    expect(configError({ PUBLIC_ORIGINS: origins }).message).toContain('PUBLIC_ORIGINS')
  })

  it('names only the variable that is wrong', () => {
    const message = configError({ PORT: 'abc', DATABASE_URL: 'sqlite:./ok.db' }).message
    expect(message).toContain('PORT')
    expect(message).not.toContain('DATABASE_URL')
  })

  it('rejects an unknown NODE_ENV and an unclear boolean', () => {
    expect(configError({ NODE_ENV: 'staging' }).message).toContain('NODE_ENV')
    expect(configError({ SAMENSPEL_DEMO: 'misschien' }).message).toContain('SAMENSPEL_DEMO')
  })
})

describe('edge cases', () => {
  it('treats a variable set to the empty string as unset', () => {
    const config = readConfig({ PORT: '', DATABASE_URL: '', NODE_ENV: '' })
    expect(config.port).toBe(3000)
    expect(config.databaseUrl).toBe('sqlite:./data/samenspel.db')
    expect(config.nodeEnv).toBe('development')
  })

  it('accepts only http(s) origins in PUBLIC_ORIGINS', () => {
    for (const bad of ['mailto:a@b.nl', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(() => readConfig({ PUBLIC_ORIGINS: bad })).toThrow(/PUBLIC_ORIGINS/)
    }
    expect(readConfig({ PUBLIC_ORIGINS: 'https://a.example/x, http://b.example:8080' }).publicOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ])
  })
})
