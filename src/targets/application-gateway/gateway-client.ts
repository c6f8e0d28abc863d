import { NetworkManagementClient, type ApplicationGateway } from '@azure/arm-network';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

import { armClientOptions, type AzureContext } from '../../core/azure-context.js';
import { describeAzureFailure, isNotFound, readServiceError } from '../../core/azure-error.js';

/** OperationError is the error of a failed long-running operation, innermost code first. */
export interface OperationError {
  readonly code: string;
  readonly message: string;
}

/**
 * PutOutcome is what became of one gateway PUT. Only `succeeded` wrote; every other outcome is a
 * reason to re-read the gateway and decide again.
 */
export type PutOutcome =
  | { readonly kind: 'succeeded' }
  /** 412: the gateway changed since it was read. */
  | { readonly kind: 'stale' }
  /** 409/429 AnotherOperationInProgress: wait, then try again. */
  | { readonly kind: 'busy'; readonly retryAfterMs: number | undefined; readonly code: string }
  /** The operation was superseded by another writer's PUT. */
  | { readonly kind: 'canceled' }
  | { readonly kind: 'failed'; readonly error: OperationError };

interface AsyncOperationStatus {
  status?: string;
  error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] };
}

const BUSY_CODES =
  /AnotherOperationInProgress|RetryableErrorDueToAnotherOperation|OperationNotAllowed/i;

function innermostError(status: AsyncOperationStatus): OperationError {
  const error = status.error ?? {};
  const detail = error.details?.find((d) => d.code);
  return {
    code: detail?.code ?? error.code ?? 'Unknown',
    message: detail?.message ?? error.message ?? 'The operation failed without a message.',
  };
}

const HELD_RETRY_AFTER = 'x-keyvault-cert-bind-retry-after';

/**
 * noStaleReplay stops the SDK from re-sending a gateway PUT by itself after a 429: the body is a
 * whole gateway read before the other operation, so replaying it later would overwrite what that
 * operation wrote. The step re-reads and re-applies instead, after the same Retry-After.
 */
const noStaleReplay: PipelinePolicy = {
  name: 'keyvault-cert-bind-no-stale-replay',
  sendRequest: async (request, next) => {
    const response = await next(request);
    const retryAfterHeader = response.headers.get('retry-after');
    if (request.method === 'PUT' && response.status === 429 && retryAfterHeader) {
      response.headers.set(HELD_RETRY_AFTER, retryAfterHeader);
      response.headers.delete('retry-after');
    }
    return response;
  },
};

function retryAfter(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get(name: string): string | undefined } } })
    .response?.headers;
  const header = headers?.get(HELD_RETRY_AFTER) ?? headers?.get('retry-after');
  const seconds = header ? Number(header) : NaN;
  if (Number.isFinite(seconds)) return seconds * 1000;
  // Without the header, ARM often says "retry after N seconds" in the message.
  const message = readServiceError(error)?.message ?? '';
  const inMessage = /retry after (\d+)/i.exec(message)?.[1];
  return inMessage ? Number(inMessage) * 1000 : undefined;
}

/**
 * GatewayClient reads and writes Application Gateways. A write is a PUT of the whole gateway with
 * `If-Match`, followed to its end; the final `Azure-AsyncOperation` status is kept so that a
 * failure shows the platform's inner error code, not a generic "operation failed".
 */
export class GatewayClient {
  private readonly client: NetworkManagementClient;
  private lastStatus: AsyncOperationStatus | undefined;

  constructor(context: AzureContext, subscriptionId: string) {
    this.client = new NetworkManagementClient(
      context.credential,
      subscriptionId,
      armClientOptions(context),
    );
    const capture: PipelinePolicy = {
      name: 'keyvault-cert-bind-operation-status',
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (request.method === 'GET' && /\/operations\//i.test(new URL(request.url).pathname)) {
          try {
            this.lastStatus = JSON.parse(response.bodyAsText ?? '{}') as AsyncOperationStatus;
          } catch {
            this.lastStatus = undefined;
          }
        }
        return response;
      },
    };
    this.client.pipeline.addPolicy(capture);
    // Inside the retry policy, so that it sees each response before the retry policy does.
    this.client.pipeline.addPolicy(noStaleReplay, { afterPolicies: ['defaultRetryPolicy'] });
  }

  // Set by the pipeline policy while a PUT is followed; read once the PUT settles.
  private finalStatus(): AsyncOperationStatus | undefined {
    return this.lastStatus;
  }

  /** get reads a gateway with its etag. */
  async get(resourceGroup: string, name: string): Promise<ApplicationGateway> {
    try {
      return await this.client.applicationGateways.get(resourceGroup, name);
    } catch (error) {
      const hint = isNotFound(error)
        ? "Check 'gateway-name', 'resource-group' and 'subscription-id'."
        : undefined;
      throw describeAzureFailure(`read Application Gateway '${name}'`, error, hint);
    }
  }

  /** put writes the whole gateway if it still has `etag`, and follows the operation to its end. */
  async put(
    resourceGroup: string,
    name: string,
    gateway: ApplicationGateway,
    etag: string | undefined,
  ): Promise<PutOutcome> {
    this.lastStatus = undefined;
    try {
      await this.client.applicationGateways.createOrUpdate(resourceGroup, name, gateway, {
        requestOptions: { headers: etag ? { 'If-Match': etag } : {} },
        updateIntervalInMs: 500,
      });
      return { kind: 'succeeded' };
    } catch (error) {
      const service = readServiceError(error);
      if (service?.statusCode === 412) return { kind: 'stale' };
      // Any 429 (throttling, or another operation in progress) and a 409 for another operation
      // mean: wait, re-read and apply again; the SDK must not replay the stale body itself.
      if (
        service?.statusCode === 429 ||
        (service?.statusCode === 409 &&
          BUSY_CODES.test(`${service.code ?? ''} ${service.message ?? ''}`))
      ) {
        return { kind: 'busy', retryAfterMs: retryAfter(error), code: service.code ?? 'Busy' };
      }
      const last = this.finalStatus();
      const status = last?.status?.toLowerCase();
      if (status === 'canceled') return { kind: 'canceled' };
      if (status === 'failed' && last) {
        const inner = innermostError(last);
        if (/CanceledAndSupersededDueToAnotherOperation/i.test(inner.code)) {
          return { kind: 'canceled' };
        }
        return { kind: 'failed', error: inner };
      }
      throw describeAzureFailure(`update Application Gateway '${name}'`, error);
    }
  }
}
