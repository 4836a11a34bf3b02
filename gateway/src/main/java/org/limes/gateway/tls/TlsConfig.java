package org.limes.gateway.tls;

/**
 * {@code tls:} — how a client connection is secured. Every file is PEM.
 *
 * @param caFile   certificates the server's chain must lead to; default: the JVM's trusted roots.
 *                 There is no option to trust every server.
 * @param certFile client certificate chain, for servers that require one (with {@code key_file})
 * @param keyFile  the client certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
 */
public record TlsConfig(String caFile, String certFile, String keyFile) {

    public TlsConfig {
        if (caFile != null && caFile.isBlank()) {
            throw new IllegalArgumentException("ca_file must not be blank");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("cert_file and key_file go together: give both or neither");
        }
    }
}
