// Key Vault with Azure RBAC authorization (no access policies) and the key-encryption key (KEK) for envelope
// encryption: the stores encrypt secrets (symmetric keys, policy keys) with data keys, and wrap those with this key.

param location string
param tags object
param name string
param keyName string

@description('Principal id of the apps\' user-assigned identity: Key Vault Crypto User (wrap/unwrap with the KEK).')
param identityPrincipalId string

@description('Optional: principal id of the deploying user, given Key Vault Crypto Officer to manage and rotate keys.')
param principalId string = ''
param principalType string = 'User'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Losing the KEK makes every stored secret unreadable: keep purge protection on.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource kek 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: keyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
  }
}

var cryptoUserRoleId = '12338af0-0e69-4776-bea7-57ae8d297424'
var cryptoOfficerRoleId = '14b46e9e-c2b7-41b4-b07b-48a6ebf60603'

resource identityCryptoUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, cryptoUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoUserRoleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userCryptoOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, cryptoOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoOfficerRoleId)
    principalId: principalId
    principalType: principalType
  }
}

output uri string = vault.properties.vaultUri
output name string = vault.name
// Versionless key id: wrapping uses the key's current version; a wrapped data key must record the version (Key Vault
// returns the full kid) so it can be unwrapped after a rotation.
output keyId string = '${vault.properties.vaultUri}keys/${kek.name}'
