package org.limes.gateway.source.tcp;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Holds back read requests while the connection is paused for backpressure. Turning
 * {@code autoRead} off stops the event loop from reading, but a frame decoder still asks
 * for more bytes when it holds only part of a frame; placed in front of the decoder, this
 * gate swallows those requests, so a paused connection reads nothing at all and its memory
 * stays bounded by what was already read.
 *
 * <p>Threading: one per channel, used only on its event loop.
 */
final class ReadGateHandler extends ChannelDuplexHandler {

    private ChannelHandlerContext ctx;
    private boolean closed;
    private boolean requested;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void close() {
        closed = true;
    }

    /** Opens the gate and passes on a read request that was held back. */
    void open() {
        closed = false;
        if (requested) {
            requested = false;
            ctx.read();
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (closed) {
            requested = true;
            return;
        }
        ctx.read();
    }
}
