import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** JwtClaims are the decoded payload of a JSON Web Token. */
export type JwtClaims = Record<string, unknown>;

/** SigningKey is an RSA key pair with the key id published in a JWKS. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
}

/** createSigningKey wraps a PEM private key as a signing key with the given key id. */
export function createSigningKey(kid: string, privateKeyPem: string): SigningKey {
  return { kid, privateKeyPem, publicKey: createPublicKey(privateKeyPem) };
}

/** signJwt signs claims with RS256 and returns the compact serialisation. */
export function signJwt(claims: JwtClaims, key: SigningKey): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
  const body = `${encodePart(header)}.${encodePart(claims)}`;
  const signature = sign('sha256', Buffer.from(body), key.privateKeyPem).toString('base64url');
  return `${body}.${signature}`;
}

/** JwtVerification is the outcome of verifyJwt. */
export type JwtVerification =
  | { readonly ok: true; readonly claims: JwtClaims }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'signature' | 'expired' | 'not-yet-valid';
    };

/**
 * verifyJwt checks an RS256 token's signature with one of the keys and its `exp`/`nbf` against
 * the clock (with five minutes of skew, as Entra allows).
 */
export function verifyJwt(
  token: string,
  keys: readonly SigningKey[],
  now: Date = new Date(),
): JwtVerification {
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || signaturePart === undefined) {
    return { ok: false, reason: 'malformed' };
  }
  let header: JwtClaims;
  let claims: JwtClaims;
  try {
    header = decodePart(headerPart);
    claims = decodePart(payloadPart);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const key = keys.find((k) => k.kid === header['kid']);
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  if (header['alg'] !== 'RS256' || !key || !verify('sha256', signed, key.publicKey, signature)) {
    return { ok: false, reason: 'signature' };
  }
  const seconds = Math.floor(now.getTime() / 1000);
  const skew = 300;
  if (typeof claims['exp'] !== 'number' || claims['exp'] + skew < seconds) {
    return { ok: false, reason: 'expired' };
  }
  if (typeof claims['nbf'] === 'number' && claims['nbf'] - skew > seconds) {
    return { ok: false, reason: 'not-yet-valid' };
  }
  return { ok: true, claims };
}

/** decodeJwtClaims reads a token's payload without checking it (for error messages only). */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const payload = token.split('.')[1];
  try {
    return payload === undefined ? undefined : decodePart(payload);
  } catch {
    return undefined;
  }
}

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodePart(part: string): JwtClaims {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('JWT part is not an object');
  }
  return value as JwtClaims;
}
