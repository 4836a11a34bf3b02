package org.limes.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SslContextLoaderTest {

    @TempDir
    Path dir;

    @Test
    void loadsACaAndAClientKeyInPkcs8Form() throws Exception {
        TestCertificates c = TestCertificates.selfSigned(dir, "centre");
        assertThat(Files.readString(c.keyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(SslContextLoader.load(new TlsConfig(c.certPem().toString(), c.certPem().toString(),
                c.keyPem().toString()))).isNotNull();
        assertThat(SslContextLoader.load(new TlsConfig(null, null, null))).isNotNull();
    }

    @Test
    void errorsNameTheKeyAndTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path notAKey = Files.writeString(dir.resolve("cert-as-key.pem"), Files.readString(
                TestCertificates.selfSigned(dir, "x").certPem()));
        assertThatThrownBy(() -> SslContextLoader.load(new TlsConfig(dir.resolve("missing.pem").toString(), null,
                null))).hasMessageStartingWith("ca_file " + dir.resolve("missing.pem") + " cannot be read");
        assertThatThrownBy(() -> SslContextLoader.load(new TlsConfig(empty.toString(), null, null)))
                .hasMessageStartingWith("ca_file " + empty + " holds no PEM certificate");
        assertThatThrownBy(() -> SslContextLoader.load(new TlsConfig(null, notAKey.toString(), notAKey.toString())))
                .hasMessageStartingWith("key_file " + notAKey + " holds no unencrypted PEM private key");
    }
}
