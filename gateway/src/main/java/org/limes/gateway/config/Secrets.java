package org.limes.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a secret from a file or an environment variable, never from the config file
 * itself. The secret's value never appears in an error message.
 */
public final class Secrets {

    private Secrets() {
    }

    /**
     * @param file    path of a file holding the secret (trailing whitespace trimmed), or null
     * @param envName name of an environment variable holding it, or null
     */
    public static String read(String file, String envName) {
        if (file != null) {
            try {
                String s = Files.readString(Path.of(file)).strip();
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("secret file " + file + " is empty");
                }
                return s;
            } catch (IOException e) {
                throw new IllegalArgumentException("secret file " + file + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (envName != null) {
            String s = System.getenv(envName);
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("environment variable " + envName + " is not set");
            }
            return s.strip();
        }
        throw new IllegalArgumentException("no secret source given");
    }
}
