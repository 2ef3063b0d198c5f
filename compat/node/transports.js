'use strict';
// Registers devices with the official Node.js device SDK over its MQTT and AMQP transports
// (azure-iot-provisioning-device-mqtt 1.8.1, azure-iot-provisioning-device-amqp 1.9.1) against a running OpenDPS
// front door, unchanged, through the public API only: ProvisioningDeviceClient.create(host, idScope, transport,
// securityClient).register(). Both transports take a port in the host string: Mqtt dials `mqtts://<host>` and Amqp
// `amqps://<host>`, whose port azure-iot-amqp-base's connect() reads from the URL (5671 if none), so the front
// door's listeners can sit on any port (see ../../../shared/docs/sdk-wire-notes.md). The devices are enrolled by
// the caller.
// Inputs (environment): OPENDPS_ID_SCOPE; OPENDPS_MQTT_HOST and OPENDPS_AMQP_HOST (`host:port` of the front door's
// MQTT and AMQP listeners); OPENDPS_DEVICES, a JSON array of devices, each
// {name, transport: "mqtt" | "amqp", registrationId} and either symmetricKey (base64) or certFile and keyFile (PEM
// paths: an X.509 device). The CA of the local stack comes from NODE_EXTRA_CA_CERTS.
// Prints one JSON object with what it observed, by device name: on success {status, substatus, assignedHub,
// deviceId, registrationId}; on failure {error: the error's class, statusCode, errorCode, amqpCondition} (what
// each transport carries of them).
const fs = require('fs');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { Mqtt } = require('azure-iot-provisioning-device-mqtt');
const { Amqp } = require('azure-iot-provisioning-device-amqp');
const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');
const { X509Security } = require('azure-iot-security-x509');

const idScope = process.env.OPENDPS_ID_SCOPE;
const hosts = { mqtt: process.env.OPENDPS_MQTT_HOST, amqp: process.env.OPENDPS_AMQP_HOST };
const transports = { mqtt: () => new Mqtt(), amqp: () => new Amqp() };
const devices = JSON.parse(process.env.OPENDPS_DEVICES || '[]');
const TIMEOUT_MS = 60000;

function securityClient(device) {
  if (device.symmetricKey) {
    return new SymmetricKeySecurityClient(device.registrationId, device.symmetricKey);
  }
  return new X509Security(device.registrationId, {
    cert: fs.readFileSync(device.certFile, 'utf8'), key: fs.readFileSync(device.keyFile, 'utf8')
  });
}

/** Registers one device on a fresh client and transport; a hang becomes an error rather than a stuck process. */
function register(device) {
  const client = ProvisioningDeviceClient.create(hosts[device.transport], idScope, transports[device.transport](),
    securityClient(device));
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within ' + TIMEOUT_MS + ' ms')), TIMEOUT_MS);
  });
  return Promise.race([client.register(), timeout]).finally(() => clearTimeout(timer));
}

/** The status an error carries: MQTT puts it in the response topic, HTTP in the response. */
function statusCode(err) {
  const topic = err.transportObject && err.transportObject.topic;
  const match = topic ? /^\$dps\/registrations\/res\/(\d+)\//.exec(topic) : null;
  if (match) {
    return Number(match[1]);
  }
  return err.response && err.response.statusCode ? err.response.statusCode : null;
}

function failure(err) {
  const amqpError = err.amqpError || (err.transportObject && err.transportObject.error);
  return {
    error: err.constructor.name,
    statusCode: statusCode(err),
    errorCode: err.result && err.result.errorCode ? err.result.errorCode : null,
    amqpCondition: amqpError && amqpError.condition ? amqpError.condition : null,
    message: String(err.message)
  };
}

async function main() {
  const out = {};
  for (const device of devices) {
    try {
      const result = await register(device);
      out[device.name] = {
        status: result.status, substatus: result.substatus, assignedHub: result.assignedHub,
        deviceId: result.deviceId, registrationId: result.registrationId
      };
    } catch (err) {
      out[device.name] = failure(err);
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write('transports scenario failed: ' + (err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
