package dev.opendps.domain.x509;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.X509CertificateInfo;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Parses the certificates of X.509 attestations (dps-protocol.md §4.4): a PEM block or bare base64 DER.
 * Failures are {@link ErrorCode#INVALID_CERTIFICATE}.
 */
public final class CertificateParser {
    /** Upper bound on accepted input, far above any sensible certificate. */
    public static final int MAX_INPUT_CHARS = 64 * 1024;
    /** The header in which App Service (ARR) and the local host hand the TLS client certificate to a function. */
    public static final String CLIENT_CERTIFICATE_HEADER = "X-ARR-ClientCert";

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";
    private static final String PEM_MARKER = "-----BEGIN";
    private static final int PEM_LINE = 64;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Attribute keywords as .NET's {@code X500DistinguishedName.Name} prints them, beyond RFC 1779's own. */
    private static final Map<String, String> DOTNET_KEYWORDS = Map.of(
            "1.2.840.113549.1.9.1", "E",
            "2.5.4.8", "S",
            "0.9.2342.19200300.100.1.25", "DC",
            "2.5.4.5", "SERIALNUMBER",
            "2.5.4.4", "SN",
            "2.5.4.42", "G",
            "2.5.4.12", "T",
            "2.5.4.43", "I");

    private CertificateParser() {
    }

    /**
     * Parses one certificate given as PEM (a single {@code CERTIFICATE} block, only whitespace around it) or as bare
     * base64 of the DER encoding.
     *
     * @throws ProvisioningException {@link ErrorCode#INVALID_CERTIFICATE} for empty input, private key material,
     *                               anything that is not exactly one X.509 certificate
     */
    public static ParsedCertificate parse(String certificate) {
        if (certificate == null || certificate.isBlank()) {
            throw invalid("The certificate is empty.");
        }
        if (certificate.length() > MAX_INPUT_CHARS) {
            throw invalid("The certificate is longer than " + MAX_INPUT_CHARS + " characters.");
        }
        if (certificate.toUpperCase(Locale.ROOT).contains("PRIVATE KEY")) {
            throw invalid("The input contains private key material; private keys must never be sent to the "
                    + "provisioning service. Send only the certificate.");
        }
        String text = certificate.strip();
        byte[] der = text.contains(PEM_MARKER) ? pemToDer(text) : base64ToDer(text);
        X509Certificate x509 = decode(der);
        return new ParsedCertificate(x509, toPem(der), info(x509, der), commonName(x509));
    }

    /**
     * Parses the TLS client certificate as it reaches a function in {@link #CLIENT_CERTIFICATE_HEADER} (dps-protocol.md
     * §2.2): App Service sends the leaf as bare base64 DER. Whitespace is tolerated and PEM is accepted too, also
     * percent-encoded PEM as reverse proxies such as nginx ({@code $ssl_client_escaped_cert}) forward it.
     *
     * @throws ProvisioningException {@link ErrorCode#INVALID_CERTIFICATE} when the header is empty or does not hold
     *                               exactly one X.509 certificate; the message names the header
     */
    public static ParsedCertificate parseClientCertificateHeader(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            throw invalid("The " + CLIENT_CERTIFICATE_HEADER + " header holds no client certificate.");
        }
        if (headerValue.length() > MAX_INPUT_CHARS) {
            throw invalid("The " + CLIENT_CERTIFICATE_HEADER + " header is longer than " + MAX_INPUT_CHARS
                    + " characters.");
        }
        String text = headerValue.strip();
        // Base64 never contains '%', so a '%' after a PEM marker can only be percent-encoding; "BEGIN+" is
        // form-encoding, where '+' is a space and a base64 '+' arrives as %2B.
        if (text.startsWith(PEM_MARKER) && text.indexOf('%') >= 0) {
            boolean formEncoded = text.startsWith(PEM_MARKER + "+");
            text = percentDecode(formEncoded ? text.replace('+', ' ') : text);
        }
        try {
            return parse(text);
        } catch (ProvisioningException e) {
            String reason = e.getMessage();
            throw invalid("The client certificate in the " + CLIENT_CERTIFICATE_HEADER + " header is invalid: "
                    + Character.toLowerCase(reason.charAt(0)) + reason.substring(1));
        }
    }

    /** Decodes %XX escapes only: a '+' left here is a base64 character, not an encoded space. */
    private static String percentDecode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || !HexFormat.isHexDigit(text.charAt(i + 1))
                        || !HexFormat.isHexDigit(text.charAt(i + 2))) {
                    throw invalid("The " + CLIENT_CERTIFICATE_HEADER + " header has a malformed percent-encoding.");
                }
                out.append((char) HexFormat.fromHexDigits(text, i + 1, i + 3));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The base64 DER encoding inside a PEM block, e.g. one {@link #parse} normalized; as strict as {@link #parse}. */
    public static String base64Der(String pem) {
        if (pem == null || !pem.strip().startsWith(BEGIN)) {
            throw invalid("The certificate is not a PEM block.");
        }
        return Base64.getEncoder().encodeToString(pemToDer(pem.strip()));
    }

    private static byte[] pemToDer(String text) {
        if (!text.startsWith(BEGIN)) {
            throw invalid(text.startsWith(PEM_MARKER)
                    ? "The PEM block is not a CERTIFICATE."
                    : "The certificate has unexpected text before its PEM block.");
        }
        int bodyStart = BEGIN.length();
        int endAt = text.indexOf(END, bodyStart);
        if (endAt < 0) {
            throw invalid("The PEM block has no '" + END + "' line.");
        }
        int nextBegin = text.indexOf(PEM_MARKER, bodyStart);
        if (nextBegin >= 0 && nextBegin < endAt) {
            throw invalid("The PEM block is not terminated before the next one begins.");
        }
        String after = text.substring(endAt + END.length());
        if (!after.isBlank()) {
            throw invalid(after.contains(PEM_MARKER)
                    ? "Only one certificate may be given, not a chain."
                    : "The certificate has unexpected text after its PEM block.");
        }
        return base64ToDer(text.substring(bodyStart, endAt));
    }

    private static byte[] base64ToDer(String base64) {
        StringBuilder compact = new StringBuilder(base64.length());
        for (int i = 0; i < base64.length(); i++) {
            char c = base64.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                compact.append(c);
            }
        }
        if (compact.length() == 0) {
            throw invalid("The certificate is empty.");
        }
        try {
            return Base64.getDecoder().decode(compact.toString());
        } catch (IllegalArgumentException e) {
            throw invalid("The certificate is neither PEM nor base64-encoded DER.");
        }
    }

    private static X509Certificate decode(byte[] der) {
        ByteArrayInputStream in = new ByteArrayInputStream(der);
        Certificate certificate;
        try {
            certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException | RuntimeException e) {
            throw invalid("The data is not an X.509 certificate.");
        }
        if (in.available() > 0) {
            throw invalid("The data holds more than one certificate or trailing bytes; send exactly one certificate.");
        }
        if (!(certificate instanceof X509Certificate)) {
            throw invalid("The data is not an X.509 certificate.");
        }
        X509Certificate x509 = (X509Certificate) certificate;
        byte[] encoded;
        try {
            encoded = x509.getEncoded();
        } catch (CertificateEncodingException e) {
            throw invalid("The data is not an X.509 certificate.");
        }
        if (!MessageDigest.isEqual(encoded, der)) {
            throw invalid("The data is not a DER-encoded X.509 certificate.");
        }
        return x509;
    }

    private static String toPem(byte[] der) {
        String base64 = Base64.getEncoder().encodeToString(der);
        StringBuilder pem = new StringBuilder(base64.length() + base64.length() / PEM_LINE + 64);
        pem.append(BEGIN).append('\n');
        for (int i = 0; i < base64.length(); i += PEM_LINE) {
            pem.append(base64, i, Math.min(base64.length(), i + PEM_LINE)).append('\n');
        }
        return pem.append(END).append('\n').toString();
    }

    private static X509CertificateInfo info(X509Certificate x509, byte[] der) {
        return new X509CertificateInfo(
                distinguishedName(x509.getSubjectX500Principal()),
                HEX.formatHex(digest("SHA-1", der)),
                HEX.formatHex(digest("SHA-256", der)),
                distinguishedName(x509.getIssuerX500Principal()),
                x509.getNotBefore().toInstant(),
                x509.getNotAfter().toInstant(),
                HEX.formatHex(x509.getSerialNumber().toByteArray()),
                x509.getVersion());
    }

    /** "CN=…, OU=…, O=…, C=US": most specific RDN first, as .NET's {@code X500DistinguishedName.Name}. */
    static String distinguishedName(X500Principal principal) {
        return principal.getName(X500Principal.RFC1779, DOTNET_KEYWORDS);
    }

    /** The first CN of the subject in DER order, or null when there is none or it is not a string. */
    private static String commonName(X509Certificate x509) {
        LdapName name;
        try {
            name = new LdapName(x509.getSubjectX500Principal().getName(X500Principal.RFC2253));
        } catch (InvalidNameException e) {
            return null;
        }
        // LdapName lists RDNs right to left, which for RFC 2253 output is the DER order.
        for (Rdn rdn : name.getRdns()) {
            if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String value) {
                return value;
            }
        }
        return null;
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    private static ProvisioningException invalid(String message) {
        return new ProvisioningException(ErrorCode.INVALID_CERTIFICATE, message);
    }
}
