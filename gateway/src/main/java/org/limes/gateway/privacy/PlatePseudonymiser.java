package org.limes.gateway.privacy;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.limes.drivers.Reading;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.rules.Alert;

/**
 * Replaces the {@code plate} field of a reading, and the plates in an alert, with a keyed
 * hash, for a destination that must not hold plain plates:
 *
 * <pre>
 * plate' = hex(HMAC-SHA256(key, normalise(plate)))        64 lower-case hex digits
 * normalise: Unicode NFKC, upper case, every character that is not a letter or digit removed
 * </pre>
 *
 * <p>Worked example: {@code "5-123 456"} and {@code "5123456"} normalise to {@code 5123456},
 * so both hash to the same value; whoever holds the key can hash a watchlist plate the same
 * way and look it up, whoever does not cannot reverse or test guesses against the stored
 * hashes. The rules see the plain plate (pseudonymisation happens when a destination's
 * record is encoded), so watchlist matching on the gateway is unaffected.
 *
 * <p>Threading: {@link #apply} is thread-safe (a {@link Mac} per thread).
 */
public final class PlatePseudonymiser {

    /** The reading field that holds a plate, in every camera driver. */
    public static final String PLATE = "plate";
    /** The watchlist alert's tag holding the plate as matched (normalised). */
    public static final String MATCH = "match";
    private static final int MIN_KEY_CHARS = 32;

    private final ThreadLocal<Mac> mac;

    public PlatePseudonymiser(byte[] key) {
        if (key.length < MIN_KEY_CHARS) {
            throw new IllegalArgumentException("the pseudonymisation key must be at least " + MIN_KEY_CHARS
                    + " bytes");
        }
        SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /**
     * Reads the key named by the config.
     *
     * @throws IllegalArgumentException naming the file or variable (never the key) when it
     *                                  cannot be read or is too short
     */
    public static PlatePseudonymiser from(PseudonymiseConfig config) {
        String key = Secrets.read(config.keyFile(), config.keyEnv());
        if (key.length() < MIN_KEY_CHARS) {
            throw new IllegalArgumentException("the key in " + (config.keyFile() != null ? "key_file "
                    + config.keyFile() : "key_env " + config.keyEnv()) + " is shorter than " + MIN_KEY_CHARS
                    + " characters");
        }
        return new PlatePseudonymiser(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The reading with its plate hashed; the same reading when it has no plate. */
    public Reading apply(Reading r) {
        if (!(r.fields().get(PLATE) instanceof String plate)) {
            return r;
        }
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.put(PLATE, hash(plate));
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }

    /**
     * The alert with its plates hashed, for a destination that must not hold plain plates: a
     * watchlist hit's subject (the normalised plate), the ids built from it, and its
     * {@code plate} and {@code match} tags. Alerts without plates come back unchanged.
     */
    public Alert apply(Alert a) {
        boolean plateSubject = PLATE.equals(a.subjectKind());
        if (!plateSubject && !a.tags().containsKey(PLATE) && !a.tags().containsKey(MATCH)) {
            return a;
        }
        String subject = plateSubject ? hash(a.subject()) : a.subject();
        String alertId = plateSubject ? a.alertId().replace(a.subject(), subject) : a.alertId();
        TreeMap<String, String> tags = new TreeMap<>(a.tags());
        tags.computeIfPresent(PLATE, (k, v) -> hash(v));
        tags.computeIfPresent(MATCH, (k, v) -> hash(v));
        return a.toBuilder().alertId(alertId).subject(subject).tags(tags).build();
    }

    /** The pseudonym of one plate. */
    public String hash(String plate) {
        return HexFormat.of().formatHex(mac.get().doFinal(normalise(plate).getBytes(StandardCharsets.UTF_8)));
    }

    static String normalise(String plate) {
        String n = Normalizer.normalize(plate, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(n.length());
        n.codePoints().filter(Character::isLetterOrDigit).forEach(sb::appendCodePoint);
        return sb.toString();
    }
}
