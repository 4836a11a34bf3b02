package org.limes.gateway.source;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.limes.gateway.config.Require;

/**
 * {@code tls:} of a TCP or HTTP listener: the server's certificate chain and key (PEM), and
 * optionally the CA whose certificates devices present (mutual TLS).
 *
 * @param certFile          PEM certificate chain of the listener
 * @param keyFile           PEM PKCS#8 private key of the listener
 * @param clientCaFile      PEM CA certificates that sign device certificates; optional
 * @param requireClientCert when true a device without a certificate signed by
 *                          {@code client_ca_file} is refused (default true when
 *                          {@code client_ca_file} is given)
 */
public record TlsConfig(String certFile, String keyFile, String clientCaFile, Boolean requireClientCert) {

    public TlsConfig {
        Require.nonBlank("cert_file", certFile);
        Require.nonBlank("key_file", keyFile);
        requireClientCert = requireClientCert == null ? clientCaFile != null : requireClientCert;
        if (requireClientCert && clientCaFile == null) {
            throw new IllegalArgumentException("client_ca_file is required when require_client_cert is true");
        }
    }

    /** True when devices must present a certificate whose identity is an inventory device. */
    public boolean mutual() {
        return requireClientCert;
    }

    /**
     * Reads the files and builds the server context (JDK provider).
     *
     * @throws IllegalArgumentException naming the file that is missing or not usable
     */
    public SslContext serverContext() {
        for (String f : new String[] {certFile, keyFile, clientCaFile}) {
            if (f != null && !Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException("tls file " + f + " does not exist or cannot be read");
            }
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(new File(certFile), new File(keyFile));
            if (clientCaFile != null) {
                b.trustManager(new File(clientCaFile));
                b.clientAuth(requireClientCert ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls files " + certFile + " / " + keyFile + " are not a usable PEM "
                    + "certificate chain and PKCS#8 key: " + e.getMessage(), e);
        }
    }
}
