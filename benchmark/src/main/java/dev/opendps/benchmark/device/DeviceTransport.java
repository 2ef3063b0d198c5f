package dev.opendps.benchmark.device;

import dev.opendps.benchmark.load.ConnectionScript;

/** How simulated devices talk to the service: the HTTPS device API or MQTT (dps-protocol.md §1, §3.1). */
public enum DeviceTransport {
    HTTPS,
    MQTT;

    public ConnectionScript script(RegistrationTarget target, Device device) {
        return this == MQTT ? new MqttRegistrationScript(target, device) : new DeviceRegistrationScript(target, device);
    }
}
