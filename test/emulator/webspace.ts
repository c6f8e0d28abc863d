import { normalizeLocation } from './location.js';
import type { EmulatorState, ServerFarm, WebApp, WebCertificate } from './state.js';

/**
 * webspaceKey identifies an App Service webspace: a subscription, resource group and region. A
 * plan, its apps and their certificates live in one webspace.
 */
export function webspaceKey(
  subscriptionId: string,
  resourceGroup: string,
  location: string,
): string {
  return `${subscriptionId}/${resourceGroup}/${normalizeLocation(location)}`.toLowerCase();
}

/** webspaceOfFarm is the webspace of a plan. */
export function webspaceOfFarm(farm: ServerFarm): string {
  return webspaceKey(farm.subscriptionId, farm.resourceGroup, farm.location);
}

/** webspaceOfCertificate is the webspace a certificate resource lives in. */
export function webspaceOfCertificate(certificate: WebCertificate): string {
  return webspaceKey(certificate.subscriptionId, certificate.resourceGroup, certificate.location);
}

/** certificatesInWebspace lists the certificate resources of a webspace. */
export function certificatesInWebspace(state: EmulatorState, webspace: string): WebCertificate[] {
  return [...state.webCertificates.values()].filter((c) => webspaceOfCertificate(c) === webspace);
}

/** appsInWebspace lists every site and slot whose plan is in a webspace. */
export function appsInWebspace(state: EmulatorState, webspace: string): WebApp[] {
  const apps: WebApp[] = [];
  for (const site of state.sites.values()) {
    const farm = state.serverFarms.get(site.serverFarmId.toLowerCase());
    if (farm && webspaceOfFarm(farm) === webspace) {
      apps.push(site, ...site.slots.values());
    }
  }
  return apps;
}
