// Cosmos DB (SQL API) for the store adapters: account, database and containers, reached only with Microsoft Entra
// identities (local/key auth disabled) through Cosmos DB's own data-plane RBAC (sqlRoleAssignments).
//
// Serverless by default: a provisioning service is idle most of the time and bursts when a fleet (re)provisions, so
// paying per request costs least for most deployments, with no throughput to size up front. A fleet that registers
// continuously at high rates is cheaper on provisioned autoscale throughput: set serverless to false (then each
// container gets autoscale throughput up to autoscaleMaxThroughput). Serverless accounts are single-region.

param location string
param tags object
param accountName string
param databaseName string

@description('Containers: name, partition key path and, optionally, uniqueKeys (paths, each a unique key).')
param containers array

param serverless bool = true
param autoscaleMaxThroughput int = 1000

@description('Principal ids given the Cosmos DB Built-in Data Contributor role on the account.')
param dataContributorPrincipalIds array

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      // Registration and enrollment writes are read back at once (etags, polling): session consistency gives every
      // client its own writes, which is what the stores rely on.
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: serverless ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [for container in containers: {
  parent: database
  name: container.name
  properties: {
    resource: {
      id: container.name
      partitionKey: {
        paths: [
          container.partitionKey
        ]
        kind: 'Hash'
      }
      // Unique within a logical partition; fixed when the container is created.
      uniqueKeyPolicy: {
        uniqueKeys: map(contains(container, 'uniqueKeys') ? container.uniqueKeys : [], path => {
          paths: [
            path
          ]
        })
      }
      // TTL on, no default expiry: items live until deleted. The adapters remove expired operations and TPM challenges
      // themselves (a query on their stored expiry); setting a per-item "ttl" as well would be a cheap follow-up.
      defaultTtl: -1
    }
    options: serverless ? {} : {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    }
  }
}]

// Cosmos DB Built-in Data Contributor: read and write items, no control-plane rights (a Cosmos DB role, not an
// Azure RBAC role, hence sqlRoleAssignments).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource dataContributors 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = [for principalId in dataContributorPrincipalIds: {
  parent: account
  name: guid(account.id, principalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: principalId
    scope: account.id
  }
}]

output endpoint string = account.properties.documentEndpoint
output accountName string = account.name
output databaseName string = database.name
