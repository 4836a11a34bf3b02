package org.limes.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Builds TLS contexts from a {@link TlsConfig}, for both ends of a link.
 *
 * <p>{@link #load}: a client {@link SSLContext}, with the configured CA certificates (or
 * the JVM's roots) as the only trust anchors and the client certificate and key when given.
 * Server certificates are always verified; host names are checked by the client using the
 * context (HttpClient, Paho and the CoT sink all do).
 *
 * <p>{@link #server}: a Netty server {@link SslContext} for a TCP or HTTP listener, with
 * {@code client_ca_file} as the only anchors for device certificates when given.
 *
 * <p>Reads files once, at start-up; errors name the key and the file. Stateless and
 * thread-safe.
 */
public final class SslContextLoader {

    private static final char[] IN_MEMORY = new char[0];

    private SslContextLoader() {
    }

    public static SSLContext load(TlsConfig tls) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.caFile() == null) {
                trust.init((KeyStore) null);
            } else {
                KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                anchors.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates("ca_file", tls.caFile())) {
                    anchors.setCertificateEntry("ca-" + i++, ca);
                }
                trust.init(anchors);
            }
            KeyManagerFactory keys = null;
            if (tls.certFile() != null) {
                List<X509Certificate> chain = certificates("cert_file", tls.certFile());
                KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
                identity.load(null, null);
                identity.setKeyEntry("client", privateKey(tls.keyFile()), IN_MEMORY,
                        chain.toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, IN_MEMORY);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls cannot be set up: " + e.getMessage(), e);
        }
    }

    /**
     * The server context of a listener; its {@code tls} must have passed
     * {@link TlsConfig#checkServer()}.
     *
     * @throws IllegalArgumentException naming the key and file that is missing or not usable
     */
    public static SslContext server(TlsConfig tls) {
        tls.checkServer();
        List<X509Certificate> chain = certificates("cert_file", tls.certFile());
        PrivateKey key = privateKey(tls.keyFile());
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]));
            if (tls.clientCaFile() != null) {
                b.trustManager(certificates("client_ca_file", tls.clientCaFile()).toArray(new X509Certificate[0]));
                b.clientAuth(tls.requireClientCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("tls files " + tls.certFile() + " / " + tls.keyFile()
                    + " are not a usable certificate chain and key: " + e.getMessage(), e);
        }
    }

    /**
     * Reads every file of {@code tls} as {@link #load} and {@link #server} would, and checks
     * that the private key belongs to the first certificate of the chain (a key and a
     * certificate that do not match fail only at the first handshake otherwise). For
     * {@code check} and before {@code run} starts anything.
     *
     * @throws IllegalArgumentException naming the key and the file at fault
     */
    public static void verify(TlsConfig tls) {
        if (tls.caFile() != null) {
            certificates("ca_file", tls.caFile());
        }
        if (tls.clientCaFile() != null) {
            certificates("client_ca_file", tls.clientCaFile());
        }
        if (tls.certFile() == null) {
            return;
        }
        X509Certificate leaf = certificates("cert_file", tls.certFile()).get(0);
        PrivateKey key = privateKey(tls.keyFile());
        if (!matches(key, leaf.getPublicKey())) {
            throw new IllegalArgumentException("key_file " + tls.keyFile() + " does not match the certificate in "
                    + "cert_file " + tls.certFile() + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
    }

    /** Whether {@code key} is the private half of {@code pub}: a signature made with one verifies with the other. */
    private static boolean matches(PrivateKey key, java.security.PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return true; // a key type we cannot test; the handshake will tell
        }
        try {
            byte[] probe = "limes key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            java.security.Signature check = java.security.Signature.getInstance(algorithm);
            check.initVerify(pub);
            check.update(probe);
            return check.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static List<X509Certificate> certificates(String key, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(key + " " + file + " cannot be read: no such readable file");
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : read) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(key + " " + file + " holds no PEM certificate");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + " " + file + " cannot be read as PEM certificates: "
                    + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(String file) {
        try (Reader in = Files.newBufferedReader(Path.of(file)); PEMParser pem = new PEMParser(in)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return pair.getPublicKeyInfo() != null ? converter.getKeyPair(pair).getPrivate()
                        : converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("key_file " + file + " holds no unencrypted PEM private key"
                    + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException("key_file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
