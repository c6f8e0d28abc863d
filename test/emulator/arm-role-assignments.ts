import {
  hasResourceGroup,
  hasSubscription,
  resourceGroupNotFound,
  resourceNotFound,
  subscriptionNotFound,
} from './arm-lookup.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { GUID_PATTERN } from './guid.js';
import { findBuiltInRole, isRoleDefinitionId } from './role-definitions.js';
import { normalizeScope, scopeContains } from './scope.js';
import type { EmulatorState, RoleAssignment } from './state.js';
import { methodNotAllowed } from './web-sites.js';

const SEGMENT = '/providers/microsoft.authorization/roleassignments';

/** RoleAssignmentPath is an ARM path split at `/providers/Microsoft.Authorization/roleAssignments`. */
export interface RoleAssignmentPath {
  readonly scope: string;
  readonly name: string | undefined;
}

/** matchRoleAssignmentPath recognises a role assignment (or list) path under any scope. */
export function matchRoleAssignmentPath(path: string): RoleAssignmentPath | undefined {
  const at = path.toLowerCase().lastIndexOf(SEGMENT);
  if (at < 0) return undefined;
  const rest = path.slice(at + SEGMENT.length);
  if (rest !== '' && !/^\/[^/]+$/.test(rest)) return undefined;
  return { scope: path.slice(0, at), name: rest === '' ? undefined : rest.slice(1) };
}

/** roleAssignmentResource renders an assignment in the Authorization 2022-04-01 shape. */
export function roleAssignmentResource(a: RoleAssignment): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      ...(a.description !== undefined ? { description: a.description } : {}),
      createdOn: a.createdOn.toISOString(),
      updatedOn: a.updatedOn.toISOString(),
    },
  };
}

function checkScope(state: EmulatorState, scope: string): Reply | undefined {
  const match =
    /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/([^/]+)\/([^/]+)(\/.*)?)?)?$/i.exec(
      scope,
    );
  if (!match) {
    return armError(
      400,
      'InvalidScope',
      `The scope '${scope}' is not valid for a role assignment.`,
    );
  }
  const [, subscriptionId = '', group, provider, type, name] = match;
  if (!hasSubscription(state, subscriptionId)) return subscriptionNotFound(subscriptionId);
  if (group !== undefined && !hasResourceGroup(state, subscriptionId, group))
    return resourceGroupNotFound(group);
  if (
    group !== undefined &&
    provider?.toLowerCase() === 'microsoft.keyvault' &&
    type?.toLowerCase() === 'vaults'
  ) {
    const vault = state.vaults.get((name ?? '').toLowerCase());
    if (!vault || vault.resourceGroup.toLowerCase() !== group.toLowerCase()) {
      return resourceNotFound('Microsoft.KeyVault/vaults', name ?? '', group);
    }
  }
  return undefined;
}

/** handleRoleAssignments serves role assignment GET, PUT, DELETE and the list for a scope. */
export function handleRoleAssignments(
  state: EmulatorState,
  exchange: Exchange,
  path: RoleAssignmentPath,
): Reply {
  const badScope = checkScope(state, path.scope);
  if (badScope) return badScope;
  if (path.name === undefined) {
    return exchange.method === 'GET'
      ? listAssignments(state, exchange, path.scope)
      : methodNotAllowed(exchange);
  }
  const id = `${path.scope}/providers/Microsoft.Authorization/roleAssignments/${path.name}`;
  const existing = state.roleAssignments.get(id.toLowerCase());
  switch (exchange.method) {
    case 'GET':
      return existing
        ? jsonReply(200, roleAssignmentResource(existing))
        : armError(
            404,
            'RoleAssignmentNotFound',
            `The role assignment '${path.name}' is not found.`,
          );
    case 'DELETE':
      if (!existing) return { status: 204 };
      state.roleAssignments.delete(id.toLowerCase());
      return jsonReply(200, roleAssignmentResource(existing));
    case 'PUT':
      return putAssignment(state, exchange, path.scope, path.name, id);
    default:
      return methodNotAllowed(exchange);
  }
}

