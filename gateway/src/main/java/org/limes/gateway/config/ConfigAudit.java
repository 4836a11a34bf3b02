package org.limes.gateway.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.limes.gateway.http.AdminConfig;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.sink.centre.CotCentreConfig;
import org.limes.gateway.sink.centre.SapientCentreConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.centre.WebhookCentreConfig;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.tls.SslContextLoader;
import org.limes.gateway.tls.TlsConfig;

/**
 * What a parsed configuration needs from the host it runs on, checked before anything
 * starts, by {@code check} and by {@code run} alike: every file it names (tokens,
 * passwords, keys, certificates) exists, is a readable regular file and holds what it
 * should (a TLS key matches its certificate); and the settings that would expose the
 * gateway. The parser ({@link ConfigLoader}) checks the shape of a configuration; this
 * checks it against the host, so a configuration can be parsed anywhere (tests, CI) and
 * audited where it runs.
 *
 * <p>Refused (errors): a named file missing, unreadable or empty; a TLS key that does not
 * match its certificate; a webhook URL carrying {@code user:password@}; the admin port on a
 * non-loopback address without a token; the embedded store (whose HTTP port is an
 * unauthenticated SQL console) on a non-loopback address. Warned: a secret file other users
 * of the host can read; {@code allow_insecure_http} to a host other than this one; with
 * {@code check} only, a secret's environment variable not set here ({@code run} refuses it).
 *
 * <p>Each finding reads like a {@link ConfigException}: {@code gateway.yml: admin.token_file
 * names /etc/limes/admin.token, which does not exist}. Stateless.
 */
public final class ConfigAudit {

