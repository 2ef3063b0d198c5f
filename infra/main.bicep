// OpenDPS on Azure, for `azd up` (see azure.yaml and the README's "Deploying to Azure").
//
// Creates one resource group holding (the protocol front door for MQTT/AMQP is in modules/frontdoor.bicep):
//   - a Linux Elastic Premium (EP1) plan running both function apps (Java 17, Functions v4);
//   - opendps-functions ("device" in azure.yaml): device registration API + enrollment service API, client
//     certificates Optional (X.509 devices), HTTPS only, TLS 1.2+;
//   - opendps-allocation-functions ("allocation"): the custom allocation webhooks under /api;
//   - a user-assigned managed identity both apps run as, with role assignments instead of keys;
//   - a storage account for the Functions host (identity-based AzureWebJobsStorage);
//   - Cosmos DB (SQL API) with database `opendps`; Key Vault (RBAC) with an RSA 3072 key-encryption key;
//   - Log Analytics + workspace-based Application Insights.
// IoT hubs are not created here: they are yours. Each linked hub must grant the identity (output
// AZURE_IDENTITY_PRINCIPAL_ID) the role "IoT Hub Registry Contributor", and be linked as `HostName=<hub>` alone
// (managed identity, no key) in DPS_LINKED_HUBS.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name: names the resource group and seeds the other resource names.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID): gets data access to Cosmos DB and Key Vault Crypto Officer, for inspection and key rotation. Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('DPS_STORE. `cosmos` is the store adapter this deployment is for; until that adapter is merged the apps accept only `sqlite` (kept in DPS_DATA_DIR, which on Azure is per instance and temporary: not for production).')
param storeAdapter string = 'cosmos'

@description('DPS_LINKED_HUBS: comma-separated `HostName=<hub>.azure-devices.net` entries (no key: the identity is used), each optionally with `;AllocationWeight=N;ApplyAllocationPolicy=false`.')
param linkedHubs string = ''

@description('DPS_INSTANCES: more provisioning service instances, comma-separated host names each optionally `=0neXXXXXXXX`.')
param instances string = ''

@allowed([
  'hashed'
  'geoLatency'
  'static'
])
param defaultAllocationPolicy string = 'hashed'

@description('DPS_HUB_LOCATIONS: JSON object of hub host names to {"region": …} or {"lat": …, "lon": …}, for geoLatency.')
param hubLocations string = ''

@description('DPS_CUSTOM_ALLOCATION_TIMEOUT_SECONDS: how long a registration waits for a custom allocation webhook.')
param customAllocationTimeoutSeconds int = 5

@description('DPS_HUB_TIMEOUT_SECONDS: how long one call to an IoT hub\'s registry may take.')
param hubTimeoutSeconds int = 10

@description('Allocation app: ALLOCATION_MULTITENANCY_FILE (empty: <DPS_DATA_DIR>/allocation/multitenancy.json, per instance and temporary on Azure).')
param allocationMultitenancyFile string = ''

@description('Allocation app: ALLOCATION_GEO_HUBS (JSON, or the path of a file holding it).')
param allocationGeoHubs string = ''

@description('Allocation app: ALLOCATION_GEO_REGIONS (JSON, or the path of a file holding it).')
param allocationGeoRegions string = ''

@description('Allocation app: ALLOCATION_GEO_NETWORKS (JSON, or the path of a file holding it).')
param allocationGeoNetworks string = ''

@description('Allocation app: ALLOCATION_GEO_REGISTRATION_PREFIXES (JSON, or the path of a file holding it).')
param allocationGeoRegistrationPrefixes string = ''

@description('Allocation app: ALLOCATION_SOLUTIONS (JSON, or the path of a file holding it).')
param allocationSolutions string = ''

@description('Instances of the plan kept running at all times for the device app (always ready).')
@minValue(1)
param alwaysReadyInstances int = 1

@description('Largest number of instances the plan scales out to.')
param maximumInstances int = 20

@description('Front door (MQTT/AMQP): Key Vault secret URI of its TLS server certificate chain (PEM) for the host devices dial. Empty: the container app is created but cannot start its listeners until it is set.')
param frontDoorTlsCertificateSecretUri string = ''

@description('Front door: Key Vault secret URI of the TLS server private key (PEM, PKCS#8), in the same vault.')
param frontDoorTlsKeySecretUri string = ''

