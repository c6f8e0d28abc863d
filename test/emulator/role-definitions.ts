/** BuiltInRole is a built-in Azure role the emulator knows, with the data reads it grants. */
export interface BuiltInRole {
  readonly id: string;
  readonly roleName: string;
  /** Grants reading a Key Vault secret's value (what the App Service RP needs). */
  readonly readsSecrets: boolean;
  /** Grants reading a Key Vault certificate (what the pipeline identity needs). */
  readonly readsCertificates: boolean;
}

const roles: readonly BuiltInRole[] = [
  role('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner'),
  role('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor'),
  role('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader'),
  role('18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', 'User Access Administrator'),
  role('f1a07417-d97a-45cb-824c-7a7467783830', 'Managed Identity Operator'),
  role('f25e0fa2-a7c8-4377-a976-54943a77a395', 'Key Vault Contributor'),
  role('00482a5a-887f-4fb3-b363-3b7fe8e74483', 'Key Vault Administrator', true, true),
  role('4633458b-17de-408a-b874-0445c86b69e6', 'Key Vault Secrets User', true, false),
  role('b86a8fe4-44ce-4948-aee5-eccb2c155cd7', 'Key Vault Secrets Officer', true, false),
  role('db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', 'Key Vault Certificate User', true, true),
  role('a4417e6f-fecd-4de8-b567-7b0420556985', 'Key Vault Certificates Officer', false, true),
  role('21090545-7ca7-4776-b22c-e363652d74d2', 'Key Vault Reader', false, true),
  role('12338af0-0e69-4776-bea7-57ae8d297424', 'Key Vault Crypto User'),
];

function role(id: string, roleName: string, readsSecrets = false, readsCertificates = false) {
  return { id, roleName, readsSecrets, readsCertificates };
}

/** findBuiltInRole looks a role up by GUID or by any id ending in `/roleDefinitions/{guid}`. */
export function findBuiltInRole(roleDefinitionId: string): BuiltInRole | undefined {
  const guid = roleDefinitionId.split('/').pop()?.toLowerCase();
  return roles.find((r) => r.id === guid);
}

const ROLE_DEFINITION_ID =
  /^(\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;

/** isRoleDefinitionId tells whether a text has the shape of a role definition resource id. */
export function isRoleDefinitionId(text: string): boolean {
  return ROLE_DEFINITION_ID.test(text);
}
