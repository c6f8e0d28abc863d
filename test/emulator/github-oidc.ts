import { randomUUID } from 'node:crypto';

import type { EmulatorContext } from './context.js';
import { bearerTokenOf, jsonReply, type Exchange, type Reply } from './exchange.js';
import { signJwt } from './jwt.js';

/** GITHUB_OIDC_PATH is where the emulator serves GitHub Actions' ID-token endpoint. */
export const GITHUB_OIDC_PATH = '/_github/idtoken';

/** GITHUB_SUBJECT is the `sub` of the ID tokens: the workflow of contoso/app on main. */
export const GITHUB_SUBJECT = 'repo:contoso/app:ref:refs/heads/main';

/**
 * handleGithubOidc answers like `ACTIONS_ID_TOKEN_REQUEST_URL`: with the request token as bearer
 * it returns `{ value }`, a short-lived JWT for the requested audience signed by the emulator's
 * GitHub issuer key.
 */
export function handleGithubOidc(context: EmulatorContext, exchange: Exchange): Reply {
  if (bearerTokenOf(exchange) !== context.oidcRequestToken) {
    return jsonReply(401, { message: 'Bad credentials' });
  }
  const audience = exchange.url.searchParams.get('audience') ?? 'https://github.com/contoso';
  const now = Math.floor(Date.now() / 1000);
  const value = signJwt(
    {
      jti: randomUUID(),
      sub: GITHUB_SUBJECT,
      aud: audience,
      ref: 'refs/heads/main',
      repository: 'contoso/app',
      repository_owner: 'contoso',
      event_name: 'push',
      workflow: 'deploy',
      iss: context.endpoints.githubIssuer,
      nbf: now - 5,
      iat: now,
      exp: now + 300,
    },
    context.githubKey,
  );
  return jsonReply(200, { count: 1, value });
}
