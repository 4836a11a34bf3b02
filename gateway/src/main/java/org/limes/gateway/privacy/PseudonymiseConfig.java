package org.limes.gateway.privacy;

/**
 * {@code pseudonymise_plates:} of a destination — the HMAC key whose hashes replace plates.
 * The key is read from a file or an environment variable, never written inline.
 *
 * @param keyFile a file holding the key (at least 32 characters; trailing whitespace trimmed)
 * @param keyEnv  an environment variable holding it
 */
public record PseudonymiseConfig(String keyFile, String keyEnv) {

    public PseudonymiseConfig {
        if ((keyFile == null) == (keyEnv == null)) {
            throw new IllegalArgumentException("key_file or key_env (exactly one) is required; keys are never "
                    + "written inline");
        }
    }
}
