package org.limes.gateway.source;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection: counts every exception that reached the end of the
 * pipeline by type in {@code limes.errors{error_type}}, logs it at most once a minute per
 * peer, and closes that channel only. The one exception it survives is an oversized frame
 * ({@link TooLongFrameException}): the frame decoders skip it and resynchronise on the next
 * frame, so it is counted as {@code limes.dropped{reason=frame_too_long}} and the frames
 * after it flow on. Only the first fault of a channel is counted: what follows is its echo
 * while the channel closes.
 *
 * <p>Threading: shared by every channel of a listener; it keeps no per-channel state.
 */
@ChannelHandler.Sharable
public final class ChannelErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelErrorHandler.class);
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("limes.errorCounted");

    private final String source;
    private final SourceMetrics metrics;
    private final LogLimiter log = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);

    public ChannelErrorHandler(String source, SourceMetrics metrics) {
        this.source = source;
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String peer = peer(ctx);
        if (cause instanceof TooLongFrameException) {
            metrics.dropped("frame_too_long");
            if (log.allow(peer + "/too_long", System.nanoTime())) {
                LOG.warn("source {} skipped an oversized frame from {}: {} (counted in limes.dropped, logged once a "
                        + "minute per peer)", source, peer, cause.getMessage());
            }
            return;
        }
        if (ctx.channel().attr(COUNTED).getAndSet(Boolean.TRUE) != null) {
            // An echo of the fault that is closing it (decoders run once more on close): counted already.
            return;
        }
        String type = errorType(cause);
        metrics.error(type);
        if (log.allow(peer + "/" + type, System.nanoTime())) {
            LOG.warn("source {} closed the connection from {} ({}): {} (counted in limes.errors, logged once a minute "
                    + "per peer)", source, peer, type, cause.toString());
        }
        ctx.close();
    }

    /** A short, stable label for an exception that ends a connection. */
    static String errorType(Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            return "idle_timeout";
        }
        if (cause instanceof NotSslRecordException || cause instanceof SSLException
                || cause.getCause() instanceof SSLException) {
            return "tls";
        }
        if (cause instanceof CorruptedFrameException) {
            return "corrupt_framing";
        }
        if (cause instanceof DecoderException) {
            return "decoder";
        }
        if (cause instanceof IOException) {
            return "connection_reset";
        }
        return "unexpected";
    }

    static String peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(ctx.channel().remoteAddress());
    }
}
