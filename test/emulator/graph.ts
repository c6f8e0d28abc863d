import { authenticate } from './access-token.js';
import type { EmulatorContext } from './context.js';
import { graphError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';

/** GRAPH_PATH is the path prefix of the emulated Microsoft Graph. */
export const GRAPH_PATH = '/graph';

/**
 * handleGraph serves `GET /graph/v1.0/servicePrincipals?$filter=appId eq '…'` (with an optional
 * `$select`), the one Graph call the product makes, with Graph's authentication and
 * authorization errors.
 */
export function handleGraph(context: EmulatorContext, exchange: Exchange): Reply {
  const check = authenticate(context, exchange, [context.endpoints.graphAudience]);
  if (!check.ok) {
    const message =
      check.problem === 'missing'
        ? 'Access token is empty.'
        : check.problem === 'audience'
          ? 'Access token validation failure. Invalid audience.'
          : 'Access token validation failure.';
    return graphError(401, 'InvalidAuthenticationToken', message);
  }
  const path = exchange.url.pathname.slice(GRAPH_PATH.length);
  if (exchange.method !== 'GET' || path.replace(/\/$/, '') !== '/v1.0/servicePrincipals') {
    return graphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`,
    );
  }
  const client = context.state.clients.find((c) => c.objectId === check.caller.objectId);
  if (client?.graphDenied === true) {
    return graphError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  }
  const filter = exchange.url.searchParams.get('$filter') ?? '';
  const match = /^appId eq '([^']*)'$/i.exec(filter.trim());
  if (!match) {
    return graphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified: '${filter}'.`,
    );
  }
  const appId = (match[1] ?? '').toLowerCase();
  const select = exchange.url.searchParams
    .get('$select')
    ?.split(',')
    .map((s) => s.trim());
  const value = [...context.state.principals.values()]
    .filter((p) => p.appId?.toLowerCase() === appId)
    .map((p) => {
      const full: Record<string, unknown> = {
        id: p.objectId,
        appId: p.appId,
        displayName: p.displayName,
        servicePrincipalType: 'Application',
        accountEnabled: true,
        appOwnerOrganizationId: context.state.tenantId,
      };
      return select
        ? Object.fromEntries(Object.entries(full).filter(([k]) => select.includes(k)))
        : full;
    });
  const selectSuffix = select ? `(${select.join(',')})` : '';
  return jsonReply(200, {
    '@odata.context': `${context.endpoints.origin}${GRAPH_PATH}/v1.0/$metadata#servicePrincipals${selectSuffix}`,
    value,
  });
}
