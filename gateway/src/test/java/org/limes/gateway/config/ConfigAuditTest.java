package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.tls.TestCertificates;
import picocli.CommandLine;

/** {@code check} and {@code run} audit every file a configuration names, and the settings that expose it. */
class ConfigAuditTest {

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(Drivers.load());

    private ConfigAudit.Findings audit(String yaml, boolean running) throws Exception {
        Path file = dir.resolve("gw.yml");
        Files.writeString(file, yaml);
        return ConfigAudit.audit(file.toString(), loader.load(file), running);
    }

    private Path secret(String name, String content) throws Exception {
        Path p = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    @Test
    void aMissingEmptyOrDirectorySecretFileIsAnErrorNamingThePathAndTheFile() throws Exception {
        Path missing = dir.resolve("nope.token");
        Path empty = secret("empty.token", "\n");
        ConfigAudit.Findings f = audit("admin: {token_file: " + missing + "}\n"
                + "sources: [{type: http, name: cams, port: 0, drivers: [{driver: counter-json}], token_file: "
                + empty + "}]\n"
                + "store: {pseudonymise_plates: {key_file: " + dir + "}}\n", false);
        assertThat(f.errors()).containsExactly(
                dir.resolve("gw.yml") + ": store.pseudonymise_plates.key_file names " + dir
                        + ", which is not a regular file",
                dir.resolve("gw.yml") + ": admin.token_file names " + missing + ", which does not exist",
                dir.resolve("gw.yml") + ": sources[0].token_file names " + empty + ", which is empty");
    }

    @Test
    void aWorldReadableSecretIsAWarningAndAGoodOneIsQuiet() throws Exception {
        Path token = secret("admin.token", "s3cret-admin-token");
        assertThat(audit("admin: {token_file: " + token + "}\n", false)).isEqualTo(
                new ConfigAudit.Findings(java.util.List.of(), java.util.List.of()));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigAudit.Findings f = audit("admin: {token_file: " + token + "}\n", false);
        assertThat(f.errors()).isEmpty();
        assertThat(f.warnings()).singleElement().asString().contains("admin.token_file").contains("chmod 600");
    }

    @Test
    void anUnsetVariableWarnsOnCheckAndStopsRun() throws Exception {
        String yaml = "admin: {token_env: LIMES_TEST_SURELY_UNSET_VARIABLE}\n";
        assertThat(audit(yaml, false).warnings()).singleElement().asString().contains("admin.token_env");
        assertThat(audit(yaml, true).errors()).singleElement().asString().contains("admin.token_env")
                .contains("LIMES_TEST_SURELY_UNSET_VARIABLE");
    }

    @Test
    void aTlsKeyThatDoesNotMatchItsCertificateIsRefused() throws Exception {
        TestCertificates a = TestCertificates.selfSigned(dir, "gw-a");
        TestCertificates b = TestCertificates.selfSigned(dir, "gw-b");
        String source = "sources: [{type: tcp, name: t, port: 0, driver: counter-json, tls: {cert_file: %s, "
                + "key_file: %s}}]\n";
        Files.setPosixFilePermissions(a.keyPem(), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(b.keyPem(), PosixFilePermissions.fromString("rw-------"));
        assertThat(audit(source.formatted(a.certPem(), a.keyPem()), false).errors()).isEmpty();
        assertThat(audit(source.formatted(a.certPem(), b.keyPem()), false).errors()).singleElement().asString()
                .contains("sources[0].tls").contains("does not match the certificate");
    }

    @Test
    void settingsThatExposeTheGatewayAreRefusedOrWarned() throws Exception {
        Path token = secret("hook.token", "t0ken");
        ConfigAudit.Findings f = audit("""
                admin: {host: 0.0.0.0}
                store: {kind: embedded, host: 0.0.0.0}
                centres:
                  - {name: a, type: webhook, url: 'https://user:pw@centre.example/alerts'}
                  - {name: b, type: webhook, url: 'http://10.9.8.7/alerts', allow_insecure_http: true,
                     token_file: %s}
                  - {name: c, type: webhook, url: 'http://127.0.0.1:9/alerts', allow_insecure_http: true}
                """.formatted(token), false);
        assertThat(f.errors()).hasSize(3);
        assertThat(f.errors().get(0)).contains("store.host is 0.0.0.0").contains("SQL console");
        assertThat(f.errors().get(1)).contains("admin.host is 0.0.0.0 without a token");
        assertThat(f.errors().get(2)).contains("centres[0].url carries a user name and password")
                .doesNotContain("user:pw");
        assertThat(f.warnings()).singleElement().asString().contains("centres[1].url is plain http:// to 10.9.8.7");
    }

    @Test
    void checkPrintsEveryFindingAndRunStopsBeforeStartingAnything() throws Exception {
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("gw.yml"), "data_dir: " + data + "\nadmin: {token_file: "
                + dir.resolve("missing.token") + "}\n");
        String expected = config + ": admin.token_file names " + dir.resolve("missing.token")
                + ", which does not exist";

        Run check = run("check", "--config", config.toString());
        assertThat(check.code).isEqualTo(2);
        assertThat(check.err).contains(expected).doesNotContain("Exception");

        Run run = run("run", "--config", config.toString());
        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains(expected).doesNotContain("Exception");
        assertThat(data).as("nothing started, nothing created").doesNotExist();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new org.limes.gateway.Main()).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
