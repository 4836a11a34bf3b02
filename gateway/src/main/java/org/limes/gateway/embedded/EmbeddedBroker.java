package org.limes.gateway.embedded;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The embedded MQTT broker (HiveMQ Community Edition, in-process) that field devices publish to
 * when no external broker is configured.
 *
 * <p>{@link #start} writes HiveMQ's {@code config.xml} into {@code <dataDir>/conf} (one plain TCP
 * listener, bounded packet size, connections and queues, file persistence in
 * {@link PersistenceBuckets few buckets} with bounded RocksDB buffers, anonymous usage statistics
 * off) and uses {@code <dataDir>/data} and {@code <dataDir>/extensions}. The embedded
 * edition lets every client connect (HiveMQ sets "allow all" for embedded use), so bind it to an
 * address only the crossing's device network reaches. HiveMQ's logging bootstrap is skipped:
 * the application's {@code logback.xml} governs its loggers.
 *
 * <p>Port {@code 0} picks a free port; because another process may take it between the probe and
 * HiveMQ's bind, start-up is retried on a fresh port a few times.
 *
 * <p>In-broker ingest: the broker carries an embedded extension whose {@link PublishInboundInterceptor}
 * offers every inbound PUBLISH to the {@link Ingest}s {@link #attach attached} (the gateway's MQTT
 * sources on this broker, {@code org.limes.gateway.source.mqtt.BrokerIngestSource}); the first that
 * claims it owns its outcome (when and with which reason code the device is answered, whether it is
 * routed). A publish nobody claims is routed as by any broker. A broker started {@link #startHeld held}
 * (the gateway's own, which its sources attach to only after the outboxes and pipeline are up)
 * makes every inbound publish wait until {@link #release}: a device reconnecting at once after a
 * restart is not answered before its publish can be taken (routed to nobody, it would be
 * acknowledged and lost).
 *
 * <p>Threading: {@link #start} and {@link #close} block the calling thread until HiveMQ has
 * started or stopped; the accessors are safe from any thread. HiveMQ runs its own Netty and
 * persistence threads, which {@link #close} stops.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private static final int BIND_ATTEMPTS = 5;
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private static final int MAX_PACKET_BYTES = 1024 * 1024;
    private static final int MAX_CONNECTIONS = 4096;
    private static final int MAX_CLIENT_ID_LENGTH = 256;
    private static final int MAX_TOPIC_LENGTH = 1024;
    private static final long MAX_QUEUED_MESSAGES_PER_CLIENT = 1_000_000;
    private static final long MAX_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;
    private static final int SERVER_RECEIVE_MAXIMUM = 100;
    private static final int NO_CONNECT_IDLE_TIMEOUT_MS = 10_000;
    /** Upper bound on unacknowledged messages HiveMQ sends one subscriber; see {@link #startOn}. */
    static final int MAX_INFLIGHT_WINDOW = 10_000;
    /** Upper bound on one payload RocksDB write buffer (memtable); see {@link #boundPersistenceMemory}. */
    static final long PAYLOAD_WRITE_BUFFER_BYTES = 8L * 1024 * 1024;
    /** Upper bound on the payload store's block cache; see {@link #boundPersistenceMemory}. */
    static final long PAYLOAD_BLOCK_CACHE_BYTES = 8L * 1024 * 1024;
    private static final int HIVEMQ_MEMTABLE_PORTION = 32;
    private static final int HIVEMQ_BLOCK_CACHE_PORTION = 64;
    /** HiveMQ's sizes are JVM-wide statics read while it starts: one start at a time. */
    private static final Object STARTING = new Object();
    /** How long a {@link #startHeld held} broker keeps publishes waiting for {@link #release}. */
    static final long HOLD_TIMEOUT_SECONDS = 120;

    /** The brokers running in this JVM, by {@link #uri}, for the sources that name the embedded one. */
    private static final Map<String, EmbeddedBroker> RUNNING = new ConcurrentHashMap<>();

    private final EmbeddedHiveMQ hiveMq;
    private final String host;
    private final int port;
    private final Interceptor interceptor;

    private EmbeddedBroker(EmbeddedHiveMQ hiveMq, String host, int port, Interceptor interceptor) {
        this.hiveMq = hiveMq;
        this.host = host;
        this.port = port;
        this.interceptor = interceptor;
    }

    /**
     * Takes inbound PUBLISH packets inside the broker, on HiveMQ's extension threads (in arrival
     * order per client). It may block there only as backpressure, briefly.
     */
    public interface Ingest {
        /**
         * Offered every inbound PUBLISH the ingests attached before it did not claim.
         *
         * @return true when it claims the publish (it then owns {@code output}, which it may make
         *         asynchronous), false to leave it to the next ingest or to the broker's routing
         */
        boolean intercept(PublishInboundInput input, PublishInboundOutput output);
    }

    /** The embedded broker of this JVM listening on {@code uri}, or null when there is none. */
    public static EmbeddedBroker running(String uri) {
        return RUNNING.get(uri);
    }

    /**
     * Attaches an ingest: from now on it is offered every inbound PUBLISH (after those attached
     * before it). Closing the returned handle detaches it.
     */
    public AutoCloseable attach(Ingest ingest) {
        interceptor.ingests.add(ingest);
        return () -> interceptor.ingests.remove(ingest);
    }

    /** Lets the publishes of a {@link #startHeld held} broker through; idempotent. */
    public void release() {
        interceptor.released.countDown();
    }

    /** The one interceptor every client gets: offers each publish to the attached ingests in turn. */
    private static final class Interceptor implements PublishInboundInterceptor {
        final CopyOnWriteArrayList<Ingest> ingests = new CopyOnWriteArrayList<>();
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean stopping;

        @Override
        public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
            if (released.getCount() > 0) {
                try {
                    if (!released.await(HOLD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        log.warn("Embedded MQTT broker: publishes held {} s and the gateway has not taken over;"
                                + " letting them through", HOLD_TIMEOUT_SECONDS);
                        released.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "broker stopping");
                    return;
                }
                if (stopping) {
                    // Held until the broker stopped: nobody took it, so the device must not think it was.
                    output.preventPublishDelivery(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "broker stopping");
                    return;
                }
            }
            for (Ingest i : ingests) {
                if (i.intercept(input, output)) {
                    return;
                }
            }
        }
    }

    /** Registers {@link Interceptor} for every client that connects. */
    private record IngestExtension(Interceptor interceptor) implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.initializerRegistry().setClientInitializer(
                    (initializerInput, clientContext) -> clientContext.addPublishInboundInterceptor(interceptor));
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            // Nothing to release: the interceptor holds no resources.
        }
    }

    /**
     * Starts a broker listening on {@code host:port}; blocks until it accepts connections.
     *
     * @param dataDir directory for HiveMQ's config, data and extension folders; created if absent
     * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port TCP port, or {@code 0} for a free one
     * @throws IllegalStateException if HiveMQ does not start (after retries for port {@code 0})
     */
    public static EmbeddedBroker start(Path dataDir, String host, int port) {
        return start(dataDir, host, port, () -> freePort(host), false);
    }

    /**
     * As {@link #start(Path, String, int)}, but inbound publishes wait (on HiveMQ's extension
     * threads, at most {@link #HOLD_TIMEOUT_SECONDS}) until {@link #release} is called.
     */
    public static EmbeddedBroker startHeld(Path dataDir, String host, int port) {
        return start(dataDir, host, port, () -> freePort(host), true);
    }

    static EmbeddedBroker start(Path dataDir, String host, int port, IntSupplier freePorts) {
        return start(dataDir, host, port, freePorts, false);
    }

    private static EmbeddedBroker start(Path dataDir, String host, int port, IntSupplier freePorts, boolean held) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        routeJulToSlf4j();
        int attempts = port == 0 ? BIND_ATTEMPTS : 1;
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int candidate = port == 0 ? freePorts.getAsInt() : port;
            try {
                synchronized (STARTING) {
                    return startOn(dataDir, host, candidate, held);
                }
            } catch (RuntimeException e) {
                last = e;
                log.warn("Embedded MQTT broker did not start on {}:{} (attempt {}/{}): {}",
                        host, candidate, attempt, attempts, e.getMessage());
            }
        }
        throw last;
    }

    private static EmbeddedBroker startOn(Path dataDir, String host, int port, boolean held) {
        Path confDir = dataDir.resolve("conf");
        Path hiveData = dataDir.resolve("data");
        Path extensions = dataDir.resolve("extensions");
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(hiveData);
            Files.createDirectories(extensions);
            Files.writeString(confDir.resolve("config.xml"), configXml(host, port), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare HiveMQ folders under " + dataDir, e);
        }
        // HiveMQ CE sends a subscriber at most min(its receive maximum, this window) messages
        // it has not acknowledged. The default, 50, caps the gateway (which acknowledges only
        // after a group commit) at 50 per commit latency, about 10,000 msgs/s, whatever
        // sources[].max_inflight says. config.xml has no setting for it; HiveMQ reads this
        // static at every poll of a client's queue, so it is set before the broker starts.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = MAX_INFLIGHT_WINDOW;
        PersistenceBuckets buckets = PersistenceBuckets.of(hiveData);
        boundPersistenceMemory(buckets);
        Interceptor interceptor = new Interceptor();
        if (!held) {
            interceptor.released.countDown();
        }
        EmbeddedHiveMQ hiveMq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(confDir)
                .withDataFolder(hiveData)
                .withExtensionsFolder(extensions)
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("limes-ingest")
                        .withName("Limes in-broker ingest")
                        .withVersion("1")
                        .withExtensionMain(new IngestExtension(interceptor))
                        .build())
                .withoutLoggingBootstrap()
                .build();
        // HiveMQ installs a JVM-wide default uncaught-exception handler that calls System.exit on
        // its "unrecoverable" errors; the gateway must not be exited by its broker.
        Thread.UncaughtExceptionHandler previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        long startedAt = System.nanoTime();
        try {
            hiveMq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(hiveMq);
            throw new IllegalStateException("HiveMQ failed to start on " + host + ":" + port, e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hiveMq);
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
        log.info("Embedded MQTT broker listening on tcp://{}:{} (started in {} ms, data in {}, {} session"
                        + " and {} payload persistence buckets)", host, port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), dataDir, buckets.sessions(),
                buckets.payloads());
        if (buckets.sessions() > PersistenceBuckets.FRESH || buckets.payloads() > PersistenceBuckets.FRESH) {
            log.info("Embedded MQTT broker: its data folder {} was written with {} buckets (now {} for a new one);"
                    + " it keeps them, and the memory they take, until the folder is removed (see the embedded"
                    + " README)", hiveData, Math.max(buckets.sessions(), buckets.payloads()), PersistenceBuckets.FRESH);
        }
        EmbeddedBroker broker = new EmbeddedBroker(hiveMq, host, port, interceptor);
        RUNNING.put(broker.uri(), broker);
        return broker;
    }

    /**
     * Sets HiveMQ's persistence sizes (JVM-wide statics it reads while it starts; {@link #startOn}
     * runs one start at a time). HiveMQ sizes each payload RocksDB write buffer at physical memory
     * / 32 / buckets and the payload block cache at physical memory / 64: on a 23.5 GiB host with 4
     * buckets, 183 MB per write buffer (two may be held per bucket) and 367 MB of cache, which
     * an offline subscriber's backlog would fill. Here they are at most {@link #PAYLOAD_WRITE_BUFFER_BYTES}
     * and {@link #PAYLOAD_BLOCK_CACHE_BYTES} whatever the host. (The retained message store's
     * portions are compile-time constants in HiveMQ; retained messages are one per topic.)
     */
    private static void boundPersistenceMemory(PersistenceBuckets buckets) {
        InternalConfigurations.PERSISTENCE_BUCKET_COUNT.set(buckets.sessions());
        InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT.set(buckets.payloads());
        long physical = physicalMemoryBytes();
        InternalConfigurations.PAYLOAD_PERSISTENCE_MEMTABLE_SIZE_PORTION.set(
                portion(physical, (long) buckets.payloads() * PAYLOAD_WRITE_BUFFER_BYTES, HIVEMQ_MEMTABLE_PORTION));
        InternalConfigurations.PAYLOAD_PERSISTENCE_BLOCK_CACHE_SIZE_PORTION.set(
                portion(physical, PAYLOAD_BLOCK_CACHE_BYTES, HIVEMQ_BLOCK_CACHE_PORTION));
    }

    /**
     * The divisor of {@code physical} that gives at most {@code bytes}, and never less than
     * HiveMQ's own {@code floor} (a small host keeps HiveMQ's smaller sizes).
     */
    static int portion(long physical, long bytes, int floor) {
        long p = (physical + bytes - 1) / bytes;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(floor, p));
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getTotalMemorySize() > 0) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** The TCP port the broker listens on. */
    public int port() {
        return port;
    }

    /** The broker's address for MQTT clients, {@code tcp://host:port}. */
    public String uri() {
        return "tcp://" + host + ":" + port;
    }

    /** Stops the broker and waits until its listener and persistence are closed. */
    @Override
    public void close() {
        RUNNING.remove(uri(), this);
        interceptor.stopping = true;
        interceptor.released.countDown();
        try {
            hiveMq.stop().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            hiveMq.close();
            log.info("Embedded MQTT broker on {}:{} stopped", host, port);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping HiveMQ", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("HiveMQ did not stop cleanly", e);
        }
    }

    private static void closeQuietly(EmbeddedHiveMQ hiveMq) {
        try {
            hiveMq.close();
        } catch (ExecutionException | RuntimeException e) {
            log.debug("Ignoring failure while closing a HiveMQ that did not start", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    /** Libraries around the broker (Paho, Xodus) log through java.util.logging. */
    static void routeJulToSlf4j() {
        synchronized (SLF4JBridgeHandler.class) {
            if (!SLF4JBridgeHandler.isInstalled()) {
                SLF4JBridgeHandler.removeHandlersForRootLogger();
                SLF4JBridgeHandler.install();
            }
        }
    }

    private static String configXml(String host, int port) {
        return """
                <?xml version="1.0"?>
                <!-- Written by Limes on every start of the embedded broker; edits are overwritten. -->
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>limes-devices</name>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                        <session-expiry>
                            <max-interval>%d</max-interval>
                        </session-expiry>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                    </mqtt>
                    <restrictions>
                        <max-connections>%d</max-connections>
                        <max-client-id-length>%d</max-client-id-length>
                        <max-topic-length>%d</max-topic-length>
                        <no-connect-idle-timeout>%d</no-connect-idle-timeout>
                    </restrictions>
                    <persistence>
                        <mode>file</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, xmlEscape(host), MAX_QUEUED_MESSAGES_PER_CLIENT, MAX_SESSION_EXPIRY_SECONDS,
                MAX_PACKET_BYTES, SERVER_RECEIVE_MAXIMUM, MAX_CONNECTIONS, MAX_CLIENT_ID_LENGTH,
                MAX_TOPIC_LENGTH, NO_CONNECT_IDLE_TIMEOUT_MS);
    }

    private static String xmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
