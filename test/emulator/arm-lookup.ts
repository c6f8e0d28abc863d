import { armError } from './error-bodies.js';
import type { Reply } from './exchange.js';
import type { EmulatorState } from './state.js';

/** hasSubscription tells whether a subscription is seeded. */
export function hasSubscription(state: EmulatorState, subscriptionId: string): boolean {
  return state.subscriptions.some((s) => s.id.toLowerCase() === subscriptionId.toLowerCase());
}

/**
 * hasResourceGroup tells whether a resource group exists; the emulator knows a group by the
 * resources seeded in it.
 */
export function hasResourceGroup(
  state: EmulatorState,
  subscriptionId: string,
  group: string,
): boolean {
  const sub = subscriptionId.toLowerCase();
  const rg = group.toLowerCase();
  const all = [
    ...state.vaults.values(),
    ...state.serverFarms.values(),
    ...state.sites.values(),
    ...state.webCertificates.values(),
    ...state.userAssignedIdentities.values(),
    ...state.applicationGateways.values(),
  ];
  return all.some(
    (r) => r.subscriptionId.toLowerCase() === sub && r.resourceGroup.toLowerCase() === rg,
  );
}

/** subscriptionNotFound is ARM's answer for an unknown subscription. */
export function subscriptionNotFound(subscriptionId: string): Reply {
  return armError(
    404,
    'SubscriptionNotFound',
    `The subscription '${subscriptionId}' could not be found.`,
  );
}

/** resourceGroupNotFound is ARM's answer for an unknown resource group. */
export function resourceGroupNotFound(group: string): Reply {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`);
}

/** resourceNotFound is ARM's answer for a missing top-level resource. */
export function resourceNotFound(type: string, name: string, group: string): Reply {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}
