package dev.opendps.frontdoor.amqp;

import java.util.Locale;
import java.util.Optional;

/**
 * The device a link or a SASL PLAIN authcid names: {@code {idScope}/registrations/{registrationId}}
 * (dps-protocol.md §3.2). Node and C# send exactly that, Java a leading {@code /}, C the whole
 * {@code amqps://{host}/…}, so only the end of the address is read.
 */
record RegistrationAddress(String idScope, String registrationId) {
    private static final String REGISTRATIONS = "/registrations/";

    static Optional<RegistrationAddress> parse(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String text = address.strip();
        int marker = text.toLowerCase(Locale.ROOT).lastIndexOf(REGISTRATIONS);
        if (marker <= 0) {
            return Optional.empty();
        }
        String registrationId = text.substring(marker + REGISTRATIONS.length());
        String idScope = text.substring(text.lastIndexOf('/', marker - 1) + 1, marker);
        if (idScope.isEmpty() || registrationId.isEmpty() || registrationId.indexOf('/') >= 0) {
            return Optional.empty();
        }
        return Optional.of(new RegistrationAddress(idScope, registrationId));
    }

    /** Whether both name the same device: ID scopes and registration ids compare case-insensitively (§2.3). */
    boolean sameDevice(RegistrationAddress other) {
        return idScope.equalsIgnoreCase(other.idScope) && registrationId.equalsIgnoreCase(other.registrationId);
    }

    @Override
    public String toString() {
        return idScope + REGISTRATIONS + registrationId;
    }
}
