import type { KubernetesCluster } from './kubernetes/cluster.js';
import type { ThrottleRule } from './throttle.js';
import type { IssuedCertificate } from './x509.js';

/** Principal is a directory object that can hold Key Vault or RBAC permissions. */
export interface Principal {
  readonly objectId: string;
  readonly appId?: string;
  readonly displayName: string;
  readonly principalType: 'ServicePrincipal';
  /**
   * When set, role assignments that do not say `principalType` answer PrincipalNotFound until
   * then (directory replication of a newly created managed identity).
   */
  readonly visibleAt?: Date;
  /** The same for assignments that say `principalType` (the platform skips most of the lookup). */
  readonly visibleWithTypeAt?: Date;
}

/** Client is an application the token endpoint accepts (client secret or federated credential). */
export interface Client {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** PEM certificates registered on the application. */
  readonly certificates?: readonly string[];
  readonly objectId: string;
  readonly displayName: string;
  readonly federatedCredentials: readonly {
    readonly issuer: string;
    readonly subject: string;
    readonly audiences: readonly string[];
  }[];
  readonly graphDenied: boolean;
}

/** Permissions is a Key Vault access policy's permission lists (lower-case operation names). */
export interface Permissions {
  keys: string[];
  secrets: string[];
  certificates: string[];
  storage: string[];
}

/** AccessPolicy is one entry of a vault's access policy list. */
export interface AccessPolicy {
  readonly tenantId: string;
  readonly objectId: string;
  readonly applicationId?: string;
  permissions: Permissions;
}

/** NetworkAcls is a vault's firewall. */
export interface NetworkAcls {
  defaultAction: 'Allow' | 'Deny';
  bypass: 'AzureServices' | 'None';
  ipRules: string[];
  virtualNetworkRules: string[];
}

/** CertificateVersion is one version of a Key Vault certificate and its secret. */
export interface CertificateVersion {
  readonly version: string;
  /** Upper-case hex SHA-1 of the DER (App Service's form). */
  readonly thumbprint: string;
  /** base64url SHA-1 of the DER (Key Vault's `x5t`). */
  readonly x5t: string;
  readonly der: Buffer;
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly issuerName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly created: Date;
  updated: Date;
  enabled: boolean;
  readonly contentType: string;
  readonly exportable: boolean;
  readonly secretValue: string;
  /** base64 SHA-256 of the subject public key info. */
  readonly publicKeyHash: string;
}

/** CertificatePolicy is what a renewal reuses to build the next version. */
export interface CertificatePolicy {
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly validDays: number;
  readonly contentType: string;
  readonly exportable: boolean;
  readonly issuer: 'self' | 'ca';
}

/** VaultCertificate is a named Key Vault certificate with its versions, oldest first. */
export interface VaultCertificate {
  readonly name: string;
  readonly policy: CertificatePolicy;
  readonly versions: CertificateVersion[];
  readonly tags: Record<string, string>;
}

/** Vault is a Key Vault with its management-plane properties and data-plane objects. */
export interface Vault {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly tenantId: string;
  enableRbacAuthorization: boolean;
  accessPolicies: AccessPolicy[];
  networkAcls: NetworkAcls | undefined;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  /** `https://127.0.0.1:PORT/`, set once the vault's listener is up. */
  uri: string;
  readonly certificates: Map<string, VaultCertificate>;
}

/** ServerFarm is an App Service plan. */
export interface ServerFarm {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly sku: string;
}

/** ManagedIdentity is a site's identity block. */
export interface ManagedIdentity {
  systemAssigned: { readonly principalId: string; readonly tenantId: string } | undefined;
  readonly userAssigned: Map<string, { readonly principalId: string; readonly clientId: string }>;
}

/** HostNameBinding is an SSL binding (or a plain hostname binding) on a site or slot. */
export interface HostNameBinding {
  readonly hostName: string;
  sslState: 'Disabled' | 'SniEnabled' | 'IpBasedEnabled';
  thumbprint: string | undefined;
}

/** WebApp is a site or a deployment slot. */
export interface WebApp {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly siteName: string;
  readonly slotName: string | undefined;
  readonly location: string;
  readonly serverFarmId: string;
  readonly defaultHostName: string;
  readonly hostNames: string[];
  readonly identity: ManagedIdentity;
  readonly bindings: Map<string, HostNameBinding>;
  readonly slots: Map<string, WebApp>;
  lastModified: Date;
  /** Writable properties sent by PATCH that the emulator keeps but does not interpret. */
  readonly extraProperties: Record<string, unknown>;
}

/** WebCertificate is a Microsoft.Web/certificates resource imported from Key Vault. */
export interface WebCertificate {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  tags: Record<string, string>;
  keyVaultId: string;
  keyVaultSecretName: string;
  serverFarmId: string;
  thumbprint: string;
  subjectName: string;
  hostNames: string[];
  issuer: string;
  issueDate: Date;
  expirationDate: Date;
  publicKeyHash: string;
  cerBlob: string;
}

