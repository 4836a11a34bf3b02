package org.limes.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {

    private static ResourceLeakDetector.Level previousLevel;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Health> health = new AtomicReference<>(Health.up(Map.of("outbox_depth", 0)));
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(registry, health::get));

    @BeforeAll
    static void paranoidLeakDetection() {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterAll
    static void restoreLeakDetection() {
        ResourceLeakDetector.setLevel(previousLevel);
    }

    @AfterEach
    void finish() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
        registry.close();
    }

    @Test
    void healthUpAnswers200WithJson() {
        Answer answer = exchange(HttpMethod.GET, "/health");
        assertThat(answer.status).isEqualTo(HttpResponseStatus.OK);
        assertThat(answer.contentType).startsWith("application/json");
        assertThat(answer.body).isEqualTo("{\"status\":\"UP\",\"details\":{\"outbox_depth\":0}}\n");
    }

    @Test
    void healthDownAnswers503() {
        health.set(Health.down(Map.of("store", "unreachable")));
        Answer answer = exchange(HttpMethod.GET, "/health?verbose=1");
        assertThat(answer.status).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.body).contains("\"status\":\"DOWN\"").contains("unreachable");
    }

    @Test
    void failingHealthCheckAnswers503() {
        EmbeddedChannel failing = new EmbeddedChannel(new AdminHandler(registry, () -> {
            throw new IllegalStateException("boom");
        }));
        failing.writeInbound(request(HttpMethod.GET, "/health"));
        FullHttpResponse response = failing.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("boom");
        } finally {
            response.release();
            failing.finishAndReleaseAll();
        }
    }

    @Test
    void metricsServesPrometheusText() {
        registry.counter("limes.frames.received", "source", "mqtt").increment(3);
        Answer answer = exchange(HttpMethod.GET, "/metrics");
        assertThat(answer.status).isEqualTo(HttpResponseStatus.OK);
        assertThat(answer.contentType).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body).contains("limes_frames_received_total{source=\"mqtt\"} 3.0");
    }

    @Test
    void unknownPathAnswers404() {
        assertThat(exchange(HttpMethod.GET, "/nope").status).isEqualTo(HttpResponseStatus.NOT_FOUND);
    }

    @Test
    void nonGetAnswers405WithAllowHeader() {
        FullHttpRequest request = request(HttpMethod.POST, "/metrics");
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("request released").isZero();
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        } finally {
            assertThat(response.release()).isTrue();
        }
    }

    private Answer exchange(HttpMethod method, String uri) {
        FullHttpRequest request = request(method, uri);
        channel.writeInbound(request);
        assertThat(request.refCnt()).as("request released").isZero();
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            assertThat(response.release()).as("response fully released").isTrue();
        }
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0));
    }

    private record Answer(HttpResponseStatus status, String contentType, String body) {
    }
}
