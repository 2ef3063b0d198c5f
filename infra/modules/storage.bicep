// The Functions host's own storage (AzureWebJobsStorage: leases, keys, timers), reached with the managed identity.
//
// Shared-key access is switched off: the apps use identity-based connections (AzureWebJobsStorage__accountName,
// __credential, __clientId) and azd deploys by zip (run from package), so no storage key is needed anywhere.
// The apps deliberately have no Azure Files content share (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING /
// WEBSITE_CONTENTSHARE): Azure Files cannot be reached with a managed identity, and on Linux a Premium plan app can
// run without it. If a platform change makes the content share mandatory, set allowSharedKeyAccess to true and add
// those two settings with a key-based connection string (the only part of this deployment that would use a key).

param location string
param tags object
param name string

@description('Principal id of the apps\' user-assigned identity.')
param identityPrincipalId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

// Roles the Functions host needs for an identity-based AzureWebJobsStorage (blobs for keys and leases, queues and
// tables for the host's internal bookkeeping).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in items(roles): {
  name: guid(storage.id, identityPrincipalId, role.value)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

output name string = storage.name
