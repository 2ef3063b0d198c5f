package dev.opendps.frontdoor.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.api.ApiResponse;
import dev.opendps.wire.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;
import org.junit.jupiter.api.Test;

/**
 * How the TPM activation blob is cut into SASL challenge segments (dps-protocol.md §2.4 "AMQP TPM SASL"): two when
 * two frames of 512 bytes hold it, as the Java SDK reads exactly two, each checked through a real pair of proton
 * transports whose client, like the Java SDK's, refuses SASL frames over 512 bytes.
 */
class DeviceSaslSegmentsTest {
    private static final Random RANDOM = new Random(7);

    private static byte[] blob(int length) {
        byte[] blob = new byte[length];
        RANDOM.nextBytes(blob);
        return blob;
    }

    @Test
    void aBlobThatNeededThreeSegmentsOf470BytesGoesInTwoHalves() {
        byte[] blob = blob(960); // more than 2 × 470
        List<byte[]> segments = DeviceSasl.segments(blob);

        assertThat(segments).hasSize(2);
        assertThat(segments.get(0)[0]).isEqualTo((byte) 0x80);
        assertThat(segments.get(1)[0]).isEqualTo((byte) 0xC1);
        assertThat(segments.get(0).length - 1).isEqualTo(480);
        assertThat(segments.get(1).length - 1).isEqualTo(480);
        assertThat(joined(segments)).isEqualTo(blob);
    }

    @Test
    void twoSegmentsHoldUpToTwiceTheRoomOfAFrameAndOnlyALongerBlobTakesThree() {
        assertThat(DeviceSasl.TPM_SEGMENT_BYTES).as("512 less the 25 bytes of a challenge frame, less 0x80")
                .isEqualTo(486);
        assertThat(DeviceSasl.segments(blob(2 * DeviceSasl.TPM_SEGMENT_BYTES))).hasSize(2);
        List<byte[]> three = DeviceSasl.segments(blob(2 * DeviceSasl.TPM_SEGMENT_BYTES + 1));
        assertThat(three).extracting(segment -> segment[0]).containsExactly((byte) 0x80, (byte) 0x81, (byte) 0xC2);
        assertThat(DeviceSasl.segments(blob(100))).hasSize(2);
    }

    @Test
    void theLargestSegmentTravelsInOneSaslFrameOfExactly512BytesThatAProtonClientReads() {
        byte[] blob = blob(2 * DeviceSasl.TPM_SEGMENT_BYTES);
        List<byte[]> segments = DeviceSasl.segments(blob);

        Transport server = Proton.transport();
        server.setInitialRemoteMaxFrameSize(AmqpConnectionHandler.SASL_FRAME_BYTES);
        Sasl serverSasl = server.sasl();
        serverSasl.server();
        serverSasl.setMechanisms(DeviceSasl.TPM);
        server.bind(Proton.connection());
        Transport client = Proton.transport(); // proton's default: SASL frames of at most 512 bytes
        Sasl clientSasl = client.sasl();
        clientSasl.client();
        clientSasl.setMechanisms(DeviceSasl.TPM);
        clientSasl.send(new byte[] {0, 'x', 0, 'y', 0, 1}, 0, 6);
        client.bind(Proton.connection());
        move(client, server);
        move(server, client);
        move(client, server);
        assertThat(serverSasl.getRemoteMechanisms()).containsExactly(DeviceSasl.TPM);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (byte[] segment : segments) {
            serverSasl.send(segment, 0, segment.length);
            List<Integer> frames = move(server, client);
            assertThat(frames).as("one challenge frame, within the 512 bytes a proton client reads").hasSize(1);
            assertThat(frames.get(0)).isEqualTo(DeviceSasl.SASL_FRAME_LIMIT);
            byte[] challenge = new byte[clientSasl.pending()];
            clientSasl.recv(challenge, 0, challenge.length);
            assertThat(challenge).isEqualTo(segment);
            received.write(challenge, 1, challenge.length - 1);
            clientSasl.send(new byte[] {0}, 0, 1);
            move(client, server);
            serverSasl.recv(new byte[serverSasl.pending()], 0, serverSasl.pending());
        }
        assertThat(received.toByteArray()).isEqualTo(blob);
        assertThat(client.getCondition()).as("the client met no framing error").isNull();
    }

    @Test
    void aChallengeWhoseBlobIsNotBase64HasNoBlobSoSaslEndsWithAnOutcome() {
        ApiResponse broken = ApiResponse.json(401, Json.parseObject(
                "{\"errorCode\":401002,\"authenticationKey\":\"not base64!\"}".getBytes(StandardCharsets.UTF_8)));
        ApiResponse fine = ApiResponse.json(401, Json.parseObject(
                "{\"errorCode\":401002,\"authenticationKey\":\"AAEC\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(DeviceSasl.activationBlob(broken)).isNull();
        assertThat(DeviceSasl.activationBlob(fine)).containsExactly(0, 1, 2);
    }

    /**
     * Hands what {@code from} has to send to {@code to}, and returns the sizes of the frames it carried (after the
     * 8-byte protocol header, if it was there).
     */
    private static List<Integer> move(Transport from, Transport to) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (from.pending() > 0) {
            ByteBuffer head = from.head();
            byte[] chunk = new byte[from.pending()];
            head.duplicate().get(chunk);
            from.pop(chunk.length);
            bytes.writeBytes(chunk);
        }
        byte[] all = bytes.toByteArray();
        int offset = 0;
        while (offset < all.length) {
            int count = Math.min(to.capacity(), all.length - offset);
            to.tail().put(all, offset, count);
            to.process();
            offset += count;
        }
        List<Integer> frames = new ArrayList<>();
        int at = all.length >= 8 && all[0] == 'A' && all[1] == 'M' ? 8 : 0;
        while (at + 4 <= all.length) {
            int size = ByteBuffer.wrap(all, at, 4).getInt();
            frames.add(size);
            at += size;
        }
        return frames;
    }

    private static byte[] joined(List<byte[]> segments) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        segments.forEach(segment -> joined.write(segment, 1, segment.length - 1));
        return joined.toByteArray();
    }
}
