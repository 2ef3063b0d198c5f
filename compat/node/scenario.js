'use strict';
// Drives the official Node.js provisioning SDKs (service client, device client over HTTP with symmetric keys and
// with X.509 certificates) against a running OpenDPS, unchanged. Both Node HTTP clients always dial 443, so each
// is given an azure-iot-http-base Http whose https.Agent dials the local port
// (see ../../../shared/docs/sdk-wire-notes.md).
// Inputs (environment): OPENDPS_PORT, OPENDPS_CONNECTION_STRING, OPENDPS_ID_SCOPE, OPENDPS_RUN (unique suffix),
// OPENDPS_X509_DIR (PEM files made by the caller: <name>.cert.pem and <name>.key.pem for the devices `individual`
// (self-signed), `group-device` (issued by the intermediate `group-signer.cert.pem`) and `stranger` (issued by an
// unrelated CA, whose certificate follows the leaf in its cert file)); the CA of the local stack comes from
// NODE_EXTRA_CA_CERTS. Registration ids of X.509 devices are the CNs of their leaves. Prints one JSON object with
// what it observed.
const fs = require('fs');
const path = require('path');
const https = require('https');
const crypto = require('crypto');
const { Http: HttpBase, RestApiClient } = require('azure-iot-http-base');
const { ConnectionString, SharedAccessSignature } = require('azure-iot-common');
const { ProvisioningServiceClient } = require('azure-iot-provisioning-service');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { Http: DeviceHttp } = require('azure-iot-provisioning-device-http');
const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');
const { X509Security } = require('azure-iot-security-x509');

const port = Number(process.env.OPENDPS_PORT);
const connectionString = process.env.OPENDPS_CONNECTION_STRING;
const idScope = process.env.OPENDPS_ID_SCOPE;
const run = process.env.OPENDPS_RUN || String(Date.now());
const x509Dir = process.env.OPENDPS_X509_DIR;

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

function pemFile(name) {
  return fs.readFileSync(path.join(x509Dir, name), 'utf8');
}

/** A device's certificate file (leaf first, then any signers) and key, and its registration id: the leaf's CN. */
function x509Device(name) {
  const cert = pemFile(name + '.cert.pem');
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(new crypto.X509Certificate(cert).subject);
  return { registrationId: cn[1], cert, key: pemFile(name + '.key.pem') };
}

function registerX509(device) {
  const security = new X509Security(device.registrationId, { cert: device.cert, key: device.key });
  const client = ProvisioningDeviceClient.create('localhost', idScope, new DeviceHttp(portedHttpBase()), security);
  return client.register();
}

/** What the Node device SDK hands back for an X.509 registration, trimmed to what is checked. */
function x509Outcome(result) {
  const x509 = result.x509 || {};
  const info = (i) => (i ? { subjectName: i.subjectName, sha256Thumbprint: i.sha256Thumbprint } : null);
  return {
    status: result.status, assignedHub: result.assignedHub, deviceId: result.deviceId,
    registrationId: result.registrationId,
    x509: {
      keys: Object.keys(x509).sort(), enrollmentGroupId: x509.enrollmentGroupId || null,
      certificateInfo: info(x509.certificateInfo), signingCertificateInfo: info(x509.signingCertificateInfo)
    }
  };
}

async function x509Scenario(service) {
  const out = {};
  const individual = x509Device('individual');
  const enrolled = (await service.createOrUpdateIndividualEnrollment({
    registrationId: individual.registrationId,
    attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: individual.cert } } } }
  })).responseBody;
  const primary = enrolled.attestation.x509.clientCertificates.primary;
  out.enrolledInfo = {
    hasCertificate: 'certificate' in primary, sha256Thumbprint: (primary.info || {}).sha256Thumbprint
  };
  out.individual = x509Outcome(await registerX509(individual));

  const signer = pemFile('group-signer.cert.pem');
  await service.createOrUpdateEnrollmentGroup({
    enrollmentGroupId: 'node-x509-group-' + run,
    attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: signer } } } }
  });
  const groupDevice = x509Device('group-device');
  groupDevice.cert += signer; // the chain, presented in the TLS handshake, up to the group's signing certificate
  out.group = x509Outcome(await registerX509(groupDevice));

  out.state = {};
  for (const device of [individual, groupDevice]) {
    const state = (await service.getDeviceRegistrationState(device.registrationId)).responseBody;
    out.state[device.registrationId] = {
      status: state.status, assignedHub: state.assignedHub, deviceId: state.deviceId
    };
  }

  try {
    await registerX509(x509Device('stranger'));
    out.stranger = 'accepted';
  } catch (err) {
    out.stranger = err.constructor.name + ':' + (err.response ? err.response.statusCode : '?');
  }
  return out;
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

  out.x509 = await x509Scenario(service);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write('scenario failed: ' + (err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
