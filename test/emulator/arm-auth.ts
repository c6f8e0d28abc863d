import { authenticate, type Caller } from './access-token.js';
import { armAudiences, type EmulatorContext } from './context.js';
import { armError } from './error-bodies.js';
import type { Exchange, Reply } from './exchange.js';

/** ArmAuthentication is the caller of an ARM request, or ARM's 401 reply. */
export type ArmAuthentication = { readonly caller: Caller } | { readonly reply: Reply };

/** authenticateArm checks an ARM request's bearer token and answers ARM's 401 bodies. */
export function authenticateArm(context: EmulatorContext, exchange: Exchange): ArmAuthentication {
  const audiences = armAudiences(context.endpoints);
  const check = authenticate(context, exchange, audiences);
  if (check.ok) return { caller: check.caller };
  const challenge = {
    'www-authenticate': `Bearer authorization_uri="${context.endpoints.origin}/", error="invalid_token", error_description="The authentication failed because of missing or invalid token."`,
  };
  const reply = (code: string, message: string): Reply => ({
    ...armError(401, code, message),
    headers: challenge,
  });
  switch (check.problem) {
    case 'missing':
      return {
        reply: reply(
          'AuthenticationFailed',
          "Authentication failed. The 'Authorization' header is missing.",
        ),
      };
    case 'expired':
      return {
        reply: reply(
          'ExpiredAuthenticationToken',
          'The access token expiry UTC time is earlier than current UTC time.',
        ),
      };
    case 'audience':
      return {
        reply: reply(
          'InvalidAuthenticationTokenAudience',
          `The access token has been obtained for wrong audience or resource '${check.audience ?? ''}'. It should exactly match with one of the allowed audiences ${audiences.map((a) => `'${a}'`).join(',')}.`,
        ),
      };
    case 'signature':
      return {
        reply: reply('InvalidAuthenticationToken', 'The access token has an invalid signature.'),
      };
    default:
      return { reply: reply('InvalidAuthenticationToken', 'The access token is invalid.') };
  }
}
