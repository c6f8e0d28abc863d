import type { Certificate, HostNameBinding, Site } from '@azure/arm-appservice';

import type { AzureContext } from '../../core/azure-context.js';
import { describeAzureFailure, readServiceError } from '../../core/azure-error.js';
import { InputError, PreconditionError } from '../../core/errors.js';
import type { AppServiceBindOptions } from '../../core/options.js';
import type { Change, TargetPlan } from '../../core/plan.js';
import { parseResourceId, sameResourceId } from '../../core/resource-id.js';
import {
  appServicePrincipalHint,
  findServicePrincipalObjectId,
} from '../../graph/service-principal.js';
import { checkCertificateUsable } from '../../keyvault/certificate-checks.js';
import { readCertificateMetadata, type CertificateMetadata } from '../../keyvault/certificate.js';
import { coveringName } from '../../keyvault/hostname-coverage.js';
import { SecretAccessClient, planSecretRead } from '../../keyvault/secret-access.js';
import { VaultClient, isFirewallClosed, type VaultInfo } from '../../keyvault/vault.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, webCertificateName } from './certificate-name.js';
import { AppServiceClient, describeSite, type SiteRef } from './web-client.js';

/** Webspace is where an app's certificates must live: its plan's resource group and region. */
interface Webspace {
  readonly planId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
}

interface AppServiceState {
  readonly site: Site;
  readonly webspace: Webspace;
  readonly vault: VaultInfo;
  readonly certificate: CertificateMetadata;
  readonly bindings: ReadonlyMap<string, HostNameBinding>;
  readonly webspaceCertificates: readonly Certificate[];
}

function sameLocation(a: string | undefined, b: string | undefined): boolean {
  const normalise = (value: string | undefined) => (value ?? '').replace(/\s+/g, '').toLowerCase();
  return normalise(a) === normalise(b);
}

function sameThumbprint(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toUpperCase() === b.toUpperCase();
}

function bindingHost(binding: HostNameBinding): string {
  // A binding's name is `app/host` (or `app/slot/host` on some api-versions).
  return (binding.name ?? '').split('/').pop()?.toLowerCase() ?? '';
}

async function readState(
  options: AppServiceBindOptions,
  context: AzureContext,
  web: AppServiceClient,
  siteRef: SiteRef,
): Promise<AppServiceState> {
  const { host } = context;
  const site = await web.getSite(siteRef);
  host.info(`App: ${site.id}`);

  const planId = parseResourceId(site.serverFarmId ?? '');
  if (!planId || planId.provider !== 'microsoft.web/serverfarms') {
    throw new PreconditionError(
      `App '${describeSite(siteRef)}' has no valid App Service plan id ('${site.serverFarmId}').`,
    );
  }
  const plan = await web.getPlan(planId.subscriptionId, planId.resourceGroup, planId.name);
  const webspace: Webspace = {
    planId: plan.id ?? planId.id,
    subscriptionId: planId.subscriptionId,
    resourceGroup: planId.resourceGroup,
    location: plan.location,
  };
  host.info(`Plan: ${webspace.planId} (webspace: ${webspace.resourceGroup}, ${webspace.location})`);

  const vault = await new VaultClient(context).resolveVault(
    options.keyVault,
    siteRef.subscriptionId,
  );
  host.info(
    `Vault: ${vault.id} (${vault.rbac ? 'Azure RBAC' : 'access policies'}, ${vault.vaultUri})`,
  );
  checkFirewall(vault);

  const certificate = await readCertificateMetadata(context, vault, options.certificate);
  host.info(
    `Certificate: ${certificate.name} version ${certificate.version}, thumbprint ` +
      `${certificate.thumbprint}, expires ${certificate.expiresOn.toISOString()}`,
  );

  const bindings = new Map<string, HostNameBinding>();
  for (const binding of await web.listBindings(siteRef))
    bindings.set(bindingHost(binding), binding);
  const webspaceCertificates = (
    await web.listCertificates(webspace.subscriptionId, webspace.resourceGroup)
  ).filter((c) => sameLocation(c.location, webspace.location));
  host.debug(`${webspaceCertificates.length} certificate(s) in the webspace.`);

  return { site, webspace, vault, certificate, bindings, webspaceCertificates };
}

