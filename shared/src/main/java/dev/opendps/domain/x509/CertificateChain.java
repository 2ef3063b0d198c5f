package dev.opendps.domain.x509;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Orders the certificates that may lie above a device's leaf (dps-protocol.md §2.2): the pool mixes an enrollment
 * group's signing certificates, the instance's verified CA certificates and whatever the device sent in the TLS
 * handshake, so any of them may be irrelevant, repeated or forged.
 *
 * <p>The issuer of a certificate is a pool certificate whose subject equals its issuer name and whose public key
 * verifies its signature; a name alone never links two certificates. Building stops at a self-signed certificate,
 * when no issuer is found, or after {@link #MAX_LENGTH} certificates. Building checks no dates or extensions:
 * that is {@link CertificatePathValidator}'s job once the caller has found the certificate it trusts.
 */
public final class CertificateChain {
    /** The longest chain built, leaf included; real device chains have two to four certificates. */
    public static final int MAX_LENGTH = 10;

    private CertificateChain() {
    }

    /** {@link #build(X509Certificate, Collection, Instant)} without a preference for currently valid issuers. */
    public static List<X509Certificate> build(X509Certificate leaf, Collection<X509Certificate> pool) {
        return build(leaf, pool, null);
    }

    /**
     * Builds the chain upward from the leaf.
     *
     * <p>When several pool certificates could issue the same certificate (a CA re-issued with the same key, or
     * duplicates), the one whose subject key identifier matches the authority key identifier wins, then one valid
     * at {@code now} (if given), then the one that comes first in the pool: callers put the certificates they trust
     * most first.
     *
     * @param leaf the device's certificate
     * @param pool candidate issuers in any order; nulls, duplicates and the leaf itself are ignored
     * @param now  prefer issuers valid at this instant; null for no preference
     * @return an unmodifiable list, leaf first, each certificate followed by its issuer
     */
    public static List<X509Certificate> build(X509Certificate leaf, Collection<X509Certificate> pool, Instant now) {
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(pool, "pool");
        Set<X509Certificate> candidates = new LinkedHashSet<>();
        for (X509Certificate certificate : pool) {
            if (certificate != null) {
                candidates.add(certificate);
            }
        }
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        X509Certificate current = leaf;
        while (chain.size() < MAX_LENGTH && !isSelfSigned(current)) {
            X509Certificate issuer = findIssuer(current, candidates, chain, now);
            if (issuer == null) {
                break;
            }
            chain.add(issuer);
            current = issuer;
        }
        return Collections.unmodifiableList(chain);
    }

    /** True when the certificate names itself as issuer and its own key verifies its signature. */
    public static boolean isSelfSigned(X509Certificate certificate) {
        return certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())
                && verifies(certificate, certificate.getPublicKey());
    }

    /** True when the key verifies the certificate's signature; any failure (wrong key type, bad data) is false. */
    static boolean verifies(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static X509Certificate findIssuer(X509Certificate subject, Set<X509Certificate> candidates,
            List<X509Certificate> chain, Instant now) {
        byte[] authorityKeyId = KeyIdentifiers.authorityKeyIdentifier(subject);
        X509Certificate best = null;
        int bestScore = -1;
        for (X509Certificate candidate : candidates) {
            // The chain so far is excluded, which stops loops of any length.
            if (chain.contains(candidate)
                    || !candidate.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
                continue;
            }
            int score = score(candidate, authorityKeyId, now);
            if (score > bestScore && verifies(subject, candidate.getPublicKey())) {
                best = candidate;
                bestScore = score;
            }
        }
        return best;
    }

    private static int score(X509Certificate candidate, byte[] authorityKeyId, Instant now) {
        int score = 0;
        if (authorityKeyId != null
                && Arrays.equals(authorityKeyId, KeyIdentifiers.subjectKeyIdentifier(candidate))) {
            score += 2;
        }
        if (now != null && !now.isBefore(candidate.getNotBefore().toInstant())
                && !now.isAfter(candidate.getNotAfter().toInstant())) {
            score += 1;
        }
        return score;
    }
}
