package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium ({@code /usr/bin/chromium}) for the status page ITs: loads a page, lets its
 * scripts run for a budget of virtual time, and dumps the DOM or saves a screenshot. Nothing is
 * fetched from outside (no background networking, updates or sync). Each run has its own profile
 * under the test's folder and is killed, with its children, if it outlives 60 s.
 */
public final class HeadlessChromium {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private final Path dir;

    /** @param dir a temporary folder for profiles and output */
    public HeadlessChromium(Path dir) {
        this.dir = dir;
    }

    public static boolean present() {
        return Files.isExecutable(CHROMIUM);
    }

    /** The page's DOM after its scripts ran for {@code budgetMs} of virtual time. */
    public String dumpDom(String url, int budgetMs) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=" + budgetMs, "--dump-dom", url));
    }

    /** A screenshot of the page at {@code width} × {@code height}, checked to be a PNG of some size. */
    public void screenshot(String url, int budgetMs, int width, int height, Path png)
            throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(List.of("--virtual-time-budget=" + budgetMs, "--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height, "--hide-scrollbars", url));
        assertThat(png).exists();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(10_000);
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    /** Runs Chromium to completion (at most 60 s); returns its standard output. */
    public String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium")));
        cmd.addAll(args);
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished within 60 s").isTrue();
            assertThat(p.exitValue()).as("chromium exit status; stderr: %s", Files.readString(err)).isZero();
            return Files.readString(out);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
