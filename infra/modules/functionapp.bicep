// One Linux Java 17 function app on an existing plan, running as the shared user-assigned identity.

param location string
param tags object
param name string

@description('azd-service-name tag value: how `azd deploy` finds this app (azure.yaml service name).')
param serviceName string

param planId string
param identityId string

@description('App settings (name to value), including the Functions runtime ones.')
param appSettings object

@description('Ask TLS clients for a certificate and forward it as X-ARR-ClientCert (the device app: X.509 attestation).')
param clientCertOptional bool = false

@description('Instances kept running for this app on the Elastic Premium plan (always ready), 0 for none.')
param alwaysReadyInstances int = 0

@description('Instances pre-warmed beyond the current load on the Elastic Premium plan.')
param preWarmedInstances int = 1

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    reserved: true
    httpsOnly: true
    // 'Optional': the TLS handshake asks for a certificate but lets devices without one (symmetric key, TPM) through,
    // and App Service passes a presented leaf to the function as X-ARR-ClientCert (base64 DER). Chains are not
    // validated by the platform: the device registration API validates them (dps-protocol.md §2.2). Only the leaf
    // arrives, so intermediates must be in the enrollment group or registered as verified CA certificates.
    clientCertEnabled: clientCertOptional
    clientCertMode: clientCertOptional ? 'Optional' : 'Required'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'Java|17'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Elastic Premium: instances that stay warm for this app whatever the load, and extra pre-warmed ones the
      // platform keeps ahead of scale-out, so a device's registration never waits for a JVM to start.
      minimumElasticInstanceCount: alwaysReadyInstances
      preWarmedInstanceCount: preWarmedInstances
      functionsRuntimeScaleMonitoringEnabled: false
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