function putAssignment(
  state: EmulatorState,
  exchange: Exchange,
  scope: string,
  name: string,
  id: string,
): Reply {
  if (!GUID_PATTERN.test(name)) {
    return armError(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  const props = (exchange.json as { properties?: Record<string, unknown> } | undefined)?.properties;
  const roleDefinitionId =
    typeof props?.['roleDefinitionId'] === 'string' ? props['roleDefinitionId'] : '';
  const principalId = typeof props?.['principalId'] === 'string' ? props['principalId'] : '';
  if (!isRoleDefinitionId(roleDefinitionId)) {
    return armError(
      400,
      'InvalidRoleDefinitionId',
      `The role definition ID '${roleDefinitionId}' is not valid.`,
    );
  }
  const role = findBuiltInRole(roleDefinitionId);
  if (!role) {
    return armError(
      400,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${roleDefinitionId.split('/').pop() ?? ''}' does not exist.`,
    );
  }
  if (!isPrincipalVisible(state, principalId, typeof props?.['principalType'] === 'string')) {
    return armError(
      400,
      'PrincipalNotFound',
      `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${state.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  const sameGrant = (a: RoleAssignment): boolean =>
    a.principalId.toLowerCase() === principalId.toLowerCase() &&
    findBuiltInRole(a.roleDefinitionId)?.id === role.id &&
    normalizeScope(a.scope) === normalizeScope(scope);
  const existing = state.roleAssignments.get(id.toLowerCase());
  if (existing) {
    if (sameGrant(existing)) return jsonReply(200, roleAssignmentResource(existing));
    return armError(
      400,
      'RoleAssignmentUpdateNotPermitted',
      'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
    );
  }
  const twin = [...state.roleAssignments.values()].find(sameGrant);
  if (twin) {
    return armError(
      409,
      'RoleAssignmentExists',
      `The role assignment already exists. The ID of the existing role assignment is ${twin.name.replace(/-/g, '')}.`,
    );
  }
  const now = new Date();
  const assignment: RoleAssignment = {
    id,
    name,
    scope,
    roleDefinitionId,
    principalId,
    principalType:
      typeof props?.['principalType'] === 'string' ? props['principalType'] : 'ServicePrincipal',
    description: typeof props?.['description'] === 'string' ? props['description'] : undefined,
    createdOn: now,
    updatedOn: now,
    ...(state.settings.rbacPropagationMs > 0
      ? { effectiveAt: new Date(now.getTime() + state.settings.rbacPropagationMs) }
      : {}),
  };
  state.roleAssignments.set(id.toLowerCase(), assignment);
  return jsonReply(201, roleAssignmentResource(assignment));
}

/**
 * isPrincipalVisible tells whether role assignment can see a principal: a newly created managed
 * identity stays invisible for a while (directory replication), less so when the request says
 * `principalType`, which lets the platform skip the lookup.
 */
function isPrincipalVisible(state: EmulatorState, principalId: string, typed: boolean): boolean {
  const principal = state.principals.get(principalId.toLowerCase());
  if (!principal) return false;
  const visibleAt = typed ? principal.visibleWithTypeAt : principal.visibleAt;
  return visibleAt === undefined || visibleAt.getTime() <= Date.now();
}

function listAssignments(state: EmulatorState, exchange: Exchange, scope: string): Reply {
  const filter = (exchange.url.searchParams.get('$filter') ?? '').trim();
  const principal =
    /principalId eq '([^']+)'/i.exec(filter)?.[1] ?? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
  const atScope = /atScope\(\)/i.test(filter);
  if (filter !== '' && principal === undefined && !atScope) {
    return armError(400, 'UnsupportedQuery', `The filter '${filter}' is not supported.`);
  }
  const value = [...state.roleAssignments.values()]
    .filter((a) => scopeContains(a.scope, scope) || (!atScope && scopeContains(scope, a.scope)))
    .filter(
      (a) => principal === undefined || a.principalId.toLowerCase() === principal.toLowerCase(),
    )
    .map(roleAssignmentResource);
  return jsonReply(200, { value });
}
