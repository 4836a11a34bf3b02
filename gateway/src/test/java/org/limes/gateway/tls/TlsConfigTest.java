package org.limes.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.TestPki;

class TlsConfigTest {

    @TempDir
    Path dir;

    @Test
    void oneRecordServesBothEnds() throws Exception {
        TestPki pki = new TestPki(dir);
        Path[] server = pki.server();
        TlsConfig listener = TlsConfig.server(server[0].toString(), server[1].toString(), pki.caFile().toString(),
                null);
        assertThat(listener.mutual()).isTrue();
        assertThat(SslContextLoader.server(listener).isServer()).isTrue();
        assertThat(TlsConfig.server(server[0].toString(), server[1].toString(), null, null).mutual()).isFalse();
        TlsConfig client = new TlsConfig(pki.caFile().toString(), null, null);
        assertThat(client.checkClient()).isSameAs(client);
        assertThat(SslContextLoader.load(client)).isNotNull();
    }

    @Test
    void aKeyForTheOtherEndIsRefusedByName() {
        assertThatThrownBy(() -> TlsConfig.server("c.pem", "k.pem", "ca.pem", null).checkClient())
                .hasMessageStartingWith("tls.client_ca_file is for listeners");
        assertThatThrownBy(() -> new TlsConfig("ca.pem", "c.pem", "k.pem").checkServer())
                .hasMessageStartingWith("tls.ca_file is for client links");
        assertThatThrownBy(() -> new TlsConfig("ca.pem", null, null).checkServer())
                .hasMessageStartingWith("tls.cert_file is required for a listener");
        assertThatThrownBy(() -> TlsConfig.server("c.pem", "k.pem", null, true))
                .hasMessageStartingWith("client_ca_file is required when require_client_cert is true");
        assertThatThrownBy(() -> new TlsConfig(null, "c.pem", null))
                .hasMessageStartingWith("cert_file and key_file go together");
    }

    @Test
    void aMissingServerFileIsNamed() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> SslContextLoader.server(TlsConfig.server(missing.toString(), missing.toString(),
                null, null))).hasMessage("cert_file " + missing + " cannot be read: no such readable file");
    }
}