/**
 * checkFirewall refuses a vault whose firewall would stop App Service from fetching the
 * certificate. It diagnoses only: opening a firewall is the vault owner's decision.
 */
function checkFirewall(vault: VaultInfo): void {
  if (isFirewallClosed(vault) && !vault.firewall.bypassesTrustedServices) {
    throw new PreconditionError(
      `Vault '${vault.name}' has a firewall that does not let trusted Microsoft services bypass ` +
        'it, so App Service cannot fetch the certificate. Turn on "Allow trusted Microsoft ' +
        `services to bypass this firewall" (networkAcls.bypass = AzureServices: az keyvault ` +
        `update --name ${vault.name} --bypass AzureServices). This step does not change firewalls.`,
    );
  }
}

/**
 * selectHostnames picks the hostnames to bind: the ones asked for, each of which must be on the
 * app and covered by the certificate, or else every hostname of the app the certificate covers.
 */
function selectHostnames(
  requested: readonly string[] | undefined,
  site: Site,
  siteName: string,
  certificate: CertificateMetadata,
): string[] {
  const onApp = (site.hostNames ?? []).map((h) => h.toLowerCase());
  if (!requested) {
    const covered = onApp.filter((h) => coveringName(certificate.dnsNames, h));
    if (covered.length === 0) {
      throw new PreconditionError(
        `Certificate '${certificate.name}' (${certificate.dnsNames.join(', ')}) covers none of ` +
          `the hostnames of app '${siteName}' (${onApp.join(', ')}). Add the custom domain to ` +
          "the app first, or set 'hostnames'.",
      );
    }
    return covered;
  }

  for (const hostname of requested) {
    if (!onApp.includes(hostname)) {
      const wildcard = hostname.startsWith('*.')
        ? " A binding is made on a hostname of the app, never on the certificate's subject: " +
          "name the app's real hostnames, or leave 'hostnames' empty to bind every one the " +
          'certificate covers.'
        : ' Add it as a custom domain of the app first (az webapp config hostname add), then ' +
          'run again.';
      throw new InputError(
        'hostnames',
        `contains '${hostname}', which is not a hostname of app '${siteName}' ` +
          `(it has: ${onApp.join(', ')}).${wildcard}`,
      );
    }
    if (!coveringName(certificate.dnsNames, hostname)) {
      throw new InputError(
        'hostnames',
        `contains '${hostname}', which certificate '${certificate.name}' does not cover ` +
          `(it covers: ${certificate.dnsNames.join(', ')}; a wildcard covers exactly one ` +
          'label and not the bare domain).',
      );
    }
  }
  return [...requested];
}

function isOurs(certificate: Certificate, vault: VaultInfo, name: string): boolean {
  return (
    certificate.tags?.[MANAGED_BY_TAG] === MANAGED_BY_VALUE &&
    sameResourceId(certificate.keyVaultId, vault.id) &&
    (certificate.keyVaultSecretName ?? '').toLowerCase() === name.toLowerCase()
  );
}

/**
 * planAppServiceBinding reads the app, its plan, the vault and the certificate, checks every
 * precondition, and returns the changes that make the app serve the Key Vault certificate on its
 * hostnames: identity, access grant, import into the webspace, SNI bindings, and the removal of
 * the import a renewal superseded. It writes nothing itself.
 */