@description('Front door: DPS_FRONTDOOR_MAX_CONNECTIONS per replica.')
param frontDoorMaxConnections int = 10000

@description('Front door: replicas kept running, and the most it scales out to (by open connections).')
param frontDoorMinReplicas int = 1
param frontDoorMaxReplicas int = 10

@description('Cosmos DB serverless (true) or provisioned autoscale throughput (false); see modules/cosmos.bicep.')
param cosmosServerless bool = true

// ---------------------------------------------------------------------------------------------------------------
// Names

var tags = {
  'azd-env-name': environmentName
}
var token = toLower(uniqueString(subscription().id, environmentName, location))
var deviceAppName = 'opendps-functions-${token}'
var allocationAppName = 'opendps-allocation-functions-${token}'
var databaseName = 'opendps'
var kekName = 'opendps-kek'
// Data folder for what the apps keep on local disk. On Azure only the embedded SQLite store (DPS_STORE=sqlite)
// and the multitenancy records file use it; /tmp is per instance and emptied on restart.
var dataDir = '/tmp/opendps'

// Containers of the `opendps` database, as the Cosmos store adapters (shared/…/adapters/cosmos) create them:
// container names follow the store ports (InstanceStore, EnrollmentStore, …) and everything a provisioning service
// instance owns is partitioned by its ID scope (/idScope); the embedded hub registry, which is keyed by hub, by
// /hubHostName. Instances all live in one logical partition (/partition, always "instances") so that the unique
// key on the lower-cased host name holds across every instance (CosmosInstanceStore). Changing a partition key or
// a unique key later means a new container, so settle these before the first deployment.
var cosmosContainers = [
  {
    name: 'instances'
    partitionKey: '/partition'
    uniqueKeys: [
      '/hostName'
    ]
  }
  {
    name: 'enrollments'
    partitionKey: '/idScope'
  }
  {
    name: 'enrollmentGroups'
    partitionKey: '/idScope'
  }
  {
    name: 'registrationStates'
    partitionKey: '/idScope'
  }
  {
    name: 'registrationOperations'
    partitionKey: '/idScope'
  }
  {
    name: 'caCertificates'
    partitionKey: '/idScope'
  }
  {
    name: 'tpmChallenges'
    partitionKey: '/idScope'
  }
  {
    name: 'hubDevices'
    partitionKey: '/hubHostName'
  }
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------------------------
// Identity, monitoring, data

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'id-opendps-${token}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: 'log-opendps-${token}'
    appInsightsName: 'appi-opendps-${token}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: take('stopendps${token}', 24)
    identityPrincipalId: identity.outputs.principalId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    location: location
    tags: tags
    accountName: 'cosmos-opendps-${token}'
    databaseName: databaseName
    containers: cosmosContainers
    serverless: cosmosServerless
    dataContributorPrincipalIds: concat([identity.outputs.principalId], empty(principalId) ? [] : [principalId])
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: take('kv-opendps-${token}', 24)
    keyName: kekName
    identityPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Plan and apps

// Elastic Premium EP1 on Linux: instances stay warm (always ready + pre-warmed), so a device's registration does not
// wait for a JVM cold start, and the plan still scales out on HTTP load. The allocation app shares this plan rather
// than running on Flex Consumption: every instance of an Elastic Premium plan runs all of its apps, so the webhooks
// are as warm as the device API at no extra cost — which matters because a registration waits for its custom
// allocation webhook (DPS_CUSTOM_ALLOCATION_TIMEOUT_SECONDS, 5 s by default) and a cold start there would fail it.
module plan 'modules/plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'plan-opendps-${token}'
    maximumInstances: maximumInstances
  }
}

// Settings the Functions runtime needs, the same for both apps.
var runtimeSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'java'
  // Identity-based host storage: no connection string, no key.
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  // The Application Insights Java agent in the Java worker: exports micrometer's global registry (the provisioning
  // metrics) as custom metrics, and java.util.logging lines (DeviceOperations, ServiceOperations) as traces.
  APPLICATIONINSIGHTS_ENABLE_AGENT: 'true'
  // Azure SDK credentials that read it pick the user-assigned identity from AZURE_CLIENT_ID. DPS's own sign-in (Cosmos
  // DB, linked hubs) names it with DPS_MANAGED_IDENTITY_CLIENT_ID instead and never probes IMDS.
  AZURE_CLIENT_ID: identity.outputs.clientId
}

