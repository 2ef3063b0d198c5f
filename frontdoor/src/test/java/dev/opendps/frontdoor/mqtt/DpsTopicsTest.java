package dev.opendps.frontdoor.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.ErrorCode;
import dev.opendps.frontdoor.mqtt.DpsTopics.DeviceName;
import dev.opendps.frontdoor.mqtt.DpsTopics.OperationStatus;
import dev.opendps.frontdoor.mqtt.DpsTopics.Register;
import dev.opendps.frontdoor.mqtt.DpsTopics.Unknown;
import org.junit.jupiter.api.Test;

/** The MQTT names of DPS registration (dps-protocol.md §3.1), as each SDK writes them (sdk-wire-notes.md). */
class DpsTopicsTest {

    @Test
    void theUsernameIsReadUpToItsApiVersionWhateverFollows() {
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1/api-version=2019-03-31"
                + "&ClientVersion=azure-iot-provisioning-device%2F1.9.1"))
                .contains(new DeviceName("0ne00000A0A", "dev-1", false));
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1/api-version=2021-06-01&ClientVersion=prov_device_client%2F1.0"))
                .contains(new DeviceName("0ne00000A0A", "dev-1", false));
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1")).contains(new DeviceName("0ne00000A0A", "dev-1", false));
    }

    @Test
    void theJavaSdkIsKnownByItsApiVersionRepeatedAsClientVersion() {
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1/api-version=2019-03-31&ClientVersion=2019-03-31"))
                .contains(new DeviceName("0ne00000A0A", "dev-1", true));
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1/api-version=&ClientVersion=").orElseThrow().javaSdk())
                .isFalse();
    }

    @Test
    void aUsernameThatNamesNoDeviceIsNotRead() {
        assertThat(DeviceName.parse(null)).isEmpty();
        assertThat(DeviceName.parse("")).isEmpty();
        assertThat(DeviceName.parse("dev-1")).isEmpty();
        assertThat(DeviceName.parse("0ne00000A0A/devices/dev-1/api-version=2019-03-31")).isEmpty();
        assertThat(DeviceName.parse("/registrations/dev-1/api-version=2019-03-31")).isEmpty();
        assertThat(DeviceName.parse("0ne00000A0A/registrations//api-version=2019-03-31")).isEmpty();
        assertThat(DeviceName.parse("0ne00000A0A/registrations/dev-1/extra/api-version=2019-03-31")).isEmpty();
    }

    @Test
    void registerAndPollTopicsAreReadWithTheirRequestIdsVerbatim() {
        assertThat(DpsTopics.request("$dps/registrations/PUT/iotdps-register/?$rid=1")).contains(new Register("1"));
        assertThat(DpsTopics.request("$dps/registrations/PUT/iotdps-register/?$rid=6f1c8a4e-7c1b-4b55-9d0e-2b9a1f0c3d4e"))
                .contains(new Register("6f1c8a4e-7c1b-4b55-9d0e-2b9a1f0c3d4e"));
        assertThat(DpsTopics.request("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2"
                + "&operationId=4.d0a671905ea5b2c8.42d78160-4c78-479e-8be7-61d5e55dac0d"))
                .contains(new OperationStatus("2", "4.d0a671905ea5b2c8.42d78160-4c78-479e-8be7-61d5e55dac0d"));
        assertThat(DpsTopics.request("$dps/registrations/GET/iotdps-get-operationstatus/?operationId=op&$rid=3"))
                .contains(new OperationStatus("3", "op"));
    }

    @Test
    void aTopicWithARequestIdButNoKnownOperationIsAnsweredWithAnError() {
        assertThat(DpsTopics.request("$dps/registrations/POST/iotdps-register/?$rid=1").orElseThrow())
                .isInstanceOfSatisfying(Unknown.class, unknown -> assertThat(unknown.error()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(DpsTopics.request("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=1").orElseThrow())
                .isInstanceOfSatisfying(Unknown.class, unknown -> assertThat(unknown.error()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void aTopicWithNothingToAnswerOnIsNoRequest() {
        assertThat(DpsTopics.request("devices/dev-1/messages/events/")).isEmpty();
        assertThat(DpsTopics.request("$dps/registrations/PUT/iotdps-register")).isEmpty();
        assertThat(DpsTopics.request("$dps/registrations/PUT/iotdps-register/?rid=1")).isEmpty();
        assertThat(DpsTopics.request("$dps/registrations/PUT/iotdps-register/?$rid=")).isEmpty();
    }

    @Test
    void anAnswerTopicCarriesTheRequestIdFirstAndTheRetryAfterOnlyWhenGiven() {
        assertThat(DpsTopics.response(202, "1", "3")).isEqualTo("$dps/registrations/res/202/?$rid=1&retry-after=3");
        assertThat(DpsTopics.response(200, "abc-def", null)).isEqualTo("$dps/registrations/res/200/?$rid=abc-def");
        assertThat(DpsTopics.response(401, "7", " ")).isEqualTo("$dps/registrations/res/401/?$rid=7");
    }

    @Test
    void subscriptionsThatCoverEveryAnswerAreRecognised() {
        assertThat(DpsTopics.coversResponses("$dps/registrations/res/#")).isTrue();
        assertThat(DpsTopics.coversResponses("$dps/#")).isTrue();
        assertThat(DpsTopics.coversResponses("$dps/registrations/res/+/#")).isTrue();
        assertThat(DpsTopics.coversResponses("$dps/registrations/+/+/+")).isTrue();

        assertThat(DpsTopics.coversResponses("#")).as("wildcards do not match $ topics").isFalse();
        assertThat(DpsTopics.coversResponses("+/registrations/res/#")).isFalse();
        assertThat(DpsTopics.coversResponses("$dps/registrations/res/200/#")).isFalse();
        assertThat(DpsTopics.coversResponses("$dps/registrations/res")).isFalse();
        assertThat(DpsTopics.coversResponses("$dps/registrations/res/#/x")).isFalse();
        assertThat(DpsTopics.coversResponses("$dps/registrations/re+/#")).isFalse();
        assertThat(DpsTopics.coversResponses("devices/dev-1/messages/devicebound/#")).isFalse();
    }
}
