package org.mjpegserver.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server side of RFC 7616 Digest authentication (MD5, qop="auth"), strict enough that a
 * client which gets the hash, nonce, nc or cnonce wrong is refused.
 */
final class DigestAuth implements Route {

    private static final String REALM = "camera";
    /** name=token or name="quoted string" (with backslash escapes), comma separated. */
    private static final Pattern PARAM =
            Pattern.compile("\\s*([\\w-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]*))\\s*,?");

    private final String user;
    private final String ha1;
    private final Route inner;
    private final SecureRandom random = new SecureRandom();
    /** Issued nonces and the highest nonce count seen for each, to refuse replays. */
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();

    DigestAuth(String user, String pass, Route inner) {
        this.user = user;
        this.ha1 = md5(user + ":" + REALM + ":" + pass);
        this.inner = inner;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (accepts(exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestMethod(),
                exchange.getRequestURI().toString())) {
            inner.handle(exchange);
            return;
        }
        Routes.challenge(exchange, challenge());
    }

    /** Whether an Authorization header (may be null) answers one of our challenges for this request. */
    boolean accepts(String header, String method, String uri) {
        return header != null && header.regionMatches(true, 0, "Digest ", 0, 7)
                && accepts(parse(header.substring(7)), method, uri);
    }

    /** A WWW-Authenticate value with a fresh nonce. */
    String challenge() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String nonce = HexFormat.of().formatHex(bytes);
        nonces.put(nonce, 0L);
        return "Digest realm=\"" + REALM + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + nonce + "\"";
    }

    private boolean accepts(Map<String, String> p, String method, String uri) {
        String nonce = p.get("nonce");
        String nc = p.get("nc");
        String cnonce = p.get("cnonce");
        String response = p.get("response");
        if (!user.equals(p.get("username")) || !REALM.equals(p.get("realm"))
                || !"auth".equals(p.get("qop")) || nonce == null || !nonces.containsKey(nonce)
                || nc == null || !nc.matches("[0-9a-fA-F]{8}") || cnonce == null || cnonce.isEmpty()
                || response == null || !uri.equals(p.get("uri"))
                || (p.containsKey("algorithm") && !"MD5".equalsIgnoreCase(p.get("algorithm")))) {
            return false;
        }
        String ha2 = md5(method + ":" + p.get("uri"));
        String expected = md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
            return false;
        }
        // The nonce count must grow with each use of a nonce; a repeat is a replay.
        long count = Long.parseLong(nc, 16);
        Long previous = nonces.get(nonce);
        return previous != null && count > previous && nonces.replace(nonce, previous, count);
    }

    private static Map<String, String> parse(String params) {
        Map<String, String> result = new HashMap<>();
        Matcher m = PARAM.matcher(params);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
            result.put(m.group(1).toLowerCase(), value);
        }
        return result;
    }

    private static String md5(String text) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a mandatory JDK algorithm", e);
        }
    }
}
