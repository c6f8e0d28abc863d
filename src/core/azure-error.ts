import type { PipelineRequest } from '@azure/core-rest-pipeline';

import { errorBodyOf } from './error-bodies.js';
import { AzureRequestError, BindError } from './errors.js';

/** ServiceError is the code and message Azure gave for a refused request. */
export interface ServiceError {
  statusCode: number | undefined;
  code: string | undefined;
  message: string | undefined;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  request?: PipelineRequest;
  response?: { bodyAsText?: string | null };
}

function isRestErrorLike(error: unknown): error is RestErrorLike {
  return typeof error === 'object' && error !== null && 'statusCode' in error;
}

function readField(value: unknown, ...keys: string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of keys) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string' && field.length > 0) return field;
  }
  return undefined;
}

/**
 * readServiceError extracts the status, code and message from an SDK error. App Service answers
 * in PascalCase (`Code`, `Message`, `Details[].ErrorEntity.ExtendedCode`) and its SDK then throws
 * "Unexpected status code: 400" with no code, so the body is read here. Only the code and message
 * are kept: headers and the rest of the body never leave this function.
 */
export function readServiceError(error: unknown): ServiceError | undefined {
  if (!isRestErrorLike(error)) return undefined;

  let body: unknown;
  try {
    const text = error.response?.bodyAsText ?? errorBodyOf(error.request);
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }

  const inner =
    typeof body === 'object' && body !== null && 'error' in body
      ? (body as { error: unknown }).error
      : body;
  let code = readField(inner, 'code', 'Code');
  let message = readField(inner, 'message', 'Message');
  const details = (inner as { Details?: unknown } | undefined)?.Details;
  if (Array.isArray(details)) {
    for (const detail of details) {
      const entity = (detail as { ErrorEntity?: unknown }).ErrorEntity;
      const extended = readField(entity, 'ExtendedCode');
      if (extended && code) code = `${code} (${extended})`;
      message ??= readField(entity, 'Message');
    }
  }
  const innerError = inner as { innererror?: unknown; innerError?: unknown } | undefined;
  const innerCode = readField(innerError?.innererror ?? innerError?.innerError, 'code');
  if (innerCode && code && !code.includes(innerCode)) code = `${code}/${innerCode}`;

  return {
    statusCode: error.statusCode,
    code: code ?? (error.code && error.code !== 'REST_ERROR' ? error.code : undefined),
    message: message ?? error.message,
  };
}

/**
 * describeAzureFailure turns an SDK error into an AzureRequestError whose message says what we
 * were doing ("read site 'app1'") and what Azure answered. Our own errors pass through unchanged
 * so that they are never wrapped twice.
 */
export function describeAzureFailure(action: string, error: unknown, hint?: string): BindError {
  if (error instanceof BindError) return error;

  const service = readServiceError(error);
  if (!service) {
    const reason = error instanceof Error ? error.message : String(error);
    return new BindError(`Failed to ${action}: ${reason}`, { cause: error });
  }
  const status = service.statusCode ? `HTTP ${service.statusCode}` : 'no response';
  const code = service.code ? ` ${service.code}` : '';
  const message = service.message ? `: ${service.message}` : '';
  const fix = hint ? ` ${hint}` : '';
  return new AzureRequestError(
    `Failed to ${action} (${status}${code})${message}${fix}`,
    service.statusCode,
    service.code,
    { cause: error },
  );
}

/** isNotFound tells whether an SDK error is Azure's 404. */
export function isNotFound(error: unknown): boolean {
  return isRestErrorLike(error) && error.statusCode === 404;
}

/** serviceErrorCode returns Azure's error code for an SDK error, when it gave one. */
export function serviceErrorCode(error: unknown): string | undefined {
  return readServiceError(error)?.code;
}
