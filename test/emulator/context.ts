import type { AzureDevOpsProject } from './azure-devops-oidc.js';
import type { SigningKey } from './jwt.js';
import type { EmulatorState } from './state.js';

/** Endpoints are the emulator's public URLs and the audiences of its services. */
export interface Endpoints {
  /** `https://127.0.0.1:PORT`, no trailing slash: ARM, Entra, Graph and the OIDC endpoint. */
  readonly origin: string;
  readonly armAudience: string;
  readonly keyVaultAudience: string;
  readonly graphAudience: string;
  readonly githubIssuer: string;
}

/** EmulatorContext is what every handler needs: the state, the endpoints and the signing keys. */
export interface EmulatorContext {
  readonly state: EmulatorState;
  readonly endpoints: Endpoints;
  /** Signs Entra access tokens. */
  readonly entraKey: SigningKey;
  /** Signs GitHub Actions OIDC tokens. */
  readonly githubKey: SigningKey;
  /** The bearer token the GitHub OIDC endpoint expects (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  readonly oidcRequestToken: string;
  /** Signs Azure DevOps service connection OIDC tokens. */
  readonly azureDevOpsKey: SigningKey;
  /** The Azure DevOps organization, project and job whose OIDC endpoint the emulator serves. */
  readonly azureDevOps: AzureDevOpsProject;
}

/** armAudiences lists the audiences ARM accepts: its own and the endpoint URL, like the cloud's metadata. */
export function armAudiences(endpoints: Endpoints): string[] {
  return [endpoints.armAudience, `${endpoints.origin}/`];
}

/** sameAudience compares audiences ignoring one trailing slash, as the services do. */
export function sameAudience(a: string, b: string): boolean {
  return a.replace(/\/$/, '').toLowerCase() === b.replace(/\/$/, '').toLowerCase();
}
