import {
  WebSiteManagementClient,
  type Certificate,
  type HostNameBinding,
  type Site,
} from '@azure/arm-appservice';

import { armClientOptions, type AzureContext } from '../../core/azure-context.js';
import { describeAzureFailure, isNotFound } from '../../core/azure-error.js';

/** SiteRef names an app, or one of its deployment slots. */
export interface SiteRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly slot: string | undefined;
}

/** describeSite names an app or slot the way the portal does: `app1` or `app1/staging`. */
export function describeSite(site: SiteRef): string {
  return site.slot ? `${site.name}/${site.slot}` : site.name;
}

/**
 * AppServiceClient wraps the App Service SDK for the calls this target makes, with slots handled
 * in one place and every failure turned into a message that says what was being done.
 */
export class AppServiceClient {
  private readonly clients = new Map<string, WebSiteManagementClient>();

  constructor(private readonly context: AzureContext) {}

  private client(subscriptionId: string): WebSiteManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new WebSiteManagementClient(
        this.context.credential,
        subscriptionId,
        armClientOptions(this.context),
      );
      this.clients.set(subscriptionId, client);
    }
    return client;
  }

  /** getSite reads an app or slot. */
  async getSite(site: SiteRef): Promise<Site> {
    const apps = this.client(site.subscriptionId).webApps;
    try {
      return site.slot
        ? await apps.getSlot(site.resourceGroup, site.name, site.slot)
        : await apps.get(site.resourceGroup, site.name);
    } catch (error) {
      const hint = isNotFound(error)
        ? `Check 'app-name'${site.slot ? ", 'slot'" : ''}, 'resource-group' and ` +
          "'subscription-id', and that the pipeline's identity can read the app."
        : undefined;
      throw describeAzureFailure(
        `read app '${describeSite(site)}' in resource group '${site.resourceGroup}'`,
        error,
        hint,
      );
    }
  }

  /** enableSystemIdentity turns on the system-assigned identity, keeping user-assigned ones. */
  async enableSystemIdentity(site: SiteRef, userAssignedIds: readonly string[]): Promise<Site> {
    const identity =
      userAssignedIds.length > 0
        ? {
            type: 'SystemAssigned, UserAssigned' as const,
            userAssignedIdentities: Object.fromEntries(userAssignedIds.map((id) => [id, {}])),
          }
        : { type: 'SystemAssigned' as const };
    const apps = this.client(site.subscriptionId).webApps;
    try {
      return site.slot
        ? await apps.updateSlot(site.resourceGroup, site.name, site.slot, { identity })
        : await apps.update(site.resourceGroup, site.name, { identity });
    } catch (error) {
      throw describeAzureFailure(
        `turn on the system-assigned identity of app '${describeSite(site)}'`,
        error,
      );
    }
  }

  /** getPlan reads an App Service plan. */
  async getPlan(subscriptionId: string, resourceGroup: string, name: string) {
    try {
      return await this.client(subscriptionId).appServicePlans.get(resourceGroup, name);
    } catch (error) {
      throw describeAzureFailure(
        `read App Service plan '${name}' in resource group '${resourceGroup}'`,
        error,
      );
    }
  }

  /** listBindings lists the hostname bindings of an app or slot. */
  async listBindings(site: SiteRef): Promise<HostNameBinding[]> {
    const apps = this.client(site.subscriptionId).webApps;
    const bindings: HostNameBinding[] = [];
    try {
      const pages = site.slot
        ? apps.listHostNameBindingsSlot(site.resourceGroup, site.name, site.slot)
        : apps.listHostNameBindings(site.resourceGroup, site.name);
      for await (const binding of pages) bindings.push(binding);
    } catch (error) {
      throw describeAzureFailure(
        `list the hostname bindings of app '${describeSite(site)}'`,
        error,
      );
    }
    return bindings;
  }

  /** putBinding creates or updates the SSL binding of one hostname. */
  async putBinding(site: SiteRef, hostname: string, binding: HostNameBinding): Promise<void> {
    const apps = this.client(site.subscriptionId).webApps;
    try {
      if (site.slot) {
        await apps.createOrUpdateHostNameBindingSlot(
          site.resourceGroup,
          site.name,
          hostname,
          site.slot,
          binding,
        );
      } else {
        await apps.createOrUpdateHostNameBinding(site.resourceGroup, site.name, hostname, binding);
      }
    } catch (error) {
      throw describeAzureFailure(
        `bind hostname '${hostname}' of app '${describeSite(site)}' to thumbprint ` +
          `${binding.thumbprint ?? '(none)'}`,
        error,
      );
    }
  }

  /** listCertificates lists the App Service certificates of a resource group. */
  async listCertificates(subscriptionId: string, resourceGroup: string): Promise<Certificate[]> {
    const certificates: Certificate[] = [];
    try {
      const pages = this.client(subscriptionId).certificates.listByResourceGroup(resourceGroup);
      for await (const certificate of pages) certificates.push(certificate);
    } catch (error) {
      throw describeAzureFailure(
        `list the App Service certificates in resource group '${resourceGroup}'`,
        error,
      );
    }
    return certificates;
  }

  /** putCertificate imports (or updates) an App Service certificate. */
  async putCertificate(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    certificate: Certificate,
  ): Promise<Certificate> {
    try {
      return await this.client(subscriptionId).certificates.createOrUpdate(
        resourceGroup,
        name,
        certificate,
      );
    } catch (error) {
      throw describeAzureFailure(
        `import certificate '${name}' into resource group '${resourceGroup}'`,
        error,
      );
    }
  }

  /** deleteCertificate deletes an App Service certificate; the platform refuses a bound one. */
  async deleteCertificate(subscriptionId: string, resourceGroup: string, name: string) {
    await this.client(subscriptionId).certificates.delete(resourceGroup, name);
  }
}
