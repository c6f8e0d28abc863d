import { expect } from 'vitest';

/** StepRecord is what a user sees of one step run: its log, outputs and summary. */
export interface StepRecord {
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
}

const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/;

/**
 * expectNoSecretLeak asserts that no credential and no token (anything shaped like a JWT: access
 * tokens, OIDC assertions) appears in what a user sees of a step: the log less the masking
 * commands that the runner or agent consumes and never shows (`maskCommand`), stderr, the
 * outputs and the summary. A multi-line secret (a PEM) is checked line by line.
 */
export function expectNoSecretLeak(
  result: StepRecord,
  secrets: readonly string[],
  maskCommand: string,
): void {
  const shown = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith(maskCommand))
    .join('\n');
  const surfaces = {
    log: shown,
    stderr: result.stderr,
    outputs: JSON.stringify(result.outputs),
    summary: result.summary,
  };
  const needles = secrets.flatMap((secret) =>
    secret.includes('\n') ? secret.split('\n').filter((line) => line.length >= 16) : [secret],
  );
  for (const [surface, text] of Object.entries(surfaces)) {
    for (const needle of needles) {
      expect(text.includes(needle), `a credential appears in ${surface}`).toBe(false);
    }
    expect(JWT.test(text), `a token appears in ${surface}`).toBe(false);
  }
}
