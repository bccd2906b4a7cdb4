/**
 * Credential patterns found and redacted (src/shared/redact.ts): every kind a run may read, as it
 * reads it (a file's text, JSON, JSON inside a JSON string with escaped newlines), the literal values
 * of the app's secret variables, and ordinary text left alone.
 */
import { describe, expect, it } from 'vitest'
import { findSecrets, redactDeep, redactText, secretLiterals } from '../../src/shared/redact'
import { SECRET_FILES, SECRETS } from '../support/secrets'

const PATTERN_SECRETS = Object.entries(SECRETS).filter(([k]) => k !== 'envValue')

describe('redactText', () => {
  it('removes every kind of credential from the files a run may read', () => {
    for (const [name, text] of Object.entries(SECRET_FILES)) {
      const out = redactText(text)
      for (const [kind, secret] of PATTERN_SECRETS) expect(out.text, `${kind} in ${name}`).not.toContain(secret)
      if (name !== 'env') expect(out.count, name).toBeGreaterThan(0)
    }
    // the env file: one per line, HOME left alone
    const env = redactText(SECRET_FILES.env)
    expect(env.count).toBe(10)
    expect(env.text).toContain('HOME=/home/someone')
    expect(env.text).toContain('ANTHROPIC_API_KEY=[REDACTED')
  })

  it('finds them inside JSON strings too (escaped newlines and quotes, as in a session file)', () => {
    for (const text of Object.values(SECRET_FILES)) {
      const line = JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', content: text }] } })
      const out = redactText(line)
      for (const [kind, secret] of PATTERN_SECRETS) {
        expect(out.text, kind).not.toContain(secret)
        // no part of a key block's base64 either
        for (const part of secret.split('\n').slice(1, -1)) expect(out.text).not.toContain(part)
      }
      // still valid JSON
      expect(() => JSON.parse(out.text)).not.toThrow()
    }
  })

  it('removes a key block whose end was cut off', () => {
    const cut = SECRETS.rsaKey.slice(0, 120)
    const out = redactText(`cat id_rsa\n${cut} […4000 chars…] tail`)
    expect(out.text).not.toContain(cut.split('\n')[1].slice(0, 30))
    expect(out.count).toBe(1)
  })

  it('removes the literal values of the app secret variables, wherever they are', () => {
    const literals = secretLiterals({
      MY_APP_SECRET: SECRETS.envValue,
      ANTHROPIC_API_KEY: 'anything',
      HOME: '/home/x',
      SSH_AUTH_SOCK: '/tmp/ssh-abc/agent.1',
      PATH: '/usr/bin:/bin',
      GITHUB_TOKEN: ''
    })
    expect(literals).toEqual([SECRETS.envValue])
    const out = redactText(`The value is ${SECRETS.envValue}, see?`, { literals })
    expect(out.text).toBe('The value is [REDACTED:secret-env], see?')
    expect(out.count).toBe(1)
    // a word-like placeholder key is not a literal to hunt for ("anything" appears in ordinary text)
    expect(redactText('anything at all', { literals }).text).toBe('anything at all')
  })

  it('leaves ordinary text, placeholders and low-entropy values alone', () => {
    const plain = [
      'max_tokens=16000 and tokens: 5000',
      'password: <your password here>',
      'token: ${GITHUB_TOKEN}',
      'api_key=process.env.ANTHROPIC_API_KEY',
      'const token = getToken()',
      'tokenizer=bert-base-uncased',
      'Run the build before finishing, then check index.html.',
      'sk-learn-compatible-estimator is a library',
      'The secret is to keep it simple',
      'author=someone'
    ].join('\n')
    const out = redactText(plain)
    expect(out.text).toBe(plain)
    expect(out.count).toBe(0)
  })

  it('keeps the name of an assignment and replaces only the value', () => {
    expect(redactText(`DB_PASSWORD=${SECRETS.password}`).text).toBe('DB_PASSWORD=[REDACTED:password]')
    expect(redactText(`"refreshToken": "${SECRETS.oauthJson}"`).text).toBe('"refreshToken": "[REDACTED:token]"')
    expect(redactText(`Authorization: Bearer ${SECRETS.oauthJson}`).text).toBe('Authorization: Bearer [REDACTED:token]')
    expect(redactText('https://deploy:Xk9mP2vL7qR4@example.com/repo.git').text).toBe(
      'https://deploy:[REDACTED:password]@example.com/repo.git'
    )
  })

  it('says what it found, in order, without overlaps', () => {
    const hits = findSecrets(`a ${SECRETS.anthropicKey} b ANTHROPIC_API_KEY=${SECRETS.anthropicKey}`)
    expect(hits.map((h) => h.kind)).toEqual(['anthropic-key', 'anthropic-key'])
    expect(hits[0].end).toBeLessThan(hits[1].start)
  })

  it('leaves a large trace with no secrets as it is (a 5 MB string)', () => {
    const big = 'Step 1: ls -la; result: file.txt 123 bytes. '.repeat(120_000)
    const out = redactText(big)
    expect(out.count).toBe(0)
    expect(out.text).toBe(big)
  })
})

describe('redactDeep', () => {
  it('redacts every string of a value, keys kept, counting each hit, without changing the original', () => {
    const input = {
      text: `key ${SECRETS.github}`,
      nested: [{ content: SECRET_FILES['~/.aws/credentials'] }, 42, null],
      ok: 'nothing here'
    }
    const copy = JSON.parse(JSON.stringify(input))
    const out = redactDeep(input)
    expect(out.count).toBe(3)
    expect(JSON.stringify(out.value)).not.toContain(SECRETS.github)
    expect(JSON.stringify(out.value)).not.toContain(SECRETS.awsSecret)
    expect((out.value as typeof input).ok).toBe('nothing here')
    expect((out.value as typeof input).nested[1]).toBe(42)
    expect(input).toEqual(copy)
  })
})