// Every setting of dev.opendps.config.Setting (InfraSettingsTest keeps this list complete). The local host's own
// settings (DPS_LOCAL_*) are deliberately absent: they configure local-host, which does not run on Azure.
// DPS_DEFAULT_INSTANCE_HOST, DPS_INSTANCES, DPS_LINKED_HUBS and DPS_DEFAULT_ALLOCATION_POLICY are applied by the device
// app itself on every start: it creates the instance (ID scope, owner policy) if it does not exist yet and links the
// configured hubs; GET /management/instances (master key) shows the ID scope and connection string (see README).
var deviceAppSettings = {
  DPS_STORE: storeAdapter
  DPS_DATA_DIR: dataDir
  DPS_DEFAULT_INSTANCE_HOST: '${deviceAppName}.azurewebsites.net'
  DPS_INSTANCES: instances
  DPS_SAS_CLOCK_SKEW_SECONDS: '300'
  DPS_SAS_MAX_LIFETIME_SECONDS: '2592000'
  DPS_LINKED_HUBS: linkedHubs
  DPS_DEFAULT_ALLOCATION_POLICY: defaultAllocationPolicy
  DPS_HUB_LOCATIONS: hubLocations
  DPS_CUSTOM_ALLOCATION_TIMEOUT_SECONDS: string(customAllocationTimeoutSeconds)
  // Empty: the JDK's CAs, which trust the allocation app's *.azurewebsites.net certificate.
  DPS_CUSTOM_ALLOCATION_CA_FILE: ''
  DPS_HUB_REGISTRY: 'iothub'
  DPS_HUB_TIMEOUT_SECONDS: string(hubTimeoutSeconds)
  // The identity DPS signs in with towards Cosmos DB and towards hubs linked without a key.
  DPS_MANAGED_IDENTITY_CLIENT_ID: identity.outputs.clientId
  DPS_COSMOS_ENDPOINT: cosmos.outputs.endpoint
  DPS_COSMOS_DATABASE: cosmos.outputs.databaseName
  DPS_COSMOS_THROTTLING_RETRIES: '9'
  DPS_COSMOS_THROTTLING_MAX_WAIT_SECONDS: '30'
  // Empty on purpose: the account has key authentication disabled, so the adapter signs in with the managed identity
  // (DPS_MANAGED_IDENTITY_CLIENT_ID), which has the Cosmos DB Built-in Data Contributor role (modules/cosmos.bicep).
  DPS_COSMOS_KEY: ''
  // The local key-encryption key file: not used on Azure, where DPS_KEY_VAULT_KEY_ID wins over it (an instance's
  // file would be its own, and temporary). Left empty: <DPS_DATA_DIR>/keys/kek.json, read only if it exists.
  DPS_KEK_FILE: ''
  // The Key Vault key-encryption key, versionless so that the apps follow rotations of it; reached with the
  // user-assigned identity (DPS_MANAGED_IDENTITY_CLIENT_ID), which has Key Vault Crypto User on the vault.
  DPS_KEY_VAULT_KEY_ID: keyVault.outputs.keyId
}

// Every setting of dev.opendps.allocation.config.AllocationSetting, plus DPS_DATA_DIR (the multitenancy file's default
// folder). No DPS_LOCAL_* settings: those belong to the local host.
var allocationAppSettings = {
  DPS_DATA_DIR: dataDir
  ALLOCATION_MULTITENANCY_FILE: allocationMultitenancyFile
  ALLOCATION_GEO_HUBS: allocationGeoHubs
  ALLOCATION_GEO_REGIONS: allocationGeoRegions
  ALLOCATION_GEO_NETWORKS: allocationGeoNetworks
  ALLOCATION_GEO_REGISTRATION_PREFIXES: allocationGeoRegistrationPrefixes
  ALLOCATION_SOLUTIONS: allocationSolutions
}

module deviceApp 'modules/functionapp.bicep' = {
  name: 'device-app'
  scope: rg
  params: {
    location: location
    tags: tags
    name: deviceAppName
    serviceName: 'device'
    planId: plan.outputs.id
    identityId: identity.outputs.id
    appSettings: union(runtimeSettings, deviceAppSettings)
    clientCertOptional: true
    alwaysReadyInstances: alwaysReadyInstances
    preWarmedInstances: 1
  }
}

