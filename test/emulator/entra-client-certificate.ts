import { X509Certificate, constants, createHash, verify } from 'node:crypto';

import type { EmulatorContext } from './context.js';
import { entraError } from './error-bodies.js';
import type { Reply } from './exchange.js';
import type { Client } from './state.js';

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * checkCertificateAssertion checks a client assertion that the client signed with one of its
 * registered certificates, as Entra does for certificate credentials: the header names the
 * certificate by `x5t#S256` (PS256) or `x5t` (RS256), the signature verifies with that
 * certificate's key, `iss` and `sub` are the client id, `aud` is the tenant's token endpoint, and
 * the assertion is within its lifetime. It returns an Entra error reply, or undefined to accept.
 */
export function checkCertificateAssertion(
  context: EmulatorContext,
  client: Client,
  assertion: string,
  now: Date = new Date(),
): Reply | undefined {
  const [headerPart = '', payloadPart = '', signaturePart = ''] = assertion.split('.');
  const header = decodePart(headerPart);
  const claims = decodePart(payloadPart);
  if (!header || !claims || !signaturePart) {
    return entraError(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  }

  const certificates = (client.certificates ?? []).map((pem) => new X509Certificate(pem));
  const sha256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const sha1 = typeof header['x5t'] === 'string' ? header['x5t'] : undefined;
  const certificate = certificates.find((c) => {
    const thumbprint = (algorithm: string): string =>
      createHash(algorithm).update(c.raw).digest('base64url');
    return (sha256 && thumbprint('sha256') === sha256) || (sha1 && thumbprint('sha1') === sha1);
  });
  if (!certificate) {
    return entraError(
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${sha256 ?? sha1 ?? ''}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'.]`,
    );
  }

  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const valid =
    header['alg'] === 'PS256'
      ? verify(
          'sha256',
          signed,
          {
            key: certificate.publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_AUTO,
          },
          signature,
        )
      : header['alg'] === 'RS256' && verify('sha256', signed, certificate.publicKey, signature);
  if (!valid) {
    return entraError(
      401,
      'invalid_client',
      700027,
      'Client assertion failed signature validation.',
    );
  }

  const tokenEndpoint = `${context.endpoints.origin}/${context.state.tenantId}/oauth2/v2.0/token`;
  const audiences = [claims['aud']].flat().map(String);
  if (claims['iss'] !== client.clientId || claims['sub'] !== client.clientId) {
    return entraError(
      400,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter.",
    );
  }
  if (!audiences.some((a) => a.toLowerCase() === tokenEndpoint.toLowerCase())) {
    return entraError(
      400,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'.`,
    );
  }
  const seconds = Math.floor(now.getTime() / 1000);
  const skew = 300;
  if (typeof claims['exp'] !== 'number' || claims['exp'] + skew < seconds) {
    return entraError(
      400,
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
    );
  }
  return undefined;
}
