import { sameAudience, type EmulatorContext } from './context.js';
import { bearerTokenOf, type Exchange } from './exchange.js';
import { verifyJwt } from './jwt.js';

/** Caller is the identity an access token proves. */
export interface Caller {
  readonly objectId: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly audience: string;
}

/** TokenProblem is why a request's access token was refused. */
export type TokenProblem =
  'missing' | 'malformed' | 'signature' | 'expired' | 'audience' | 'issuer';

/** TokenCheck is the outcome of authenticate. */
export type TokenCheck =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly problem: TokenProblem; readonly audience?: string };

/**
 * authenticate verifies a request's bearer token: signature by the emulator's Entra key, expiry,
 * issuer (this tenant) and that the audience is one of `audiences`.
 */
export function authenticate(
  context: EmulatorContext,
  exchange: Exchange,
  audiences: readonly string[],
): TokenCheck {
  const token = bearerTokenOf(exchange);
  if (token === undefined) return { ok: false, problem: 'missing' };
  const verified = verifyJwt(token, [context.entraKey]);
  if (!verified.ok) {
    return {
      ok: false,
      problem: verified.reason === 'not-yet-valid' ? 'expired' : verified.reason,
    };
  }
  const claims = verified.claims;
  const aud = typeof claims['aud'] === 'string' ? claims['aud'] : '';
  if (claims['iss'] !== issuerOf(context, context.state.tenantId)) {
    return { ok: false, problem: 'issuer' };
  }
  if (!audiences.some((a) => sameAudience(a, aud))) {
    return { ok: false, problem: 'audience', audience: aud };
  }
  return {
    ok: true,
    caller: {
      objectId: String(claims['oid']),
      appId: String(claims['appid']),
      tenantId: String(claims['tid']),
      audience: aud,
    },
  };
}

/** issuerOf is the `iss` of the access tokens the emulator issues for a tenant. */
export function issuerOf(context: EmulatorContext, tenantId: string): string {
  return `${context.endpoints.origin}/${tenantId}/v2.0`;
}