/** RoleAssignment is an Azure RBAC role assignment. */
export interface RoleAssignment {
  readonly id: string;
  readonly name: string;
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly principalId: string;
  readonly principalType: string;
  readonly description: string | undefined;
  readonly createdOn: Date;
  readonly updatedOn: Date;
  /** When set, the assignment grants nothing before then (RBAC propagation). */
  readonly effectiveAt?: Date;
}

/** UserAssignedIdentity is a Microsoft.ManagedIdentity/userAssignedIdentities resource. */
export interface UserAssignedIdentity {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  tags: Record<string, string>;
  readonly principalId: string;
  readonly clientId: string;
  readonly tenantId: string;
}

/** GatewayOperationStatus is the status an `Azure-AsyncOperation` URL reports. */
export type GatewayOperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/** GatewayOperationError is the `error` of a finished asynchronous operation. */
export interface GatewayOperationError {
  readonly code: string;
  readonly message: string;
  readonly details?: readonly { readonly code: string; readonly message: string }[];
}

/** GatewayOperation is one PUT of an Application Gateway, running or finished. */
export interface GatewayOperation {
  readonly id: string;
  readonly gatewayId: string;
  readonly location: string;
  readonly completesAt: number;
  status: GatewayOperationStatus;
  error: GatewayOperationError | undefined;
}

/** ServedCertificate is the Key Vault version an sslCertificate currently serves. */
export interface ServedCertificate {
  readonly vault: string;
  readonly secret: string;
  readonly version: string;
  readonly thumbprint: string;
  readonly der: Buffer;
}

/** ApplicationGateway is a Microsoft.Network/applicationGateways resource. */
export interface ApplicationGateway {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  location: string;
  tags: Record<string, string>;
  /** Resource id of the one user-assigned identity, as sent. */
  userAssignedIdentity: string | undefined;
  zones: string[] | undefined;
  /** The writable properties exactly as the last PUT sent them (a PUT replaces them all). */
  properties: Record<string, unknown>;
  etag: string;
  provisioningState: 'Succeeded' | 'Updating' | 'Failed';
  operationalState: 'Running' | 'Stopped';
  readonly resourceGuid: string;
  /** The PUT in flight, if any. */
  operation: GatewayOperation | undefined;
  /** By lower-case sslCertificate name: what the gateway last fetched from Key Vault. */
  readonly served: Map<string, ServedCertificate>;
  /** Vault names the gateway's virtual network reaches through a private endpoint. */
  readonly privateEndpointVaults: readonly string[];
}

/** EmulatorSettings are the knobs tests turn through the seed and the control API. */
export interface EmulatorSettings {
  /** How long a gateway PUT stays InProgress, in ms. */
  gatewayProvisioningMs: number;
  /** When true, gateways ignore `If-Match` (some Network resources do). */
  gatewayIgnoreIfMatch: boolean;
  /** What a PUT does while another PUT of the same gateway is in flight. */
  gatewayConcurrency: 'reject-429' | 'reject-409' | 'supersede';
  /** Retry-After (seconds) on a 429 `RetryableErrorDueToAnotherOperation`; null sends none. */
  gatewayRetryAfterSeconds: number | null;
  /** A new role assignment grants nothing for this long, in ms. */
  rbacPropagationMs: number;
  /** A new managed identity's principal is invisible to role assignment for this long, in ms. */
  principalVisibilityMs: number;
  /** The same delay when the assignment says `principalType` (the platform skips most of it). */
  principalVisibilityWithTypeMs: number;
}

/** EmulatorState is everything the emulator knows; handlers read and change it in place. */
export interface EmulatorState {
  readonly tenantId: string;
  readonly subscriptions: readonly { readonly id: string; readonly displayName: string }[];
  readonly clients: readonly Client[];
  /** By lower-case object id. */
  readonly principals: Map<string, Principal>;
  /** By lower-case vault name (vault names are global). */
  readonly vaults: Map<string, Vault>;
  /** By lower-case resource id. */
  readonly serverFarms: Map<string, ServerFarm>;
  /** Sites by lower-case resource id (slots hang off their site). */
  readonly sites: Map<string, WebApp>;
  readonly webCertificates: Map<string, WebCertificate>;
  readonly roleAssignments: Map<string, RoleAssignment>;
  /** By lower-case resource id. */
  readonly userAssignedIdentities: Map<string, UserAssignedIdentity>;
  /** By lower-case resource id. */
  readonly applicationGateways: Map<string, ApplicationGateway>;
  /** By lower-case operation id. */
  readonly gatewayOperations: Map<string, GatewayOperation>;
  readonly settings: EmulatorSettings;
  /** Throttle rules the control API set (B19). */
  readonly throttles: ThrottleRule[];
  /** The CA that signs certificates seeded with `issuer: "ca"`. */
  readonly issuingCa: IssuedCertificate;
  /** The emulated Kubernetes cluster, when the seed has a `kubernetes` section. */
  kubernetes: KubernetesCluster | undefined;
}
