interface AppSnapshot {
  id: string;
  siteName: string;
  slotName: string | null;
  identity: { systemAssigned: { principalId: string } | null };
  bindings: { hostName: string; sslState: string; thumbprint: string | null }[];
}

interface StateSnapshot {
  vaults: {
    name: string;
    accessPolicies: {
      objectId: string;
      permissions: { secrets: string[]; certificates: string[] };
    }[];
    certificates: { name: string; versions: { version: string; thumbprint: string }[] }[];
  }[];
  sites: (AppSnapshot & { slots: AppSnapshot[] })[];
  webCertificates: {
    id: string;
    name: string;
    resourceGroup: string;
    location: string;
    thumbprint: string;
    keyVaultId: string;
    keyVaultSecretName: string;
  }[];
  roleAssignments: { scope: string; roleDefinitionId: string; principalId: string }[];
}

/** StateView answers the questions a test asks of the emulator's state (`GET /state`). */
export interface StateView {
  /** siteIdentity is the system-assigned principal of `app` or `app/slot`, if on. */
  siteIdentity(app: string): string | undefined;
  binding(
    app: string,
    hostname: string,
  ): { sslState: string; thumbprint: string | null } | undefined;
  accessPolicy(
    vault: string,
    objectId: string,
  ): { secrets: string[]; certificates: string[] } | undefined;
  currentThumbprint(vault: string, certificate: string): string;
  webCertificates(): StateSnapshot['webCertificates'];
  roleAssignments(): StateSnapshot['roleAssignments'];
}

/** readView wraps a `GET /state` snapshot. */
export function readView(state: unknown): StateView {
  const snapshot = state as StateSnapshot;
  const app = (name: string): AppSnapshot => {
    const [siteName, slotName] = name.split('/');
    const site = snapshot.sites.find((s) => s.siteName === siteName);
    const found = slotName ? site?.slots.find((s) => s.slotName === slotName) : site;
    if (!found) throw new Error(`no app '${name}' in the emulator`);
    return found;
  };
  const vault = (name: string) => {
    const found = snapshot.vaults.find((v) => v.name === name);
    if (!found) throw new Error(`no vault '${name}' in the emulator`);
    return found;
  };

  return {
    siteIdentity: (name) => app(name).identity.systemAssigned?.principalId,
    binding: (name, hostname) => app(name).bindings.find((b) => b.hostName === hostname),
    accessPolicy: (name, objectId) => {
      const entry = vault(name).accessPolicies.find((p) => p.objectId === objectId);
      return entry
        ? { secrets: entry.permissions.secrets, certificates: entry.permissions.certificates }
        : undefined;
    },
    currentThumbprint: (name, certificate) => {
      const versions = vault(name).certificates.find((c) => c.name === certificate)?.versions;
      const current = versions?.[versions.length - 1];
      if (!current) throw new Error(`no certificate '${certificate}' in vault '${name}'`);
      return current.thumbprint;
    },
    webCertificates: () => snapshot.webCertificates,
    roleAssignments: () => snapshot.roleAssignments,
  };
}
