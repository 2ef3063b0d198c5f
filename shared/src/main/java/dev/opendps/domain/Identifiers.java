package dev.opendps.domain;

/**
 * Validators for the identifiers clients choose. Each throws a {@link ProvisioningException} with the specific error
 * code and a message naming the broken rule; the offending id is echoed only when it is short printable ASCII.
 */
public final class Identifiers {
    /** Maximum length of registration ids, enrollment group ids, device ids and certificate names. */
    public static final int MAX_LENGTH = 128;
    private static final int MAX_ECHO_LENGTH = 128;
    private static final String REGISTRATION_ID_SPECIALS = "-._:";
    private static final String DEVICE_ID_SPECIALS = "-.%_*?!(),:=@$'";
    private static final String CERTIFICATE_NAME_SPECIALS = "-_";

    private Identifiers() {
    }

    /**
     * Registration id (dps-protocol.md §2.3): 1–128 ASCII letters, digits, {@code - . _ :}; must not end with
     * {@code .}, {@code _} or {@code :} (a trailing {@code -} is allowed).
     */
    public static String registrationId(String id) {
        checkRegistrationIdRule(id, "registration id", ErrorCode.INVALID_REGISTRATION_ID);
        return id;
    }

    /** Enrollment group id: the registration id rule. */
    public static String enrollmentGroupId(String id) {
        checkRegistrationIdRule(id, "enrollment group id", ErrorCode.INVALID_ENROLLMENT_GROUP_ID);
        return id;
    }

    /**
     * IoT Hub device id (dps-protocol.md §6.3): 1–128 ASCII letters, digits and
     * {@code - . % _ * ? ! ( ) , : = @ $ '}.
     */
    public static String deviceId(String id) {
        String what = "device id";
        ErrorCode code = ErrorCode.INVALID_DEVICE_ID;
        checkLength(id, what, code);
        checkCharacters(id, DEVICE_ID_SPECIALS, what, code,
                "use ASCII letters, digits or any of - . % _ * ? ! ( ) , : = @ $ '");
        return id;
    }

    /**
     * Name of a CA certificate registered in an instance (ARM's certificate name rule): 1–128 ASCII letters,
     * digits, {@code -} and {@code _}.
     */
    public static String certificateName(String name) {
        String what = "certificate name";
        ErrorCode code = ErrorCode.INVALID_CERTIFICATE_NAME;
        checkLength(name, what, code);
        checkCharacters(name, CERTIFICATE_NAME_SPECIALS, what, code, "use ASCII letters, digits, '-' or '_'");
        return name;
    }

    private static void checkRegistrationIdRule(String id, String what, ErrorCode code) {
        checkLength(id, what, code);
        checkCharacters(id, REGISTRATION_ID_SPECIALS, what, code, "use ASCII letters, digits, '-', '.', '_' or ':'");
        char last = id.charAt(id.length() - 1);
        if (last == '.' || last == '_' || last == ':') {
            throw new ProvisioningException(code, describe(what, id)
                    + " must not end with '" + last + "'; it must end with a letter, a digit or '-'.");
        }
    }

    private static void checkLength(String id, String what, ErrorCode code) {
        if (id == null || id.isEmpty()) {
            throw new ProvisioningException(code, "The " + what + " must not be empty.");
        }
        if (id.length() > MAX_LENGTH) {
            throw new ProvisioningException(code, describe(what, id) + " is " + id.length()
                    + " characters long; at most " + MAX_LENGTH + " are allowed.");
        }
    }

    private static void checkCharacters(String id, String specials, String what, ErrorCode code, String advice) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || specials.indexOf(c) >= 0;
            if (!allowed) {
                throw new ProvisioningException(code, describe(what, id) + " contains the character "
                        + describeChar(c) + " at position " + (i + 1) + ", which is not allowed; " + advice + ".");
            }
        }
    }

    /** "The registration id 'abc'" when the id is short printable ASCII, else "The registration id". */
    private static String describe(String what, String id) {
        return isEchoable(id) ? "The " + what + " '" + id + "'" : "The " + what;
    }

    private static boolean isEchoable(String id) {
        if (id.length() > MAX_ECHO_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static String describeChar(char c) {
        if (c > 0x20 && c < 0x7F) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }
}
