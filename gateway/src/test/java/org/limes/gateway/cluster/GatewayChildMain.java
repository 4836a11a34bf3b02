package org.limes.gateway.cluster;

import java.io.IOException;
import org.limes.gateway.Main;

/**
 * The entry point of a gateway child JVM ({@link GatewayChild}): the gateway's own {@link Main},
 * and a daemon thread that halts the JVM as soon as its standard input ends — the pipe from the
 * test JVM that started it, which the kernel closes however that JVM ends (a failed test, Ctrl-C,
 * {@code kill -9} of the build). So a child never outlives its test, even when no {@code
 * finally} or shutdown hook of the test ran.
 *
 * <p>Copied alone beside the shaded jar on the child's class path: nothing else of the test
 * classes is visible to the child.
 */
public final class GatewayChildMain {

    private GatewayChildMain() {
    }

    public static void main(String[] args) {
        Thread watch = new Thread(GatewayChildMain::haltWhenOrphaned, "limes-parent-watch");
        watch.setDaemon(true);
        watch.start();
        Main.main(args);
    }

    private static void haltWhenOrphaned() {
        try {
            while (System.in.read() >= 0) {
                // the parent writes nothing; any byte is ignored
            }
        } catch (IOException e) {
            // a broken pipe is an ended parent too
        }
        Runtime.getRuntime().halt(137);
    }
}
