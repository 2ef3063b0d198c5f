// Linux Elastic Premium plan (EP1) shared by both function apps; see main.bicep for why.

param location string
param tags object
param name string
param maximumInstances int

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: 'EP1'
    tier: 'ElasticPremium'
  }
  properties: {
    // Linux.
    reserved: true
    maximumElasticWorkerCount: maximumInstances
  }
}

output id string = plan.id
output name string = plan.name
