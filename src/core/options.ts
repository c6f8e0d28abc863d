import type { CloudName } from './cloud.js';

/** Mode says whether the step writes (`apply`) or only prints the changes it would make (`plan`). */
export type Mode = 'apply' | 'plan';

/** Target names a hosting service the certificate can be bound to. */
export type Target = 'app-service' | 'application-gateway' | 'kubernetes';

/** KeyVaultReference is the `key-vault` input, classified by form. */
export type KeyVaultReference =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'resource-id'; readonly id: string }
  | { readonly kind: 'uri'; readonly uri: string };

/** CloudOptions select the Azure environment. */
export type CloudOptions =
  | { readonly name: Exclude<CloudName, 'custom'> }
  | {
      readonly name: 'custom';
      readonly resourceManagerEndpoint: string;
      readonly authorityHost: string;
    };

/** AppServiceOptions are the target-specific inputs of `target: app-service`. */
export interface AppServiceOptions {
  readonly resourceGroup: string;
  readonly appName: string;
  readonly slot: string | undefined;
  /** hostnames is undefined when the user asked for every covered hostname of the app. */
  readonly hostnames: readonly string[] | undefined;
  readonly appIdentity: 'system' | 'none';
  readonly appServicePrincipalObjectId: string | undefined;
}

/** CommonOptions are the inputs every target shares. */
export interface CommonOptions {
  readonly mode: Mode;
  readonly subscriptionId: string;
  readonly keyVault: KeyVaultReference;
  readonly certificate: string;
  /** certificateVersion is a version named in a certificate URL; bindings stay versionless. */
  readonly certificateVersion: string | undefined;
  readonly grantAccess: boolean;
  readonly cloud: CloudOptions;
}

/** AppServiceBindOptions are every input of a run with `target: app-service`. */
export interface AppServiceBindOptions extends CommonOptions {
  readonly target: 'app-service';
  readonly appService: AppServiceOptions;
}

/** GatewayOptions are the target-specific inputs of `target: application-gateway`. */
export interface GatewayOptions {
  readonly resourceGroup: string;
  readonly gatewayName: string;
  /**
   * entries pair each Key Vault certificate with the gateway's `sslCertificates[]` entry to add
   * or update; all of them go in one PUT.
   */
  readonly entries: readonly {
    readonly certificate: string;
    readonly sslCertificateName: string;
  }[];
  /** listeners are existing HTTPS listeners to attach the certificate to. */
  readonly listeners: readonly string[];
  /** gatewayIdentity is a user-assigned identity's resource id, or its name in the gateway's group. */
  readonly gatewayIdentity: string | undefined;
  readonly propagationTimeoutMs: number;
}

/** GatewayBindOptions are every input of a run with `target: application-gateway`. */
export interface GatewayBindOptions extends CommonOptions {
  readonly target: 'application-gateway';
  readonly gateway: GatewayOptions;
}

/** KubernetesOptions are the target-specific inputs of `target: kubernetes`. */
export interface KubernetesOptions {
  /** namespace is the ingress controller's: the SecretProviderClass, Secret and sync pod go there. */
  readonly namespace: string;
  readonly ingressController: 'traefik' | 'nginx';
  /** secretName is undefined when the user left it to be derived from the certificate's name. */
  readonly secretName: string | undefined;
  /** identityClientId is a client id, or a user-assigned identity's resource id to resolve. */
  readonly identityClientId: string;
  readonly identityType: 'kubelet' | 'workload';
  readonly outputDir: string | undefined;
  /** apply says whether to apply to the cluster of the current kubeconfig. */
  readonly apply: boolean;
  /** setDefault says whether to make the Secret the ingress controller's default certificate. */
  readonly setDefault: boolean;
  /** adopt lets the step replace a same-name Secret that the CSI driver does not manage. */
  readonly adopt: boolean;
  readonly waitTimeoutMs: number;
}

/** KubernetesBindOptions are every input of a run with `target: kubernetes`. */
export interface KubernetesBindOptions extends CommonOptions {
  readonly target: 'kubernetes';
  readonly kubernetes: KubernetesOptions;
}

/** BindOptions are every input of one run, parsed and checked, by target. */
export type BindOptions = AppServiceBindOptions | GatewayBindOptions | KubernetesBindOptions;
