package org.limes.simulator.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.limes.gateway.embedded.EmbeddedStore;

/**
 * The bench's external store: the gateway's {@link EmbeddedStore} (QuestDB, its HTTP server only,
 * the same {@code server.conf}) alone in a JVM of its own, so that its CPU time is the store's and
 * not the gateway's. {@link StoreProcess} starts it as
 * {@code java -cp <the bench's class path> org.limes.simulator.bench.StoreMain <root> <port-file>}.
 *
 * <p>It binds a free loopback port, writes the port's number to {@code <port-file>} (written
 * beside it and moved into place, so a reader never sees half a number) once QuestDB accepts
 * requests, and runs until its standard input ends: the parent closes it to stop the store, and
 * the operating system closes it when the parent dies, however it dies, so no store outlives its
 * bench. A SIGTERM stops it too. Either way QuestDB is closed (its pools joined, its tables
 * released) before the JVM exits.
 *
 * <p>Exit codes: 0 after a stop; 1 when QuestDB does not start (the reason on stderr); 2 on
 * wrong arguments.
 */
public final class StoreMain {

    private StoreMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: StoreMain <questdb-root> <port-file>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path portFile = Path.of(args[1]);
        EmbeddedStore store;
        try {
            store = EmbeddedStore.start(root, "127.0.0.1", 0);
        } catch (RuntimeException e) {
            System.err.println("the store did not start: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
            return;
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable stop = () -> {
            if (closed.compareAndSet(false, true)) {
                store.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "limes-bench-store-stop"));
        Path partial = portFile.resolveSibling(portFile.getFileName() + ".partial");
        Files.writeString(partial, Integer.toString(store.httpPort()), StandardCharsets.US_ASCII);
        Files.move(partial, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("store serving " + store.url() + ", data in " + root);
        awaitEndOfInput(System.in);
        System.err.println("standard input closed: stopping the store");
        System.exit(0);
    }

    /** Blocks until {@code in} ends or fails: the parent's signal to stop. */
    private static void awaitEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // anything written is ignored; only the end matters
            }
        } catch (IOException e) {
            // a broken pipe is an end too
        }
    }
}
