package org.limes.simulator.bench;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HiveMQ Community Edition in this process, configured as the gateway's embedded broker is:
 * one loopback TCP listener, file persistence, up to 1,000,000 queued messages per client,
 * and an in-flight window of up to 10,000 unacknowledged messages per subscriber (HiveMQ's
 * default is 50).
 *
 * <p>Threading: {@link #start} and {@link #close} block the caller; HiveMQ runs its own threads.
 */
public final class HiveMqBroker implements BenchBroker {

    private static final int MAX_INFLIGHT_WINDOW = 10_000;
    private static final long MAX_QUEUED_MESSAGES = 1_000_000;
    private static final long START_TIMEOUT_S = 60;

    private final EmbeddedHiveMQ hiveMq;
    private final int port;

    private HiveMqBroker(EmbeddedHiveMQ hiveMq, int port) {
        this.hiveMq = hiveMq;
        this.port = port;
    }

    /** Starts HiveMQ on {@code 127.0.0.1:port}, keeping its files under {@code dir}. */
    public static HiveMqBroker start(Path dir, int port) {
        Path conf = dir.resolve("conf");
        Path data = dir.resolve("data");
        Path extensions = dir.resolve("extensions");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            Files.writeString(conf.resolve("config.xml"), configXml(port), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare HiveMQ folders under " + dir, e);
        }
        // The default window of 50 would cap the gateway at 50 messages per group commit.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = MAX_INFLIGHT_WINDOW;
        EmbeddedHiveMQ hiveMq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap()
                .build();
        // HiveMQ installs a default uncaught-exception handler that exits the JVM.
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        try {
            hiveMq.start().get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(hiveMq);
            throw new IllegalStateException("HiveMQ did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hiveMq);
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        return new HiveMqBroker(hiveMq, port);
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public String description() {
        return "hivemq-ce-embedded";
    }

    @Override
    public void close() {
        try {
            hiveMq.stop().get(30, TimeUnit.SECONDS);
            hiveMq.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("HiveMQ did not stop cleanly: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(EmbeddedHiveMQ hiveMq) {
        try {
            hiveMq.close();
        } catch (ExecutionException | RuntimeException e) {
            // it did not start; nothing more to release
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String configXml(int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>file</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, MAX_QUEUED_MESSAGES);
    }
}
