import { randomUUID } from 'node:crypto';

import { jsonReply, type Reply } from './exchange.js';

/** armError answers in ARM's common error shape `{ error: { code, message } }`. */
export function armError(status: number, code: string, message: string): Reply {
  return jsonReply(status, { error: { code, message } });
}

/**
 * appServiceError answers in App Service's PascalCase error shape, which the Web SDK cannot read
 * (it throws "Unexpected status code") so callers must parse it themselves.
 */
export function appServiceError(
  status: number,
  code: string,
  message: string,
  extendedCode: string,
  parameters: readonly string[] = [],
): Reply {
  return jsonReply(status, {
    Code: code,
    Message: message,
    Target: null,
    Details: [
      { Message: message },
      { Code: code },
      {
        ErrorEntity: {
          ExtendedCode: extendedCode,
          MessageTemplate: message,
          Parameters: parameters,
          Code: code,
          Message: message,
        },
      },
    ],
    Innererror: null,
  });
}

/** entraError answers in the token endpoint's OAuth error shape with an AADSTS code. */
export function entraError(status: number, error: string, aadsts: number, text: string): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace('Z', 'Z');
  return jsonReply(status, {
    error,
    error_description: `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
}

/** keyVaultError answers in the Key Vault data plane's error shape. */
export function keyVaultError(
  status: number,
  code: string,
  message: string,
  innerCode?: string,
  headers: Record<string, string> = {},
): Reply {
  const error =
    innerCode === undefined
      ? { code, message }
      : { code, message, innererror: { code: innerCode } };
  return jsonReply(status, { error }, headers);
}

/** graphError answers in Microsoft Graph's error shape. */
export function graphError(status: number, code: string, message: string): Reply {
  const requestId = randomUUID();
  return jsonReply(status, {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  });
}