export async function planAppServiceBinding(
  options: AppServiceBindOptions,
  context: AzureContext,
  now: Date,
): Promise<TargetPlan> {
  const { host, cloud } = context;
  const app = options.appService;
  const siteRef: SiteRef = {
    subscriptionId: options.subscriptionId,
    resourceGroup: app.resourceGroup,
    name: app.appName,
    slot: app.slot,
  };
  const siteName = describeSite(siteRef);
  const web = new AppServiceClient(context);
  const access = new SecretAccessClient(context);

  const state = await host.group('Read the app, its plan, the vault and the certificate', () =>
    readState(options, context, web, siteRef),
  );
  const { site, webspace, vault, certificate } = state;

  return host.group('Check and plan', async () => {
    const checks = checkCertificateUsable(certificate, vault, now, 'App Service');
    checks.push({
      subject: 'Vault firewall',
      outcome: 'ok',
      detail: isFirewallClosed(vault)
        ? 'closed, trusted Microsoft services may bypass'
        : 'open to all networks',
    });
    const hostnames = selectHostnames(app.hostnames, site, siteName, certificate);
    checks.push({ subject: 'Hostnames', outcome: 'ok', detail: hostnames.join(', ') });
    for (const check of checks) {
      const line = `${check.subject}: ${check.detail}`;
      if (check.outcome === 'warning') host.warning(line);
      else host.info(line);
    }

    const changes: Change[] = [];

    const identityType = site.identity?.type ?? 'None';
    if (app.appIdentity === 'system' && !/SystemAssigned/i.test(identityType)) {
      const userAssigned = Object.keys(site.identity?.userAssignedIdentities ?? {});
      changes.push({
        action: 'Turn on the system-assigned identity',
        resource: site.id ?? siteName,
        apply: async () => {
          const updated = await web.enableSystemIdentity(siteRef, userAssigned);
          host.info(`System-assigned identity: principal ${updated.identity?.principalId}`);
        },
      });
    }

    const rpObjectId =
      app.appServicePrincipalObjectId ??
      (await findServicePrincipalObjectId(
        context,
        cloud.appServicePrincipalAppId,
        appServicePrincipalHint,
      ));
    const secretRead = await planSecretRead(access, {
      vault,
      secretName: certificate.name,
      principalId: rpObjectId,
      reader: 'The App Service resource provider',
      permissions: { secrets: ['get'], certificates: ['get'] },
      grantAccess: options.grantAccess,
    });
    if (secretRead.check) checks.push(secretRead.check);
    if (secretRead.change) changes.push(secretRead.change);

    const existing = state.webspaceCertificates.find((c) =>
      sameThumbprint(c.thumbprint, certificate.thumbprint),
    );
    // The thumbprint bindings get: Key Vault's current one, or what the import really took if
    // the certificate was renewed while this run was under way.
    let boundThumbprint = certificate.thumbprint;
    let certificateId: string;
    if (existing) {
      certificateId = existing.id ?? '';
      checks.push({
        subject: 'Imported certificate',
        outcome: 'ok',
        detail: `${existing.name} (reused)`,
      });
      if (!sameResourceId(existing.keyVaultId, vault.id)) {
        host.warning(
          `Certificate '${existing.name}' in the webspace has thumbprint ${certificate.thumbprint} ` +
            'but is not linked to this Key Vault certificate, so App Service will not renew it ' +
            'from Key Vault. Binding to it anyway (the platform allows one certificate per ' +
            'thumbprint); delete it and run again to get renewals.',
        );
      }
    } else {
      const name = webCertificateName(vault.name, certificate.name, certificate.thumbprint);
      certificateId =
        `/subscriptions/${webspace.subscriptionId}/resourceGroups/${webspace.resourceGroup}` +
        `/providers/Microsoft.Web/certificates/${name}`;
      changes.push({
        action: `Import Key Vault certificate ${certificate.name} (${certificate.thumbprint})`,
        resource: certificateId,
        apply: async () => {
          const imported = await web.putCertificate(
            webspace.subscriptionId,
            webspace.resourceGroup,
            name,
            {
              location: webspace.location,
              tags: { [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
              keyVaultId: vault.id,
              keyVaultSecretName: certificate.name,
              serverFarmId: webspace.planId,
            },
          );
          if (imported.thumbprint && !sameThumbprint(imported.thumbprint, boundThumbprint)) {
            host.warning(
              `App Service imported thumbprint ${imported.thumbprint}, not ` +
                `${certificate.thumbprint}: the certificate was renewed in Key Vault during this ` +
                'run. Binding the imported thumbprint; the next run gives the import its name.',
            );
            boundThumbprint = imported.thumbprint.toUpperCase();
          }
        },
      });
    }

    for (const hostname of hostnames) {
      const binding = state.bindings.get(hostname);
      const sslState = binding?.sslState === 'IpBasedEnabled' ? 'IpBasedEnabled' : 'SniEnabled';
      if (
        binding?.sslState === sslState &&
        sameThumbprint(binding.thumbprint, certificate.thumbprint)
      ) {
        continue;
      }
      const from = binding?.thumbprint ? ` (was ${binding.thumbprint})` : '';
      changes.push({
        action: `Bind ${hostname} (${sslState === 'SniEnabled' ? 'SNI' : 'IP'} SSL) to ${certificate.thumbprint}${from}`,
        resource: `${site.id}/hostNameBindings/${hostname}`,
        apply: () =>
          web.putBinding(siteRef, hostname, {
            sslState,
            thumbprint: boundThumbprint,
            hostNameType: binding?.hostNameType ?? 'Verified',
          }),
      });
    }

    // Only the imports this run moves bindings off are removed: deleting one that another app
    // or slot still binds would be refused (409) on every later run, and is not ours to move.
    const movedOff = new Set(
      hostnames
        .map((hostname) => state.bindings.get(hostname)?.thumbprint?.toUpperCase())
        .filter((thumbprint): thumbprint is string => !!thumbprint),
    );
    const stillBound = new Set(
      [...state.bindings.entries()]
        .filter(([hostname]) => !hostnames.includes(hostname))
        .map(([, binding]) => binding.thumbprint?.toUpperCase())
        .filter((thumbprint): thumbprint is string => !!thumbprint),
    );
    for (const old of state.webspaceCertificates) {
      if (
        !isOurs(old, vault, certificate.name) ||
        sameThumbprint(old.thumbprint, certificate.thumbprint)
      ) {
        continue;
      }
      const thumbprint = old.thumbprint?.toUpperCase() ?? '';
      if (stillBound.has(thumbprint) || !movedOff.has(thumbprint)) {
        const why = stillBound.has(thumbprint)
          ? `another hostname of ${siteName} still uses it`
          : `this run moved no binding of ${siteName} off it (it may serve another app)`;
        checks.push({
          subject: 'Superseded import kept',
          outcome: 'ok',
          detail: `${old.name} (${old.thumbprint}): ${why}; delete it once nothing binds it`,
        });
        continue;
      }
      changes.push({
        action: `Remove superseded import ${old.name} (${old.thumbprint})`,
        resource: old.id ?? old.name ?? '',
        apply: async () => {
          try {
            await web.deleteCertificate(
              webspace.subscriptionId,
              webspace.resourceGroup,
              old.name ?? '',
            );
          } catch (error) {
            const service = readServiceError(error);
            if (service?.statusCode !== 409) {
              throw describeAzureFailure(`delete superseded certificate '${old.name}'`, error);
            }
            // The platform refuses to delete a certificate that any app in the webspace still
            // binds; that binding is not ours to move, so the old import stays.
            host.warning(
              `Kept '${old.name}': App Service says it is still in use (${service.message ?? 'HTTP 409'}).`,
            );
            return 'still bound elsewhere';
          }
        },
      });
    }

    return {
      title: `App Service ${siteName}`,
      checks,
      changes,
      outputs: () => ({
        thumbprint: boundThumbprint,
        'expires-on': certificate.expiresOn.toISOString(),
        'certificate-id': certificateId,
        'bound-hostnames': hostnames.join(','),
      }),
    };
  });
}