    /**
     * @param errors   findings that stop {@code check} (exit 2) and {@code run} before it starts anything
     * @param warnings findings worth an operator's look that a real deployment may need
     */
    public record Findings(List<String> errors, List<String> warnings) {
        public Findings {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    private final String file;
    private final boolean running;
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigAudit(String file, boolean running) {
        this.file = file;
        this.running = running;
    }

    /**
     * @param file    the configuration file, for the messages
     * @param running true for {@code run} (the environment is the one it runs in, so an
     *                unset variable is an error), false for {@code check}
     */
    public static Findings audit(String file, GatewayConfig c, boolean running) {
        ConfigAudit a = new ConfigAudit(file, running);
        a.walk(c);
        return new Findings(a.errors, a.warnings);
    }

    private void walk(GatewayConfig c) {
        StoreConfig store = c.store();
        if (store.embedded()) {
            if (!loopback(store.host())) {
                error("store.host", "is " + store.host() + ", but the embedded store's HTTP port is an "
                        + "unauthenticated SQL console: bind it to 127.0.0.1 (the default) and reach it through an "
                        + "SSH tunnel or an authenticating proxy");
            }
        } else {
            secret("store", "token", store.tokenFile(), store.tokenEnv());
        }
        pseudonymise("store.pseudonymise_plates", store.pseudonymisePlates());

        AdminConfig admin = c.admin();
        secret("admin", "token", admin.tokenFile(), admin.tokenEnv());
        if (!admin.authenticated() && !loopback(admin.host())) {
            error("admin.host", "is " + admin.host() + " without a token: the admin API serves pictures and "
                    + "reloads rules; set admin.token_file (or token_env), or bind it to 127.0.0.1");
        }

        for (int i = 0; i < c.sources().size(); i++) {
            SourceConfig s = c.sources().get(i);
            String at = "sources[" + i + "]";
            if (s instanceof MqttSourceConfig m) {
                secret(at, "password", m.passwordFile(), m.passwordEnv());
                tls(at + ".tls", m.tls());
            } else if (s instanceof HttpSourceConfig h) {
                secret(at, "token", h.tokenFile(), h.tokenEnv());
                tls(at + ".tls", h.tls());
            } else if (s instanceof TcpSourceConfig t) {
                tls(at + ".tls", t.tls());
            }
        }

        for (int i = 0; i < c.centres().size(); i++) {
            CentreConfig centre = c.centres().get(i);
            String at = "centres[" + i + "]";
            if (centre instanceof MqttCentreConfig m) {
                secret(at, "password", m.passwordFile(), m.passwordEnv());
                tls(at + ".tls", m.tls());
            } else if (centre instanceof WebhookCentreConfig w) {
                secret(at, "token", w.tokenFile(), w.tokenEnv());
                tls(at + ".tls", w.tls());
                webhookUrl(at + ".url", w);
            } else if (centre instanceof CotCentreConfig t) {
                tls(at + ".tls", t.tls());
            } else if (centre instanceof SapientCentreConfig sc) {
                tls(at + ".tls", sc.tls());
            }
            pseudonymise(at + ".pseudonymise_plates", centre.pseudonymisePlates());
        }
    }

    private void webhookUrl(String at, WebhookCentreConfig w) {
        URI uri = URI.create(w.url());
        if (uri.getRawUserInfo() != null) {
            error(at, "carries a user name and password (user:password@): a secret never goes in the config "
                    + "file or a URL that is logged; use token_file (a bearer token) instead");
        }
        if (w.allowInsecureHttp() && "http".equalsIgnoreCase(uri.getScheme()) && !loopback(uri.getHost())) {
            warning(at, "is plain http:// to " + uri.getHost() + " (allow_insecure_http): alerts, plates and the "
                    + "token cross the network readable; use https:// unless the link is otherwise protected");
        }
    }

    private void pseudonymise(String at, PseudonymiseConfig p) {
        if (p == null) {
            return;
        }
        if (secret(at, "key", p.keyFile(), p.keyEnv())) {
            try {
                PlatePseudonymiser.from(p);
            } catch (IllegalArgumentException e) {
                error(at + (p.keyFile() != null ? ".key_file" : ".key_env"), e.getMessage());
            }
        }
    }

    private void tls(String at, TlsConfig tls) {
        if (tls == null) {
            return;
        }
        boolean readable = file(at + ".ca_file", tls.caFile(), false)
                & file(at + ".client_ca_file", tls.clientCaFile(), false)
                & file(at + ".cert_file", tls.certFile(), false)
                & file(at + ".key_file", tls.keyFile(), true);
        if (readable) {
            try {
                SslContextLoader.verify(tls);
            } catch (IllegalArgumentException e) {
                error(at, e.getMessage());
            }
        }
    }

    /** A secret from {@code <name>_file} or {@code <name>_env}; true when it can be read. */
    private boolean secret(String owner, String name, String path, String env) {
        if (path != null) {
            return file(owner + "." + name + "_file", path, true);
        }
        if (env != null) {
            String v = System.getenv(env);
            if (v == null || v.isBlank()) {
                String problem = "names environment variable " + env + ", which is not set here";
                if (running) {
                    error(owner + "." + name + "_env", problem);
                } else {
                    warning(owner + "." + name + "_env", problem + " (run will refuse to start without it)");
                }
                return false;
            }
        }
        return true;
    }

    /** A named file: a readable, non-empty regular file; a secret one readable by its owner only. */
    private boolean file(String at, String name, boolean secret) {
        if (name == null) {
            return true;
        }
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            error(at, "names " + name + ", which does not exist");
            return false;
        }
        if (!Files.isRegularFile(p)) {
            error(at, "names " + name + ", which is not a regular file");
            return false;
        }
        try {
            if (Files.readString(p).isBlank()) {
                error(at, "names " + name + ", which is empty");
                return false;
            }
        } catch (AccessDeniedException e) {
            error(at, "names " + name + ", which this user cannot read (permission denied)");
            return false;
        } catch (NoSuchFileException e) {
            error(at, "names " + name + ", which does not exist");
            return false;
        } catch (IOException e) {
            error(at, "names " + name + ", which cannot be read: " + e.getMessage());
            return false;
        }
        if (secret) {
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.GROUP_READ)) {
                    warning(at, "names " + name + ", a secret that other users of this host can read; make it "
                            + "owner-only: chmod 600 " + name);
                }
            } catch (UnsupportedOperationException | IOException e) {
                // No POSIX permissions here (or a link): nothing to say about them.
            }
        }
        return true;
    }

    /** A host that only this machine can reach: a loopback literal, or a name all of whose addresses are. */
    static boolean loopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equals("localhost")) {
            return true;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(h);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private void error(String path, String problem) {
        errors.add(new ConfigException(file, path, problem, null).getMessage());
    }

    private void warning(String path, String problem) {
        warnings.add(new ConfigException(file, path, problem, null).getMessage());
    }
}
