package dev.form.vmm.http;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.pipeline.ApiRequest;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.RequestDispatcher;
import dev.form.vmm.pipeline.RequestOrigin;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The HTTP side of the service (Jetty 12 core, no servlets): hands every request, with its raw target
 * and exact body bytes, to the {@link RequestDispatcher} and writes back what it answers.
 */
public final class HttpFrontend implements AutoCloseable {
    /** Bodies larger than this are refused before they are read whole. */
    public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;

    /** TLS settings: a PKCS12 or JKS keystore holding the server certificate and key. */
    public record Tls(Path keystore, String password) {
    }

    public HttpFrontend(RequestDispatcher dispatcher, String host, int port, Tls tls) {
        QueuedThreadPool pool = new QueuedThreadPool(200, 4);
        pool.setName("form-vmm-http");
        this.server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        if (tls == null) {
            connector = new ServerConnector(server, new HttpConnectionFactory(config));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keystore().toString());
            ssl.setKeyStorePassword(tls.password());
            config.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new DispatchHandler(dispatcher));
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (useful when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the HTTP listener failed: " + e.getMessage(), e);
        }
    }

    private static final class DispatchHandler extends Handler.Abstract {
        private final RequestDispatcher dispatcher;

        DispatchHandler(RequestDispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            ApiResponse answer;
            long declared = request.getLength();
            if (declared > MAX_BODY_BYTES) {
                answer = ApiResponse.error(ApiProblem.invalid("body", "the body exceeds " + MAX_BODY_BYTES + " bytes"));
            } else {
                byte[] body;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readNBytes(MAX_BODY_BYTES + 1);
                } catch (IOException e) {
                    body = null;
                }
                if (body == null) {
                    answer = ApiResponse.error(new ApiProblem(ErrorCode.INVALID_INPUT, "the request body could not be read", "body", null, null, null));
                } else if (body.length > MAX_BODY_BYTES) {
                    answer = ApiResponse.error(ApiProblem.invalid("body", "the body exceeds " + MAX_BODY_BYTES + " bytes"));
                } else {
                    String target = request.getHttpURI().getPathQuery();
                    answer = dispatcher.dispatch(ApiRequest.fromHeaders(request.getMethod(), target, body,
                            name -> request.getHeaders().get(name), RequestOrigin.DIRECT));
                }
            }
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }
    }
}
