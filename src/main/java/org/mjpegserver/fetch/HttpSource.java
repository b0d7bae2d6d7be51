package org.mjpegserver.fetch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.auth.BasicScheme;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TrustAllStrategy;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.Timeout;
import org.mjpegserver.config.AuthType;
import org.mjpegserver.config.Credentials;
import org.mjpegserver.config.ImageConfig;
import org.mjpegserver.config.ImageSettings;

/**
 * Fetches an http(s) image with Apache HttpClient 5: a kept-alive connection, Basic (preemptive, as the
 * Python server's requests library did), Digest (challenge and response, as Hikvision and Dahua want) or Bearer
 * auth, and certificate checks off only for an image that asks for it. An answer that turns out to be an MJPEG
 * stream (a multipart type, or a body that starts like one or runs JPEG after JPEG) is handed over open, so the
 * one connection the camera allows feeds every viewer.
 */
final class HttpSource implements Source {

    static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(5);
    private static final int MAX_REDIRECTS = 5;

    private final URI url;
    private final HttpHost target;
    private final ImageSettings settings;
    private final CloseableHttpClient client;
    private final Timeout readTimeout;
    /** One context for the life of the source keeps the Digest nonce, so each fetch is a single request. */
    private final HttpClientContext context = HttpClientContext.create();

    HttpSource(ImageConfig image) {
        this.url = image.url();
        this.target = HttpHost.create(url);
        this.settings = image.settings();
        this.readTimeout = Timeout.of(settings.readTimeout());
        Credentials credentials = image.credentials();
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(2)
                .setMaxConnPerRoute(2)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(CONNECT_TIMEOUT)
                        .setSocketTimeout(readTimeout)
                        .build());
        if (settings.ignoreCertificateErrors()) {
            connections.setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
                    .setSslContext(trustAll())
                    .setHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                    .buildClassic());
        }
        var builder = HttpClients.custom()
                .setConnectionManager(connections.build())
                .setUserAgent(settings.fetchAgentString())
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(readTimeout)
                        .setMaxRedirects(MAX_REDIRECTS)
                        .setCircularRedirectsAllowed(false)
                        .build());
        if (credentials.type() == AuthType.BASIC || credentials.type() == AuthType.DIGEST) {
            UsernamePasswordCredentials userPassword = new UsernamePasswordCredentials(
                    credentials.username(), credentials.password().toCharArray());
            BasicCredentialsProvider provider = new BasicCredentialsProvider();
            provider.setCredentials(new AuthScope(target), userPassword);
            builder.setDefaultCredentialsProvider(provider);
            if (credentials.type() == AuthType.BASIC) {
                BasicScheme basic = new BasicScheme();
                basic.initPreemptive(userPassword);
                context.resetAuthExchange(target, basic);
            }
        } else if (credentials.type() == AuthType.BEARER) {
            String header = "Bearer " + credentials.token();
            // Only to the configured host: a redirect elsewhere must not carry the token along.
            builder.addRequestInterceptorLast((request, entity, ctx) -> {
                var route = HttpClientContext.castOrCreate(ctx).getHttpRoute();
                if (route != null && sameHost(route.getTargetHost(), target)) {
                    request.setHeader(HttpHeaders.AUTHORIZATION, header);
                }
            });
        }
        this.client = builder.build();
    }

    @Override
    public Fetched fetch() throws FetchException {
        HttpGet get = new HttpGet(url);
        get.setHeader(HttpHeaders.ACCEPT, "image/jpeg, multipart/x-mixed-replace;q=0.9, image/*;q=0.8, */*;q=0.5");
        CloseableHttpResponse response = null;
        boolean handedOver = false;
        try {
            response = client.execute(target, get, context);
            int status = response.getCode();
            HttpEntity entity = response.getEntity();
            if (status != 200) {
                // Drop the connection rather than read an error page of unknown size to keep it.
                get.cancel();
                throw new FetchException("HTTP " + status + (response.getReasonPhrase() == null ? "" : " " + response.getReasonPhrase()));
            }
            if (entity == null) {
                return new Fetched.Snapshot(new byte[0]);
            }
            String contentType = entity.getContentType();
            long length = entity.getContentLength();
            InputStream in = entity.getContent();
            if (PartReader.isMultipart(contentType)) {
                handedOver = true;
                return stream(get, response, in, contentType);
            }
            if (length > settings.maxImageBytes()) {
                get.cancel();
                throw new FetchException("body of " + length + " bytes is larger than max_image_bytes (" + settings.maxImageBytes() + ")");
            }
            long deadline = System.nanoTime() + readTimeout.toNanoseconds();
            byte[] body;
            try {
                if (length < 0) {
                    // No length: a snapshot that ends with the connection, or a stream by its first bytes.
                    DeadlineInputStream bounded = new DeadlineInputStream(in, deadline);
                    BufferedInputStream sniffed = new BufferedInputStream(bounded, PartReader.BUFFER);
                    if (BodyKind.of(contentType, sniffed, settings.maxImageBytes()) != BodyKind.SINGLE) {
                        bounded.lift();
                        handedOver = true;
                        return stream(get, response, sniffed, contentType);
                    }
                    in = sniffed;
                }
                body = Bodies.read(in, settings.maxImageBytes(), length, deadline);
            } catch (FetchException | IOException e) {
                // Closing the stream would read the rest of the body to keep the connection, which for an
                // endless or trickling body never ends: drop the connection first.
                get.cancel();
                throw e;
            }
            in.close();
            return new Fetched.Snapshot(body);
        } catch (FetchException e) {
            throw e;
        } catch (IOException e) {
            get.cancel();
            throw new FetchException(describe(e));
        } finally {
            if (response != null && !handedOver) {
                closeQuietly(response);
            }
        }
    }

    /** The open response as a stream source: closing it aborts the request, which ends a read that waits. */
    private Fetched.Stream stream(HttpGet get, CloseableHttpResponse response, InputStream body, String contentType) {
        PartReader parts = PartReader.open(body, contentType, settings.maxImageBytes());
        return new Fetched.Stream(parts, () -> {
            get.cancel();
            closeQuietly(response);
        });
    }

    private static void closeQuietly(CloseableHttpResponse response) {
        try {
            response.close();
        } catch (IOException e) {
            // The connection is gone either way.
        }
    }

    /** A one-line reason without the exception class noise and without the URL (which may carry a query secret). */
    static String describe(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpHostConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "read timed out";
        }
        if (e instanceof SSLException) {
            return "TLS failure: " + firstLine(e.getMessage());
        }
        if (e instanceof ClientProtocolException) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return "protocol error: " + firstLine(cause.getMessage());
        }
        // "ConnectionClosedException" reads "connection closed".
        String kind = e.getClass().getSimpleName().replace("Exception", "").replaceAll("(?<=[a-z])(?=[A-Z])", " ");
        return kind.toLowerCase(Locale.ROOT) + ": " + firstLine(e.getMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        String line = message.lines().findFirst().orElse("");
        return org.mjpegserver.config.Redaction.text(line.length() > 200 ? line.substring(0, 200) + "..." : line);
    }

    private static boolean sameHost(HttpHost a, HttpHost b) {
        return a.getHostName().equalsIgnoreCase(b.getHostName()) && a.getPort() == b.getPort()
                && a.getSchemeName().equalsIgnoreCase(b.getSchemeName());
    }

    private static SSLContext trustAll() {
        try {
            return SSLContexts.custom().loadTrustMaterial(TrustAllStrategy.INSTANCE).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    @Override
    public void close() {
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }
}
