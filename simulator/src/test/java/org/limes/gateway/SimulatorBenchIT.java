package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.simulator.Main;
import picocli.CommandLine;

/**
 * {@code limes-simulator bench} end to end on a small load: the embedded broker in this JVM,
 * the gateway module's jar as the child JVM, its QuestDB store. Every message the broker
 * accepted is delivered in phase (a) and stored in phases (b) and (c), alerts arrive in the
 * flood and in the paced phase, each process's CPU and the gateway's RSS are accounted, and
 * the last line is the JSON the README's figures come from. With {@code --store external}
 * QuestDB runs in a child JVM of its own, the gateway writes to it as to InfluxDB, and its CPU
 * is reported apart. No timing is asserted.
 */
class SimulatorBenchIT {

    @TempDir
    Path work;

    @Test
    void benchMeasuresBrokerGatewayAndAlertsAndLosesNothing() throws Exception {
        // The gateway module is built (and packaged) before this one.
        Path jar = Path.of("..", "gateway", "target", "limes-gateway.jar");
        assertThat(jar).as("packaged before integration tests").exists();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("bench", "--json", "--messages", "4000", "--devices", "200", "--qos", "1",
                "--gateway-jar", jar.toString(), "--work-dir", work.toString(), "--stall-timeout", "20s",
                "--gateway-java-option", "-Xmx256m", "--paced-duration", "3s", "--warmup", "1000", "--warmup-rounds", "2");

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).as(err::toString).isNotEmpty();
        JsonNode result = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(result.path("broker").asText()).isEqualTo("hivemq-ce-embedded");
        assertThat(result.path("ingest").asText()).as("the load went to the gateway's own broker").isEqualTo("in_broker");
        assertThat(result.path("broker_delivered").asLong()).isEqualTo(4000);
        assertThat(result.path("sent").asLong()).isEqualTo(4000);
        assertThat(result.path("stored").asLong()).as("the flood's, apart from the warm-up's").isEqualTo(4000);
        assertThat(result.path("warmup_rounds").asInt()).isBetween(1, 2);
        assertThat(result.path("warmup").asLong()).isEqualTo(1000L * result.path("warmup_rounds").asInt());
        assertThat(result.path("warmup_jit_share").asDouble()).isBetween(0.0, 1.0);
        assertThat(result.path("broker_limit_msgs_per_s").asLong()).isPositive();
        assertThat(result.path("gateway_msgs_per_s").asLong()).isPositive();
        assertThat(result.path("ratio").asDouble()).isPositive();
        assertThat(result.path("alert_latency_ms").path("count").asLong()).isPositive();
        assertThat(result.path("alert_latency_ms").path("p99").asDouble()).isPositive();
        assertThat(result.path("alert_latency_ms").path("timeouts").asLong()).as(result::toString).isZero();
        assertThat(result.path("heap_mb_after_gc").asDouble()).isBetween(1.0, 256.0);
        // Where the microseconds go: each process's CPU over its phase, the gateway's memory.
        assertThat(result.path("gateway_cpu_us_per_msg").asDouble()).isPositive();
        assertThat(result.path("broker_cpu_us_per_msg").asDouble()).isPositive();
        assertThat(result.path("broker_limit_cpu_share").asDouble()).isPositive();
        assertThat(result.path("gateway_rss_mb").asDouble()).isPositive()
                .isGreaterThanOrEqualTo(result.path("gateway_rss_mb_end").asDouble());
        assertThat(result.path("gateway_rss_mb_end").asDouble()).isPositive();
        assertThat(result.path("broker_cpu_accounting").asText()).isNotBlank();
        JsonNode paced = result.path("paced");
        assertThat(paced.path("target_msgs_per_s").asLong()).isPositive();
        assertThat(paced.path("sent").asLong()).isPositive().isEqualTo(paced.path("stored").asLong());
        assertThat(paced.path("gateway_cpu_us_per_msg").asDouble()).isPositive();
        assertThat(paced.path("alert_latency_ms").path("count").asLong()).isPositive();
        assertThat(paced.path("alert_latency_ms").path("p99").asDouble()).isPositive();
        assertThat(paced.path("alert_latency_ms").path("timeouts").asLong()).isZero();
        assertThat(result.path("phases").path("flood").path("gateway_cpu_s").asDouble()).isPositive();
        // What the phases cost the gateway's heap, read from its /metrics (-1: not read). Counted at
        // each collection, so a phase this short may see none: measured, not necessarily positive.
        assertThat(result.path("gateway_alloc_bytes_per_msg").asLong()).as(result::toString).isNotNegative();
        assertThat(result.path("gateway_promoted_bytes_per_msg").asLong()).as(result::toString).isNotNegative();
        assertThat(result.path("gateway_gc_pause_s").asDouble()).as(result::toString).isNotNegative();
        assertThat(result.path("phases").path("paced").path("gateway_gc_pauses").asLong()).isNotNegative();
        // Where the gateway's microseconds go, by thread: the broker and the store inside it.
        JsonNode byThread = result.path("gateway_cpu_us_per_msg_by_thread");
        assertThat(byThread.path("broker").asDouble()).as(result::toString).isPositive();
        assertThat(byThread.path("store").asDouble()).as(result::toString).isPositive();
        assertThat(byThread.path("pipeline").asDouble()).as(result::toString).isPositive();
        assertThat(sum(byThread)).as("the roles of live threads never sum to more than the process")
                .isLessThanOrEqualTo(result.path("gateway_cpu_us_per_msg").asDouble() + 0.05 * byThread.size());
        assertThat(result.path("phases").path("paced").path("gateway_cpu_us_per_msg_by_thread").size())
                .isEqualTo(byThread.size());
        assertThat(Files.readString(work.resolve("gateway/gateway.yml"))).contains("cnt-200");
        // With a few dozen transitions p99 is the slowest: the progress names which one and when.
        assertThat(err.toString()).containsPattern(
                "\\(b\\) alert latency in the flood: \\d+ transitions, .*; the slowest was transition [1-9]\\d*, sent "
                        + "\\d+\\.\\d s into the phase");
        // Last, so that a failed run still shows which of the figures above it produced.
        assertThat(code).as(result::toString).isZero();
    }

    @Test
    void externalStoreRunsInItsOwnJvmAndItsCpuIsReportedApart() throws Exception {
        Path jar = Path.of("..", "gateway", "target", "limes-gateway.jar");
        assertThat(jar).as("packaged before integration tests").exists();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("bench", "--json", "--store", "external", "--messages", "2000", "--devices", "100",
                "--gateway-jar", jar.toString(), "--work-dir", work.toString(), "--stall-timeout", "20s",
                "--gateway-java-option", "-Xmx256m", "--store-java-option", "-Xmx256m", "--paced-duration", "0s", "--warmup", "0");

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).as(err::toString).isNotEmpty();
        JsonNode result = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(result.path("store").asText()).isEqualTo("external");
        assertThat(result.path("sent").asLong()).isEqualTo(2000);
        assertThat(result.path("stored").asLong()).as(result::toString).isEqualTo(2000);
        // The store's CPU apart from the gateway's: the gateway no longer holds QuestDB.
        assertThat(result.path("store_cpu_us_per_msg").asDouble()).as(result::toString).isPositive();
        assertThat(result.path("gateway_cpu_us_per_msg").asDouble()).isPositive();
        assertThat(result.path("phases").path("flood").path("store_cpu_s").asDouble()).isPositive();
        assertThat(result.path("phases").path("limit").path("store_cpu_s").asDouble()).isEqualTo(-1);
        assertThat(result.path("store_rss_mb").asDouble()).isPositive();
        JsonNode byThread = result.path("gateway_cpu_us_per_msg_by_thread");
        assertThat(byThread.path("store").asDouble()).as("no QuestDB thread in the gateway: " + byThread).isZero();
        assertThat(byThread.path("sink_store").asDouble()).as(byThread::toString).isPositive();
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(work.resolve("gateway/gateway.yml").toFile());
        assertThat(config.path("store").path("kind").asText()).isEqualTo("influxdb");
        assertThat(work.resolve("store/questdb/db")).isDirectory();
        assertThat(work.resolve("gateway/data/questdb")).doesNotExist();
        // Nothing the bench started outlives it.
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("StoreMain"))).isEmpty();
        assertThat(code).as(result::toString).isZero();
    }

    private static double sum(JsonNode object) {
        double sum = 0;
        for (JsonNode v : object) {
            sum += v.asDouble();
        }
        return sum;
    }
}
