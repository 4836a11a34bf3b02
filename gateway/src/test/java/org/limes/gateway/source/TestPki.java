package org.limes.gateway.source;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests: a CA, a server certificate for
 * 127.0.0.1/localhost and client certificates by common name, written as PEM files and
 * offered as client {@link SSLContext}s.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    public TestPki(Path dir) throws Exception {
        this.dir = dir;
        this.caKeys = keys();
        X500Name name = new X500Name("CN=Limes Test CA");
        X509v3CertificateBuilder b = builder(name, name, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        this.ca = sign(b, caKeys.getPrivate());
        write("ca.pem", ca);
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** Writes server.pem and server.key; returns their paths {cert, key}. */
    public Path[] server() throws Exception {
        KeyPair k = keys();
        X509v3CertificateBuilder b = builder(new X500Name("CN=Limes Test CA"), new X500Name("CN=localhost"), k);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        write("server.pem", sign(b, caKeys.getPrivate()));
        writeKey("server.key", k.getPrivate());
        return new Path[] {dir.resolve("server.pem"), dir.resolve("server.key")};
    }

    /**
     * Writes a client certificate with this CN, signed by this CA, and its key as PEM files
     * {@code CN.pem} and {@code CN.key} (a config's {@code tls.cert_file} and {@code key_file});
     * returns their paths {cert, key}.
     */
    public Path[] clientFiles(String commonName) throws Exception {
        KeyPair k = keys();
        X509Certificate cert = sign(builder(new X500Name("CN=Limes Test CA"), new X500Name("CN=" + commonName), k),
                caKeys.getPrivate());
        write(commonName + ".pem", cert);
        writeKey(commonName + ".key", k.getPrivate());
        return new Path[] {dir.resolve(commonName + ".pem"), dir.resolve(commonName + ".key")};
    }

    /** A client context presenting a certificate with this CN (null: none), trusting the CA. */
    public SSLContext client(String commonName) throws Exception {
        return client(commonName, this);
    }

    /** A client context presenting a certificate with this CN signed by this CA, trusting another's CA. */
    public SSLContext client(String commonName, TestPki trusting) throws Exception {
        KeyManagerFactory kmf = null;
        if (commonName != null) {
            KeyPair k = keys();
            X509Certificate cert = sign(builder(new X500Name("CN=Limes Test CA"), new X500Name("CN=" + commonName), k),
                    caKeys.getPrivate());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", k.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert, ca});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "pw".toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusting.ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair k) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                k.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private void write(String file, Object pem) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(pem);
        }
        Files.writeString(dir.resolve(file), out.toString());
    }

    private void writeKey(String file, PrivateKey key) throws Exception {
        write(file, new JcaPKCS8Generator(key, null).generate());
    }
}
