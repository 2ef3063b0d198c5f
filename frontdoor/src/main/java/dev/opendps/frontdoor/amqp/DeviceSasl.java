package dev.opendps.frontdoor.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.api.ApiResponse;
import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoorConnection;
import dev.opendps.wire.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.security.SaslChallenge;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Transport;

/**
 * The server side of a device's SASL exchange (dps-protocol.md §3.2, and §2.4 "AMQP TPM SASL"):
 * <ul>
 *   <li>{@code PLAIN}: authcid {@code {idScope}/registrations/{registrationId}}, password the SAS token, checked
 *       before the outcome, so a bad token ends in outcome {@code auth} and nothing is stored;</li>
 *   <li>{@code TPM}: init {@code 0x00 ‖ idScope ‖ 0x00 ‖ registrationId ‖ 0x00 ‖ EK}; challenge {@code 0x00} asks for
 *       {@code 0x00 ‖ SRK}; the activation blob the registration core issues for the EK and SRK (the very blob of the
 *       HTTP 401 challenge) goes out in segments {@code 0x80 ‖ part}, …, {@code 0xC1 ‖ last part}, each answered
 *       {@code 0x00}; the last answer is {@code 0x00 ‖ SAS token} signed with the key the TPM imported;</li>
 *   <li>{@code EXTERNAL}: the TLS client certificate authenticates, as when a client skips SASL (X.509).</li>
 * </ul>
 * Checks run on the gateway's workers; proton is touched only on the connection's event loop, through
 * {@link Host#later}. Tokens never reach a log.
 */
final class DeviceSasl implements SaslListener {
    static final String PLAIN = "PLAIN";
    static final String TPM = "TPM";
    static final String EXTERNAL = "EXTERNAL";
    static final String[] MECHANISMS = {PLAIN, TPM, EXTERNAL};

    /**
     * The largest SASL frame a client must read before the open: AMQP's minimum max-frame-size (§2.7.1), which
     * Proton-J (the Java SDK) enforces on SASL frames.
     */
    static final int SASL_FRAME_LIMIT = 512;
    /**
     * Blob bytes per TPM challenge segment: what a sasl-challenge frame of {@link #SASL_FRAME_LIMIT} bytes holds
     * after its frame header, the performative's encoding and the segment's control byte (486 with proton-j 0.34).
     */
    static final int TPM_SEGMENT_BYTES = SASL_FRAME_LIMIT - challengeFrameOverhead() - 1;
    private static final byte CONTROL = 0x00;
    private static final byte SEGMENT = (byte) 0x80;
    private static final byte LAST_SEGMENT = 0x40;

    private static final Logger LOG = Logger.getLogger(DeviceSasl.class.getName());

    /** What the connection needs from its SASL exchange. */
    interface Host {
        /** Runs {@code step} on the connection's event loop if the connection is still open, then writes what proton has. */
        void later(Runnable step);

        /** Stops reading from the client while a check runs (a well-behaved client waits anyway). */
        void pauseReading();

        void resumeReading();
    }

    /** The device a SASL exchange authenticated; {@code endorsementKey}/{@code storageRootKey} base64, TPM only. */
    record Device(RegistrationAddress address, String sasToken, String endorsementKey, String storageRootKey) {
        @Override
        public String toString() {
            return "Device[" + address + ", tpm=" + (endorsementKey != null) + "]";
        }
    }

    private enum Step { INIT, STORAGE_ROOT_KEY, CHECKING, SEGMENTS, TOKEN, DONE }

    private final DeviceGateway gateway;
    private final Host host;
    private Sasl sasl;
    private Step step = Step.INIT;
    private RegistrationAddress address;
    private byte[] endorsementKey;
    private byte[] storageRootKey;
    private List<byte[]> segments = List.of();
    private int nextSegment;
    private Device device;
    private boolean failed;

    DeviceSasl(DeviceGateway gateway, Host host) {
        this.gateway = gateway;
        this.host = host;
    }

    /** The device, once the outcome was {@code ok} with a token; null for {@code EXTERNAL} or before the outcome. */
    Device device() {
        return device;
    }

    /** Whether the outcome sent is a failure: the connection is closed once it is written. */
    boolean failed() {
        return failed;
    }

    boolean done() {
        return step == Step.DONE;
    }

