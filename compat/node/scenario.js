'use strict';
// Drives the official Node.js provisioning SDKs (service client, device client over HTTP with symmetric keys)
// against a running OpenDPS, unchanged. Both Node HTTP clients always dial 443, so each is given an
// azure-iot-http-base Http whose https.Agent dials the local port (see ../../../shared/docs/sdk-wire-notes.md).
// Inputs (environment): OPENDPS_PORT, OPENDPS_CONNECTION_STRING, OPENDPS_ID_SCOPE, OPENDPS_RUN (unique suffix);
// the CA comes from NODE_EXTRA_CA_CERTS. Prints one JSON object with what it observed.
const https = require('https');
const crypto = require('crypto');
const { Http: HttpBase, RestApiClient } = require('azure-iot-http-base');
const { ConnectionString, SharedAccessSignature } = require('azure-iot-common');
const { ProvisioningServiceClient } = require('azure-iot-provisioning-service');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { Http: DeviceHttp } = require('azure-iot-provisioning-device-http');
const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');

const port = Number(process.env.OPENDPS_PORT);
const connectionString = process.env.OPENDPS_CONNECTION_STRING;
const idScope = process.env.OPENDPS_ID_SCOPE;
const run = process.env.OPENDPS_RUN || String(Date.now());

function portedHttpBase() {
  const agent = new https.Agent({ keepAlive: true });
  agent.defaultPort = port; // the https.Agent constructor sets 443, so the port is set afterwards
  const base = new HttpBase();
  base.setOptions({ http: { agent } });
  return base;
}

function serviceClient() {
  const cn = ConnectionString.parse(connectionString);
  const config = {
    host: cn.HostName,
    sharedAccessSignature: SharedAccessSignature.create(cn.HostName, cn.SharedAccessKeyName, cn.SharedAccessKey,
      Math.floor(Date.now() / 1000) + 3600).toString()
  };
  return new ProvisioningServiceClient(config, new RestApiClient(config, 'opendps-compat', portedHttpBase()));
}

function register(registrationId, key) {
  const security = new SymmetricKeySecurityClient(registrationId, key);
  const client = ProvisioningDeviceClient.create('localhost', idScope, new DeviceHttp(portedHttpBase()), security);
  return client.register();
}

function deriveKey(groupKey, registrationId) {
  return crypto.createHmac('sha256', Buffer.from(groupKey, 'base64')).update(registrationId, 'utf8').digest('base64');
}

async function main() {
  const service = serviceClient();
  const out = {};
  const individualId = 'node-dev-' + run;
  const created = (await service.createOrUpdateIndividualEnrollment({
    registrationId: individualId,
    attestation: { type: 'symmetricKey' },
    initialTwin: { tags: { sdk: 'node' }, properties: { desired: { interval: 5 } } }
  })).responseBody;
  out.createdEtag = created.etag;
  const primaryKey = created.attestation.symmetricKey.primaryKey;
  const read = (await service.getIndividualEnrollment(individualId)).responseBody;
  out.readBackSameEtag = read.etag === created.etag;

  const individual = await register(individualId, primaryKey);
  out.individual = { status: individual.status, assignedHub: individual.assignedHub, deviceId: individual.deviceId };

  const groupId = 'node-group-' + run;
  const group = (await service.createOrUpdateEnrollmentGroup({
    enrollmentGroupId: groupId, attestation: { type: 'symmetricKey' }
  })).responseBody;
  const groupDeviceId = 'node-group-dev-' + run;
  const grouped = await register(groupDeviceId, deriveKey(group.attestation.symmetricKey.primaryKey, groupDeviceId));
  out.group = { status: grouped.status, assignedHub: grouped.assignedHub, deviceId: grouped.deviceId };

  const state = (await service.getDeviceRegistrationState(individualId)).responseBody;
  out.state = { status: state.status, assignedHub: state.assignedHub };

  try {
    await register(individualId, crypto.randomBytes(32).toString('base64'));
    out.wrongKey = 'accepted';
  } catch (err) {
    out.wrongKey = err.constructor.name + ':' + (err.response ? err.response.statusCode : '?');
  }

  const query = service.createIndividualEnrollmentQuery({ query: '*' }, 100);
  const items = await new Promise((resolve, reject) => query.next((err, result) => (err ? reject(err) : resolve(result))));
  out.queried = items.some((e) => e.registrationId === individualId);

  await service.deleteIndividualEnrollment(individualId);
  try {
    await service.getIndividualEnrollment(individualId);
    out.afterDelete = 'found';
  } catch (err) {
    out.afterDelete = err.response ? err.response.statusCode : String(err);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write('scenario failed: ' + (err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