module allocationApp 'modules/functionapp.bicep' = {
  name: 'allocation-app'
  scope: rg
  params: {
    location: location
    tags: tags
    name: allocationAppName
    serviceName: 'allocation'
    planId: plan.outputs.id
    identityId: identity.outputs.id
    appSettings: union(runtimeSettings, allocationAppSettings)
    clientCertOptional: false
    alwaysReadyInstances: alwaysReadyInstances
    preWarmedInstances: 1
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Protocol front door (MQTT, AMQP): a container app, see modules/frontdoor.bicep

// Every setting of dev.opendps.frontdoor.FrontDoorSetting (InfraSettingsTest keeps this list complete), on top of the
// device app's settings: the front door runs the same registration core against the same Cosmos DB and Key Vault.
// The TLS file settings are set by the module (the Key Vault secrets are mounted under /tls).
var frontDoorSettings = {
  DPS_FRONTDOOR_BIND_ADDRESS: '0.0.0.0'
  DPS_MQTT_PORT: '8883'
  DPS_AMQP_PORT: '5671'
  // Container Apps TCP ingress cannot expose 443: WebSockets are served on 8443 (see the module's header).
  DPS_WEBSOCKET_PORT: '8443'
  DPS_FRONTDOOR_MAX_CONNECTIONS: string(frontDoorMaxConnections)
  DPS_FRONTDOOR_IDLE_TIMEOUT_SECONDS: '300'
  DPS_FRONTDOOR_HANDSHAKE_TIMEOUT_SECONDS: '30'
  DPS_FRONTDOOR_MAX_MESSAGE_BYTES: '65536'
  DPS_FRONTDOOR_TLS_CERTIFICATE_FILE: '/tls/certificate.pem'
  DPS_FRONTDOOR_TLS_KEY_FILE: '/tls/key.pem'
}

module frontDoor 'modules/frontdoor.bicep' = {
  name: 'frontdoor'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'opendps-frontdoor-${token}'
    environmentName: 'cae-opendps-${token}'
    vnetName: 'vnet-opendps-${token}'
    registryName: take('cropendps${token}', 50)
    workspaceName: 'log-opendps-${token}'
    identityId: identity.outputs.id
    identityPrincipalId: identity.outputs.principalId
    keyVaultName: keyVault.outputs.name
    tlsCertificateSecretUri: frontDoorTlsCertificateSecretUri
    tlsKeySecretUri: frontDoorTlsKeySecretUri
    settings: union(deviceAppSettings, frontDoorSettings, {
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      AZURE_CLIENT_ID: identity.outputs.clientId
    })
    minReplicas: frontDoorMinReplicas
    maxReplicas: frontDoorMaxReplicas
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment: `azd env get-values`). No secrets: keys and connection strings with
// keys are read with the commands in the README.

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('Global device endpoint: what devices use instead of global.azure-devices-provisioning.net.')
output OPENDPS_DEVICE_ENDPOINT_HOST_NAME string = deviceApp.outputs.defaultHostName

@description('The device app\'s name, for `az functionapp keys list`: its master key opens GET /management/instances.')
output OPENDPS_DEVICE_APP_NAME string = deviceAppName

@description('HostName of the service connection string; the policy key is made by the app\'s start-up bootstrap (GET /management/instances shows it).')
output OPENDPS_SERVICE_HOST_NAME string = deviceApp.outputs.defaultHostName
output OPENDPS_SERVICE_ENDPOINT_URL string = 'https://${deviceApp.outputs.defaultHostName}'

@description('Base URL of the custom allocation webhooks (append allocation/multitenancy, allocation/geo-sharding or allocation/solution-isolation, and ?code=<function key>).')
output OPENDPS_ALLOCATION_WEBHOOK_BASE_URL string = 'https://${allocationApp.outputs.defaultHostName}/api'

output OPENDPS_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output OPENDPS_COSMOS_DATABASE string = cosmos.outputs.databaseName
output OPENDPS_KEY_VAULT_URI string = keyVault.outputs.uri
output OPENDPS_KEY_VAULT_KEY_ID string = keyVault.outputs.keyId

@description('Where the front door listens (MQTT 8883, AMQP 5671, WebSockets 8443): point the DNS name of its TLS certificate here.')
output OPENDPS_FRONTDOOR_STATIC_IP string = frontDoor.outputs.staticIp
// azd pushes the front door's image here (azure.yaml, service "frontdoor").
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = frontDoor.outputs.registryLoginServer
