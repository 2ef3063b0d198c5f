// The protocol front door (frontdoor/, dps-protocol.md §3): MQTT and AMQP device registration, which Azure Functions
// cannot serve. It runs as a container app with TCP ingress, so TLS ends in the container itself and X.509 devices'
// client certificates reach it (HTTP ingress would terminate TLS in front of it).
//
// TCP ingress needs a Container Apps environment in a virtual network of our own, hence the VNet here. Exposed ports:
// 8883 (MQTT over TLS, the port the SDKs dial), 5671 (AMQP over TLS) and 8443 (MQTT and AMQP over WebSockets).
// Container Apps TCP ingress cannot expose 443, which is where the SDKs' WebSocket transports dial: devices that need
// WebSockets on 443 need a TCP load balancer in front (README, "Deploying to Azure").
//
// TLS: the server certificate must name the host devices dial (a DNS name you own, pointing at the environment's
// static IP, output `staticIp`). Store its PEM chain and its PEM private key as two Key Vault secrets and pass their
// URIs; the container app reads them with the managed identity and mounts them as files under /tls.

param location string
param tags object
param name string
param environmentName string
param vnetName string
param registryName string
param workspaceName string
@description('Resource id of the user-assigned identity the app runs as (pulls the image, reads Key Vault, Cosmos DB).')
param identityId string
param identityPrincipalId string
@description('Key Vault secret URI of the server certificate chain (PEM). Empty: the app is created without listeners that need it and will not start until it is set.')
param tlsCertificateSecretUri string
@description('Key Vault secret URI of the server private key (PEM, PKCS#8).')
param tlsKeySecretUri string
@description('Name of the Key Vault holding the TLS secrets: the identity gets Key Vault Secrets User on it.')
param keyVaultName string
@description('Environment variables: the registration core\'s settings (the device app\'s) plus the front door\'s own.')
param settings object
param minReplicas int = 1
param maxReplicas int = 10

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.40.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'containerapps'
        properties: {
          addressPrefix: '10.40.0.0/23'
          delegations: [
            {
              name: 'containerapps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
    ]
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    vnetConfiguration: {
      infrastructureSubnetId: vnet.properties.subnets[0].id
      internal: false
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identityPrincipalId, acrPullRoleId)
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identityPrincipalId, secretsUserRoleId)
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

var hasTls = !empty(tlsCertificateSecretUri) && !empty(tlsKeySecretUri)
var environmentVariables = [for setting in items(union(settings, {
  DPS_FRONTDOOR_TLS_CERTIFICATE_FILE: '/tls/certificate.pem'
  DPS_FRONTDOOR_TLS_KEY_FILE: '/tls/key.pem'
})): {
  name: setting.key
  value: string(setting.value)
}]

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'frontdoor'
  })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  dependsOn: [
    acrPull
    secretsUser
  ]
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        transport: 'tcp'
        targetPort: 8883
        exposedPort: 8883
        additionalPortMappings: [
          {
            external: true
            targetPort: 5671
            exposedPort: 5671
          }
          {
            external: true
            targetPort: 8443
            exposedPort: 8443
          }
        ]
      }
      registries: [
        {
          server: registry.properties.loginServer
          identity: identityId
        }
      ]
      secrets: hasTls ? [
        {
          name: 'tls-certificate'
          keyVaultUrl: tlsCertificateSecretUri
          identity: identityId
        }
        {
          name: 'tls-key'
          keyVaultUrl: tlsKeySecretUri
          identity: identityId
        }
      ] : []
    }
    template: {
      containers: [
        {
          name: 'frontdoor'
          // azd replaces the image on deploy (azure.yaml, service "frontdoor"); this one only lets provisioning succeed.
          image: 'mcr.microsoft.com/k8se/quickstart:latest'
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: environmentVariables
          volumeMounts: hasTls ? [
            {
              volumeName: 'tls'
              mountPath: '/tls'
            }
          ] : []
          probes: [
            {
              type: 'Liveness'
              tcpSocket: {
                port: 8883
              }
              periodSeconds: 10
            }
          ]
        }
      ]
      volumes: hasTls ? [
        {
          name: 'tls'
          storageType: 'Secret'
          secrets: [
            {
              secretRef: 'tls-certificate'
              path: 'certificate.pem'
            }
            {
              secretRef: 'tls-key'
              path: 'key.pem'
            }
          ]
        }
      ] : []
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'connections'
            tcp: {
              metadata: {
                concurrentConnections: '2000'
              }
            }
          }
        ]
      }
    }
  }
}

output staticIp string = environment.properties.staticIp
output defaultDomain string = environment.properties.defaultDomain
output registryLoginServer string = registry.properties.loginServer
output name string = app.name