    @Override
    public void onSaslInit(Sasl sasl, Transport transport) {
        this.sasl = sasl;
        String[] chosen = sasl.getRemoteMechanisms();
        String mechanism = chosen.length == 0 ? "" : chosen[0];
        byte[] initial = received(sasl);
        if (step != Step.INIT) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a second sasl-init");
            return;
        }
        switch (mechanism) {
            case PLAIN -> plain(initial);
            case TPM -> tpmInit(initial);
            case EXTERNAL -> succeed(null);
            default -> fail(Sasl.SaslOutcome.PN_SASL_AUTH,
                    "mechanism " + FrontDoorConnection.printable(mechanism) + " is not offered");
        }
    }

    @Override
    public void onSaslResponse(Sasl sasl, Transport transport) {
        this.sasl = sasl;
        byte[] response = received(sasl);
        switch (step) {
            case STORAGE_ROOT_KEY -> storageRootKey(response);
            case SEGMENTS -> {
                if (!isAcknowledgement(response)) {
                    fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a TPM blob segment was not acknowledged with 0x00");
                } else {
                    sendSegment();
                }
            }
            case TOKEN -> tpmToken(response);
            default -> fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a sasl-response in step " + step);
        }
    }

    @Override
    public void onSaslMechanisms(Sasl sasl, Transport transport) {
        // client side only
    }

    @Override
    public void onSaslChallenge(Sasl sasl, Transport transport) {
        // client side only
    }

    @Override
    public void onSaslOutcome(Sasl sasl, Transport transport) {
        // client side only
    }

    /** PLAIN: {@code [authzid] 0x00 authcid 0x00 password} (RFC 4616). */
    private void plain(byte[] message) {
        int first = indexOf(message, (byte) 0, 0);
        int second = first < 0 ? -1 : indexOf(message, (byte) 0, first + 1);
        if (second < 0) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a malformed PLAIN response");
            return;
        }
        String authcid = new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8);
        String token = new String(message, second + 1, message.length - second - 1, StandardCharsets.UTF_8);
        RegistrationAddress named = RegistrationAddress.parse(authcid).orElse(null);
        if (named == null || token.isBlank()) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "PLAIN needs authcid {idScope}/registrations/{registrationId} and a token");
            return;
        }
        address = named;
        checkToken(token, null, null);
    }

    /** TPM init: {@code 0x00 ‖ idScope ‖ 0x00 ‖ registrationId ‖ 0x00 ‖ EK (TPM2B_PUBLIC)}; the EK may hold zero bytes. */
    private void tpmInit(byte[] init) {
        int scopeEnd = init.length > 0 && init[0] == CONTROL ? indexOf(init, (byte) 0, 1) : -1;
        int idEnd = scopeEnd < 0 ? -1 : indexOf(init, (byte) 0, scopeEnd + 1);
        if (idEnd < 0 || scopeEnd == 1 || idEnd == scopeEnd + 1 || idEnd == init.length - 1) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a malformed TPM init");
            return;
        }
        address = new RegistrationAddress(new String(init, 1, scopeEnd - 1, StandardCharsets.UTF_8),
                new String(init, scopeEnd + 1, idEnd - scopeEnd - 1, StandardCharsets.UTF_8));
        endorsementKey = Arrays.copyOfRange(init, idEnd + 1, init.length);
        step = Step.STORAGE_ROOT_KEY;
        sasl.send(new byte[] {CONTROL}, 0, 1);
    }

    /**
     * {@code 0x00 ‖ SRK}: the registration core now issues the activation blob for the EK and SRK, as it answers an
     * HTTP register without a token (401 with {@code authenticationKey}); an unknown device or EK fails here.
     */
    private void storageRootKey(byte[] response) {
        if (response.length < 2 || response[0] != CONTROL) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a malformed TPM storage root key");
            return;
        }
        storageRootKey = Arrays.copyOfRange(response, 1, response.length);
        ObjectNode body = Json.object();
        body.put("registrationId", address.registrationId());
        ObjectNode tpm = body.putObject("tpm");
        tpm.put("endorsementKey", base64(endorsementKey));
        tpm.put("storageRootKey", base64(storageRootKey));
        await(gateway.register(address.idScope(), address.registrationId(),
                DeviceGateway.Credentials.of(null, List.of()), Json.bytes(body)), this::challenge);
    }

    private void challenge(ApiResponse response) {
        if (response.status() != 401 || authenticationKey(response) == null) {
            fail(outcomeOf(response), "the TPM was not challenged (status " + response.status() + ")");
            return;
        }
        byte[] blob = activationBlob(response);
        if (blob == null) {
            fail(Sasl.SaslOutcome.PN_SASL_SYS, "the activation blob is not base64");
            return;
        }
        segments = segments(blob);
        nextSegment = 0;
        step = Step.SEGMENTS;
        sendSegment();
    }

    private void sendSegment() {
        byte[] segment = segments.get(nextSegment++);
        if (nextSegment == segments.size()) {
            step = Step.TOKEN;
        }
        sasl.send(segment, 0, segment.length);
    }

    /** The last answer, {@code 0x00 ‖ SAS token}: the token must be signed with the key the TPM imported from the blob. */
    private void tpmToken(byte[] response) {
        if (response.length < 2 || response[0] != CONTROL) {
            fail(Sasl.SaslOutcome.PN_SASL_AUTH, "a malformed TPM token response");
            return;
        }
        checkToken(new String(response, 1, response.length - 1, StandardCharsets.UTF_8), base64(endorsementKey),
                base64(storageRootKey));
    }

    private void checkToken(String token, String endorsementKey, String storageRootKey) {
        await(gateway.authenticate(address.idScope(), address.registrationId(), token), response -> {
            if (response.status() / 100 == 2) {
                succeed(new Device(address, token, endorsementKey, storageRootKey));
            } else {
                fail(outcomeOf(response), "the token was refused (status " + response.status() + ")");
            }
        });
    }

    /** Runs a check on the gateway's workers and continues on the event loop; reading pauses meanwhile. */
    private void await(CompletableFuture<ApiResponse> check, Consumer<ApiResponse> next) {
        Step waitingIn = step;
        step = Step.CHECKING;
        host.pauseReading();
        check.whenComplete((response, error) -> host.later(() -> {
            host.resumeReading();
            if (step != Step.CHECKING) {
                return; // the exchange failed meanwhile (an unexpected frame)
            }
            step = waitingIn;
            if (error != null) {
                LOG.log(Level.WARNING, "SASL check for " + FrontDoorConnection.printable(address.toString())
                        + " failed", error);
                fail(Sasl.SaslOutcome.PN_SASL_TEMP, "the check failed");
            } else {
                next.accept(response);
            }
        }));
    }

    private void succeed(Device authenticated) {
        device = authenticated;
        step = Step.DONE;
        sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
        LOG.fine(() -> "SASL succeeded for " + (authenticated == null ? "a certificate device"
                : FrontDoorConnection.printable(authenticated.address().toString())));
    }

    private void fail(Sasl.SaslOutcome outcome, String reason) {
        if (step == Step.DONE) {
            return;
        }
        failed = true;
        step = Step.DONE;
        sasl.done(outcome);
        LOG.fine(() -> "SASL refused for "
                + (address == null ? "an unnamed device" : FrontDoorConnection.printable(address.toString()))
                + ": " + reason);
    }

    /** Throttling and server errors are worth retrying ({@code sys-temp}); anything else is the device's ({@code auth}). */
    private static Sasl.SaslOutcome outcomeOf(ApiResponse response) {
        return response.status() == 429 || response.status() >= 500
                ? Sasl.SaslOutcome.PN_SASL_TEMP : Sasl.SaslOutcome.PN_SASL_AUTH;
    }

    /**
     * The blob in exactly two segments when two frames hold it (the Java SDK reads exactly two: 0x80 then 0xC1),
     * split in halves; a longer blob in as many as it needs (C and C# read any number). Control byte {@code 0x80}
     * (valid) plus {@code 0x40} on the last, low two bits the sequence number (§2.4 "AMQP TPM SASL").
     */
    static List<byte[]> segments(byte[] blob) {
        int count = Math.max(2, (blob.length + TPM_SEGMENT_BYTES - 1) / TPM_SEGMENT_BYTES);
        int size = (blob.length + count - 1) / count;
        List<byte[]> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = Math.min(blob.length, i * size);
            int to = Math.min(blob.length, from + size);
            byte[] segment = new byte[1 + to - from];
            segment[0] = (byte) (SEGMENT | (i == count - 1 ? LAST_SEGMENT : 0) | (i & 0x03));
            System.arraycopy(blob, from, segment, 1, to - from);
            segments.add(segment);
        }
        return segments;
    }

    /**
     * Bytes a sasl-challenge frame spends besides its challenge, as proton encodes one whose challenge is too long
     * for the short encodings: the 8-byte frame header (AMQP §2.3.1), the descriptor, the list32 and the vbin32
     * header.
     */
    private static int challengeFrameOverhead() {
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        int challengeBytes = 300;
        ByteBuffer encoded = ByteBuffer.allocate(2 * challengeBytes);
        encoder.setByteBuffer(encoded);
        SaslChallenge challenge = new SaslChallenge();
        challenge.setChallenge(new Binary(new byte[challengeBytes]));
        encoder.writeObject(challenge);
        return 8 + encoded.position() - challengeBytes;
    }

    /** The activation blob of a challenge, decoded; null if it has none or it is not base64. */
    static byte[] activationBlob(ApiResponse response) {
        String blob = authenticationKey(response);
        if (blob == null) {
            return null;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(blob);
            return decoded.length == 0 ? null : decoded;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static String authenticationKey(ApiResponse response) {
        try {
            JsonNode key = Json.parseObject(response.body()).get("authenticationKey");
            return key != null && key.isTextual() && !key.asText().isEmpty() ? key.asText() : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static boolean isAcknowledgement(byte[] response) {
        return response.length >= 1 && response[0] == CONTROL;
    }

    private static byte[] received(Sasl sasl) {
        byte[] bytes = new byte[Math.max(0, sasl.pending())];
        if (bytes.length > 0) {
            sasl.recv(bytes, 0, bytes.length);
        }
        return bytes;
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Names come from the client: keep a log line one line of printable text. */
}
