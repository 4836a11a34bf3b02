package org.limes.simulator.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.limes.gateway.Gateway;

/**
 * What the demo leaves to undo: its gateway, and the temporary data folder it made (about 20 MiB of
 * broker, store and outbox files). Run once at the end of the demo and from a shutdown hook, so
 * Ctrl-C and SIGTERM clean up too; whichever comes first does the work.
 *
 * <p>Threading: {@link #run} and {@link #closeGateway} are synchronised; the main thread and the
 * shutdown hook may call them at once.
 */
final class DemoCleanup implements Runnable {

    private final Path temporary;
    private Gateway gateway;
    private boolean removed;

    /** @param temporary the folder to delete at the end, or null to keep the data (a given {@code --data-dir}) */
    DemoCleanup(Path temporary) {
        this.temporary = temporary;
    }

    synchronized void gateway(Gateway started) {
        this.gateway = started;
    }

    /** Stops the gateway, if it still runs. */
    synchronized void closeGateway() {
        if (gateway != null) {
            Gateway g = gateway;
            gateway = null;
            g.close();
        }
    }

    /** Stops the gateway, then deletes the temporary folder. */
    @Override
    public synchronized void run() {
        closeGateway();
        if (temporary != null && !removed) {
            removed = true;
            try {
                deleteTree(temporary);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("demo: could not remove " + temporary + ": " + e);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (Files.notExists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteIfExists(Path p) throws IOException {
        Files.deleteIfExists(p);
    }
}
