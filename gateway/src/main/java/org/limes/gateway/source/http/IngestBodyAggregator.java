package org.limes.gateway.source.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import org.limes.gateway.source.SourceMetrics;

/**
 * Collects a whole request of at most {@code max_body_bytes}; a larger one is answered 413
 * by Netty's aggregator (before the body is sent, when the client announced its length or
 * asked {@code Expect: 100-continue}) and counted as {@code limes.dropped{reason=body_too_large}}.
 *
 * <p>Threading: one per channel, on its event loop.
 */
final class IngestBodyAggregator extends HttpObjectAggregator {

    private final SourceMetrics metrics;

    IngestBodyAggregator(int maxBodyBytes, SourceMetrics metrics) {
        super(maxBodyBytes);
        this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        metrics.dropped("body_too_large");
        super.handleOversizedMessage(ctx, oversized);
    }
}
