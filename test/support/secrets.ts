/**
 * Fake credentials in the real formats (none is live): what a run may read from `~/.ssh`, `~/.aws`,
 * Claude Code's `.credentials.json` and the environment. The redaction tests plant them in traces,
 * answers and files and check that no model request carries any of them.
 */

/** Each kind of secret, the exact text that must never reach a model. */
export const SECRETS = {
  opensshKey: [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACDFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEAAAAJhFAKEKEY',
    '-----END OPENSSH PRIVATE KEY-----'
  ].join('\n'),
  rsaKey: [
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEpAIBAAKCAQEA0FAKE1kUQ3wNfakeKEYmaterialTHATisNOTrealAtAll0123456789',
    'Zm9vYmFyYmF6cXV4RkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtF',
    '-----END RSA PRIVATE KEY-----'
  ].join('\n'),
  awsKeyId: 'AKIAZ7FAKE3EXAMPLE4Q',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKE0KEY9x',
  anthropicKey: `sk-ant-api03-${'Q7f9'.repeat(23)}-AbCdEfAA`,
  claudeAccess: `sk-ant-oat01-${'Zx8K'.repeat(20)}AA`,
  claudeRefresh: `sk-ant-ort01-${'Lm3P'.repeat(20)}AA`,
  openai: `sk-proj-${'aB3dE5fG7hJ9kL1m'.repeat(3)}`,
  github: `ghp_${'R2d2C3po'.repeat(4)}Ab12`,
  githubPat: `github_pat_11ABCDEFG0${'aZ9x'.repeat(15)}`,
  slack: 'xoxb-2048736512-4096123456789-AbCdEfGhIjKlMnOpQrStUvWx',
  google: 'AIzaSyD-9tSrke72FakeQMnMX-a7eZSW0jkFMBW',
  googleOauth: `ya29.a0AfH6SMB${'xYz09Qw'.repeat(6)}`,
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkZha2UifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  oauthJson: 'b7c1e2f3a4d5968778695a4b3c2d1e0f',
  password: 'Xk9mP2vL7qR4tZ8w',
  envValue: 'app-secret-9f8e7d6c5b4a3'
}

/** Files a hostile run reads, as their text. */
export const SECRET_FILES = {
  '~/.ssh/id_rsa': `${SECRETS.opensshKey}\n`,
  '~/.ssh/id_rsa_old': `${SECRETS.rsaKey}\n`,
  '~/.aws/credentials': `[default]\naws_access_key_id = ${SECRETS.awsKeyId}\naws_secret_access_key = ${SECRETS.awsSecret}\n`,
  '~/.claude/.credentials.json': JSON.stringify({
    claudeAiOauth: { accessToken: SECRETS.claudeAccess, refreshToken: SECRETS.claudeRefresh, expiresAt: 1767225600000 }
  }),
  'other.json': JSON.stringify({ oauth: { access_token: SECRETS.oauthJson, expires_in: 3599 } }),
  env: [
    `ANTHROPIC_API_KEY=${SECRETS.anthropicKey}`,
    `OPENAI_API_KEY=${SECRETS.openai}`,
    `GITHUB_TOKEN=${SECRETS.github}`,
    `GH_PAT=${SECRETS.githubPat}`,
    `SLACK_BOT=${SECRETS.slack}`,
    `GOOGLE_MAPS=${SECRETS.google}`,
    `GCLOUD=${SECRETS.googleOauth}`,
    `SESSION=${SECRETS.jwt}`,
    `DB_PASSWORD=${SECRETS.password}`,
    `MY_APP_SECRET=${SECRETS.envValue}`,
    'HOME=/home/someone'
  ].join('\n')
}

/** The app's environment in these tests: its own secret variable, whose value matches no pattern. */
export const SECRET_ENV = { MY_APP_SECRET: SECRETS.envValue }
