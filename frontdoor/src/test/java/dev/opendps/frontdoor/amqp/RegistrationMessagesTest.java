package dev.opendps.frontdoor.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.api.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;

/** The AMQP shapes of DPS answers and errors (dps-protocol.md §3.2), the link address forms and the TPM segments. */
class RegistrationMessagesTest {
    private static final byte[] ERROR = "{\"errorCode\":429001,\"trackingId\":\"t\",\"message\":\"m\"}"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void aThrottledRequestIsRejectedWithTheBodyAndARetryAfterInTheErrorInfo() {
        Rejected throttled = RegistrationMessages.rejection(new ApiResponse(429, Map.of(), ERROR));
        Rejected unavailable = RegistrationMessages.rejection(new ApiResponse(503, Map.of("Retry-After", "7"), ERROR));
        Rejected refused = RegistrationMessages.rejection(new ApiResponse(401, Map.of(), ERROR));

        assertThat(throttled.getError().getDescription()).isEqualTo(new String(ERROR, StandardCharsets.UTF_8));
        assertThat((Object) throttled.getError().getCondition()).isEqualTo(Symbol.valueOf("amqp:resource-limit-exceeded"));
        assertThat(throttled.getError().getInfo()).containsEntry(Symbol.valueOf("Retry-After"), 3);
        assertThat(unavailable.getError().getInfo()).containsEntry(Symbol.valueOf("Retry-After"), 7);
        assertThat(refused.getError().getInfo()).isNull();
    }

    @Test
    void anAnswerCarriesTheCorrelationIdAndTheRetryAfterUnderBothKeys() {
        RegistrationMessages.Request request = new RegistrationMessages.Request(RegistrationMessages.REGISTER, null,
                "c-9", new byte[0]);
        byte[] encoded = RegistrationMessages.answer(request, new ApiResponse(202, Map.of("retry-after", "3"),
                "{\"status\":\"assigning\"}".getBytes(StandardCharsets.UTF_8)));

        Message answer = Message.Factory.create();
        answer.decode(encoded, 0, encoded.length);
        assertThat(answer.getCorrelationId()).isEqualTo("c-9");
        assertThat(answer.getApplicationProperties().getValue()).containsEntry("retry-after", 3)
                .containsEntry("Retry-After", 3);
        assertThat(answer.getContentType()).isEqualTo("application/json");
    }

    @Test
    void theAddressIsReadFromItsEndWhateverComesBefore() {
        RegistrationAddress expected = new RegistrationAddress("0ne00000A1B", "device-1");

        assertThat(RegistrationAddress.parse("0ne00000A1B/registrations/device-1")).contains(expected);
        assertThat(RegistrationAddress.parse("/0ne00000A1B/registrations/device-1")).contains(expected);
        assertThat(RegistrationAddress.parse("amqps://dps.example.net/0ne00000A1B/registrations/device-1"))
                .contains(expected);
        assertThat(RegistrationAddress.parse("0ne00000A1B/registrations/")).isEmpty();
        assertThat(RegistrationAddress.parse("/registrations/device-1")).isEmpty();
        assertThat(RegistrationAddress.parse("0ne00000A1B/registrations/a/b")).isEmpty();
        assertThat(RegistrationAddress.parse(null)).isEmpty();
        assertThat(expected.sameDevice(new RegistrationAddress("0NE00000a1b", "DEVICE-1"))).isTrue();
    }

    @Test
    void aTpmBlobGoesInTwoSegmentsOrMoreWhenItIsLong() {
        List<byte[]> usual = DeviceSasl.segments(new byte[858]);
        List<byte[]> longBlob = DeviceSasl.segments(new byte[1100]);

        assertThat(usual).extracting(segment -> segment[0]).containsExactly((byte) 0x80, (byte) 0xC1);
        assertThat(usual).allSatisfy(segment -> assertThat(segment).hasSize(430));
        assertThat(longBlob).extracting(segment -> segment[0]).containsExactly((byte) 0x80, (byte) 0x81, (byte) 0xC2);
        assertThat(longBlob).allSatisfy(segment -> assertThat(segment.length).isLessThanOrEqualTo(
                DeviceSasl.TPM_SEGMENT_BYTES + 1));
        assertThat(longBlob.stream().mapToInt(segment -> segment.length - 1).sum()).isEqualTo(1100);
    }
}
