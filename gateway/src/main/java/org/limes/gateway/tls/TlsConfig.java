package org.limes.gateway.tls;

import org.limes.gateway.config.CheckContext;

/**
 * {@code tls:} — how one link is secured, on either end. Every file is PEM. The same keys
 * serve a client link (a centre, the MQTT source's broker) and a listener (a TCP or HTTP
 * source); {@link #checkClient()} and {@link #checkServer()} say which keys each end takes.
 *
 * <p>As a client: {@code ca_file} is the only set of trust anchors (default: the JVM's
 * roots; there is no option to trust every server), {@code cert_file} + {@code key_file} a
 * client certificate for servers that ask for one.
 *
 * <p>As a listener: {@code cert_file} + {@code key_file} are the listener's own chain and
 * key (required); {@code client_ca_file} is the CA that signs device certificates (mutual
 * TLS), and {@code require_client_cert} refuses a device without one.
 *
 * @param caFile            client end: certificates the server's chain must lead to
 * @param certFile          this end's certificate chain
 * @param keyFile           this end's private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
 * @param clientCaFile      listener end: CA certificates that sign device certificates
 * @param requireClientCert listener end: refuse a device without a certificate signed by
 *                          {@code client_ca_file} (default true when {@code client_ca_file} is given)
 */
public record TlsConfig(String caFile, String certFile, String keyFile, String clientCaFile,
        Boolean requireClientCert) {

    public TlsConfig {
        blankCheck("ca_file", caFile);
        blankCheck("cert_file", certFile);
        blankCheck("key_file", keyFile);
        blankCheck("client_ca_file", clientCaFile);
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("cert_file and key_file go together: give both or neither");
        }
        requireClientCert = requireClientCert == null ? clientCaFile != null : requireClientCert;
        if (requireClientCert && clientCaFile == null) {
            throw new IllegalArgumentException("client_ca_file is required when require_client_cert is true");
        }
    }

    /** A client end: trust anchors and an optional client certificate. */
    public TlsConfig(String caFile, String certFile, String keyFile) {
        this(caFile, certFile, keyFile, null, null);
    }

    /** A listener end: its certificate and key, and optionally the CA of device certificates. */
    public static TlsConfig server(String certFile, String keyFile, String clientCaFile, Boolean requireClientCert) {
        return new TlsConfig(null, certFile, keyFile, clientCaFile, requireClientCert);
    }

    /** True when devices must present a certificate whose identity is an inventory device. */
    public boolean mutual() {
        return requireClientCert;
    }

    /**
     * For a client link: the listener-only keys are refused, so a misplaced key is not
     * silently ignored.
     *
     * @return this
     * @throws IllegalArgumentException naming the key, prefixed {@code tls.}
     */
    public TlsConfig checkClient() {
        if (clientCaFile != null || requireClientCert) {
            throw new IllegalArgumentException("tls.client_ca_file is for listeners; a client link takes ca_file "
                    + "(the server's CA), cert_file and key_file");
        }
        return this;
    }

    /**
     * For a listener: its certificate and key are required; {@code ca_file} is refused
     * (a listener's device CA is {@code client_ca_file}).
     *
     * @return this
     * @throws IllegalArgumentException naming the key, prefixed {@code tls.}
     */
    public TlsConfig checkServer() {
        if (certFile == null) {
            throw new IllegalArgumentException("tls.cert_file is required for a listener (with key_file)");
        }
        if (caFile != null) {
            throw new IllegalArgumentException("tls.ca_file is for client links; a listener names the CA of device "
                    + "certificates in client_ca_file");
        }
        return this;
    }

    /**
     * For a listener, against the inventory: with mutual TLS a device's certificate must name
     * an inventory device, so a listener that asks for one with no devices listed would refuse
     * every device.
     *
     * @param ctx at this {@code tls:} section
     * @throws org.limes.gateway.config.ConfigException at {@code tls.client_ca_file}
     */
    public void checkInventory(CheckContext ctx) {
        if (mutual() && ctx.inventory().devices().isEmpty()) {
            throw ctx.fail("client_ca_file", "needs inventory.devices: a device certificate must name an inventory "
                    + "device");
        }
    }

    private static void blankCheck(String key, String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be blank");
        }
    }
}
