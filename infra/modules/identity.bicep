// The user-assigned managed identity both function apps run as. Everything it may do is granted by role assignments
// (storage, Cosmos DB, Key Vault here; IoT Hub Registry Contributor on each linked hub, by the hub's owner).

param location string
param tags object
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
