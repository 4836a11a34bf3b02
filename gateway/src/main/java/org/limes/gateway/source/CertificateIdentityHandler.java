package org.limes.gateway.source;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a mutual-TLS handshake, admits the connection only when the device certificate
 * names an inventory device: its subject CN, or one of its DNS subject alternative names,
 * must be a device id the inventory knows. That id is set on the channel as
 * {@link #DEVICE}: the TCP and HTTP sources put it on every frame of the channel as its
 * authenticated {@link org.limes.drivers.Frame#identity() identity} (the pipeline drops
 * readings naming another device), and frames of drivers that carry no device id are
 * attributed to it. A
 * certificate that names no inventory device is counted as
 * {@code limes.dropped{reason=unknown_certificate}}, logged at most once a minute per peer,
 * and the channel closed. (A failed handshake is closed by the TLS handler and counted by
 * {@link ChannelErrorHandler} as {@code limes.errors{error_type=tls}}.)
 *
 * <p>The certificate chain itself is verified by the TLS engine against
 * {@code client_ca_file}; this handler only maps the verified identity to a device.
 *
 * <p>Threading: one instance per channel (it removes itself once done), on its event loop.
 */
public final class CertificateIdentityHandler extends ChannelInboundHandlerAdapter {

    /** The inventory device the peer's certificate names. */
    public static final AttributeKey<String> DEVICE = AttributeKey.valueOf("limes.certifiedDevice");

    private static final Logger LOG = LoggerFactory.getLogger(CertificateIdentityHandler.class);
    private static final LogLimiter REFUSALS = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 1_000);

    private final String source;
    private final Predicate<String> knownDevice;
    private final SourceMetrics metrics;

    /**
     * Adds a listener's TLS to a new channel's pipeline, when it has any: the TLS handler and,
     * with mutual TLS, this check of the peer's certificate after it. Shared by the TCP and
     * HTTP listeners.
     *
     * @param tls    the listener's server context, or null for plain TCP
     * @param mutual whether client certificates are required and checked against the inventory
     */
    public static void addTls(ChannelPipeline p, SocketChannel channel, SslContext tls, boolean mutual, String source,
            Predicate<String> knownDevice, SourceMetrics metrics) {
        if (tls == null) {
            return;
        }
        p.addLast("tls", tls.newHandler(channel.alloc()));
        if (mutual) {
            p.addLast("identity", new CertificateIdentityHandler(source, knownDevice, metrics));
        }
    }

    public CertificateIdentityHandler(String source, Predicate<String> knownDevice, SourceMetrics metrics) {
        this.source = source;
        this.knownDevice = knownDevice;
        this.metrics = metrics;
    }

    /**
     * Nothing passes before the identity is admitted: a TLS 1.3 client may send data right
     * behind its last handshake message, in the same read, and a refused peer's data must
     * not reach the frame decoder while its channel closes.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof SslHandshakeCompletionEvent done)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        if (!done.isSuccess()) {
            // SslHandler closes the channel and raises the cause, which ChannelErrorHandler counts as tls.
            super.userEventTriggered(ctx, evt);
            return;
        }
        String peer = ChannelErrorHandler.peer(ctx);
        List<String> names;
        try {
            Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
            names = identities((X509Certificate) chain[0]);
        } catch (SSLPeerUnverifiedException e) {
            names = List.of();
        }
        String device = names.stream().filter(knownDevice).findFirst().orElse(null);
        if (device == null) {
            metrics.dropped("unknown_certificate");
            refuse(ctx, peer, "its certificate names " + names + ", none of them an inventory device");
            return;
        }
        ctx.channel().attr(DEVICE).set(device);
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(evt);
    }

    private void refuse(ChannelHandlerContext ctx, String peer, String why) {
        if (REFUSALS.allow(source + "/" + peer, System.nanoTime())) {
            LOG.warn("source {} refused the connection from {}: {} (counted; logged once a minute per peer)", source,
                    peer, why);
        }
        ctx.close();
    }

    /** The subject CN and the DNS subject alternative names, in that order. */
    static List<String> identities(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // An unparsable subject names nobody; the SANs may still.
        }
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // As above: no usable SANs.
        }
        return names;
    }
}
