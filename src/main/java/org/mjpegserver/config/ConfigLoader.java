package org.mjpegserver.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a {@code config.yaml} written for the Python server: section {@code mjpeg-server} holds defaults,
 * section {@code images} maps ids to a {@code url} and overrides. Every problem is collected with its line and
 * key, so one failed deployment tells the user everything to fix.
 */
public final class ConfigLoader {

    public static final Pattern ID_PATTERN = Pattern.compile("^[a-zA-Z0-9_-]+$");
    static final String SERVER_SECTION = "mjpeg-server";
    static final String IMAGES_SECTION = "images";

    static final Set<String> SETTING_KEYS = Set.of("stream_fps", "fetch_minimum_fps", "fetch_maximum_fps",
            "image_timeout_seconds", "image_timeout_behavior", "image_validation", "ignore_certificate_errors",
            "stale_image_path", "fetch_agent_string", "max_image_bytes", "max_image_pixels", "access_token",
            "read_timeout_seconds", "close_after_last_viewer_seconds",
            "rotate", "crop", "max_width", "max_height", "jpeg_quality", "timestamp_overlay");
    static final Set<String> IMAGE_KEYS = Set.of("url", "auth_type", "username", "password", "token");
    static final Set<String> CROP_KEYS = Set.of("x", "y", "width", "height");
    static final Set<String> OVERLAY_KEYS = Set.of("position", "show_id", "format", "time_zone");

    /** Upper bounds that catch typos (a frame rate of 5000) rather than limit real use. */
    private static final double MAX_FPS = 1000;
    /** Beyond any camera's picture; a larger max_width or crop is a typo. */
    private static final int MAX_SIDE = 16384;
    private static final Pattern TEST_PATTERN_SIZE = Pattern.compile("(\\d{1,4})x(\\d{1,4})");

    private final Path file;
    private final Path folder;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigLoader(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.folder = this.file.getParent();
    }

    /** Loads and checks {@code file}; throws with every problem found, or returns a config that can run. */
    public static ServerConfig load(Path file) throws ConfigException {
        return new ConfigLoader(file).load();
    }

    private ServerConfig load() throws ConfigException {
        YamlTree.Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = YamlTree.read(reader, this::problem);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, List.of(file + ":" + YamlTree.lineOf(e) + ": not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            throw new ConfigException(file, List.of(file + ": cannot be read: " + e));
        }
        Map<String, YamlTree.Node> top = root.asMap();
        if (top == null) {
            problem(root.line(), "(top level)", "must be a mapping with sections '" + SERVER_SECTION + "' and '"
                    + IMAGES_SECTION + "'");
            throw new ConfigException(file, problems);
        }
        for (Map.Entry<String, YamlTree.Node> entry : top.entrySet()) {
            if (!entry.getKey().equals(SERVER_SECTION) && !entry.getKey().equals(IMAGES_SECTION)) {
                warnUnknown(entry.getValue().line(), entry.getKey(), entry.getKey(), Set.of(SERVER_SECTION, IMAGES_SECTION));
            }
        }
        ImageSettings defaults = ImageSettings.DEFAULTS;
        YamlTree.Node server = top.get(SERVER_SECTION);
        if (server != null && server.value() != null) {
            Map<String, YamlTree.Node> section = mapping(server, SERVER_SECTION);
            if (section != null) {
                for (Map.Entry<String, YamlTree.Node> entry : section.entrySet()) {
                    if (!SETTING_KEYS.contains(entry.getKey())) {
                        String key = entry.getKey();
                        if (IMAGE_KEYS.contains(key)) {
                            problem(entry.getValue().line(), SERVER_SECTION + "." + key,
                                    "belongs to an image under '" + IMAGES_SECTION + "', not to '" + SERVER_SECTION + "'");
                        } else {
                            warnUnknown(entry.getValue().line(), SERVER_SECTION + "." + key, key, SETTING_KEYS);
                        }
                    }
                }
                defaults = settings(section, SERVER_SECTION, ImageSettings.DEFAULTS);
            }
        }
        Map<String, ImageConfig> images = new LinkedHashMap<>();
        YamlTree.Node imagesNode = top.get(IMAGES_SECTION);
        if (imagesNode == null || imagesNode.value() == null) {
            warnings.add(file + ": no '" + IMAGES_SECTION + "' section: the server has nothing to stream");
        } else {
            Map<String, YamlTree.Node> section = mapping(imagesNode, IMAGES_SECTION);
            if (section != null) {
                for (Map.Entry<String, YamlTree.Node> entry : section.entrySet()) {
                    ImageConfig image = image(entry.getKey(), entry.getValue(), defaults);
                    if (image != null) {
                        images.put(image.id(), image);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(file, problems);
        }
        return new ServerConfig(file, defaults, images, warnings);
    }

    private ImageConfig image(String id, YamlTree.Node node, ImageSettings defaults) {
        String path = IMAGES_SECTION + "." + id;
        boolean idOk = ID_PATTERN.matcher(id).matches();
        if (!idOk) {
            problem(node.line(), path, "image id '" + id + "' is not allowed; use letters, digits, '_' and '-'");
        }
        Map<String, YamlTree.Node> map;
        if (node.value() instanceof String) {
            // Shorthand "id: URL" for an image without overrides.
            map = new LinkedHashMap<>();
            map.put("url", node);
        } else {
            map = mapping(node, path);
            if (map == null) {
                return null;
            }
        }
        for (Map.Entry<String, YamlTree.Node> entry : map.entrySet()) {
            String key = entry.getKey();
            if (!SETTING_KEYS.contains(key) && !IMAGE_KEYS.contains(key)) {
                Set<String> known = new java.util.HashSet<>(SETTING_KEYS);
                known.addAll(IMAGE_KEYS);
                warnUnknown(entry.getValue().line(), path + "." + key, key, known);
            }
        }
        ImageSettings settings = settings(map, path, defaults);
        YamlTree.Node urlNode = map.get("url");
        if (urlNode == null || urlNode.value() == null || urlNode.value().toString().isBlank()) {
            problem(node.line(), path + ".url", "missing; every image needs a url (http, https, file or testpattern)");
            return null;
        }
        ParsedUrl url = url(urlNode, path + ".url");
        Credentials credentials = credentials(map, path, url);
        if (!idOk || url == null || credentials == null) {
            return null;
        }
        return new ImageConfig(id, url.uri(), credentials, settings, node.line());
    }

    private record ParsedUrl(URI uri, String user, String password) {
    }

    private ParsedUrl url(YamlTree.Node node, String key) {
        if (!(node.value() instanceof String text)) {
            problem(node.line(), key, "expected a URL string, got " + describe(node.value()));
            return null;
        }
        String trimmed = text.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("testpattern:")) {
            String size = trimmed.substring("testpattern:".length());
            if (size.isEmpty()) {
                size = "640x360";
            }
            var matcher = TEST_PATTERN_SIZE.matcher(size);
            if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < 16 || Integer.parseInt(matcher.group(2)) < 16) {
                problem(node.line(), key, "'" + text + "' is not allowed; use 'testpattern:' or 'testpattern:WIDTHxHEIGHT' (16 to 9999)");
                return null;
            }
            return new ParsedUrl(URI.create("testpattern:" + size), null, null);
        }
        if (lower.startsWith("file:")) {
            return fileUrl(node, key, trimmed);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            problem(node.line(), key, "'" + Redaction.text(trimmed) + "' is not a valid URL: " + Redaction.text(e.getReason()));
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problem(node.line(), key, "scheme '" + scheme + "' in '" + Redaction.url(uri) + "' is not allowed; use http, https, file or testpattern");
            return null;
        }
        if (uri.getHost() == null) {
            problem(node.line(), key, "'" + Redaction.url(uri) + "' has no host");
            return null;
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String raw = uri.getRawUserInfo();
            int colon = raw.indexOf(':');
            user = decode(colon < 0 ? raw : raw.substring(0, colon));
            password = colon < 0 ? "" : decode(raw.substring(colon + 1));
            // Keep the credentials out of the URL, so that it can be logged and shown as it is.
            uri = URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        return new ParsedUrl(uri, user, password);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private ParsedUrl fileUrl(YamlTree.Node node, String key, String text) {
        String rest = text.substring("file:".length());
        try {
            Path path;
            if (rest.startsWith("//")) {
                path = Path.of(new URI(text));
            } else {
                // "file:snapshots/cam.jpg" is relative to the config file, like stale_image_path.
                path = folder.resolve(URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            return new ParsedUrl(path.normalize().toUri(), null, null);
        } catch (URISyntaxException | IllegalArgumentException e) {
            problem(node.line(), key, "'" + Redaction.text(text) + "' is not a valid file URL; use file:relative/path.jpg or file:///absolute/path.jpg");
            return null;
        }
    }

    private Credentials credentials(Map<String, YamlTree.Node> map, String path, ParsedUrl url) {
        String username = string(map, "username", path);
        String password = string(map, "password", path);
        String token = string(map, "token", path);
        YamlTree.Node typeNode = map.get("auth_type");
        AuthType type = typeNode == null ? null : enumValue(typeNode, path + ".auth_type", AuthType.class);
        if (typeNode != null && typeNode.value() != null && type == null) {
            return null;
        }
        if (url != null && url.user() != null) {
            if (username == null) {
                username = url.user();
            }
            if (password == null) {
                password = url.password();
            }
        }
        if (type == null) {
            if (token != null && username == null) {
                type = AuthType.BEARER;
            } else if (username != null) {
                type = AuthType.BASIC;
            } else {
                if (password != null) {
                    problem(map.get("password") == null ? 0 : map.get("password").line(), path + ".password",
                            "a password without a username; add 'username'");
                    return null;
                }
                return Credentials.NONE;
            }
        }
        int line = typeNode != null ? typeNode.line() : map.get("url").line();
        if (type == AuthType.BEARER && (token == null || token.isEmpty())) {
            problem(line, path + ".token", "auth_type bearer needs a 'token'");
            return null;
        }
        if ((type == AuthType.BASIC || type == AuthType.DIGEST) && (username == null || username.isEmpty())) {
            problem(line, path + ".username", "auth_type " + type.name().toLowerCase(Locale.ROOT)
                    + " needs a 'username' (and 'password'), or user-info in the url");
            return null;
        }
        if (url != null && !isHttp(url.uri())) {
            problem(line, path + ".auth_type", "authentication applies only to http and https urls");
            return null;
        }
        return new Credentials(type, username, password == null ? "" : password, token);
    }

    private static boolean isHttp(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    }

    private ImageSettings settings(Map<String, YamlTree.Node> map, String path, ImageSettings base) {
        double streamFps = fps(map, "stream_fps", path, base.streamFps());
        double minFps = base.fetchMinimumFps();
        YamlTree.Node minFpsNode = map.get("fetch_minimum_fps");
        if (minFpsNode != null) {
            // 0 is allowed here alone: fetch only while somebody watches.
            Double value = number(minFpsNode, path + ".fetch_minimum_fps", 0, MAX_FPS,
                    "a number of frames per second from 0 (fetch only while watched) to 1000, e.g. 1 or .1");
            minFps = value == null ? minFps : value;
        }
        double maxFps = fps(map, "fetch_maximum_fps", path, base.fetchMaximumFps());
        Duration timeout = seconds(map, "image_timeout_seconds", path, 0.1, 86_400, base.imageTimeout());
        TimeoutBehavior behavior = base.imageTimeoutBehavior();
        if (map.get("image_timeout_behavior") != null) {
            TimeoutBehavior value = enumValue(map.get("image_timeout_behavior"), path + ".image_timeout_behavior", TimeoutBehavior.class);
            behavior = value == null ? behavior : value;
        }
        Validation validation = base.imageValidation();
        if (map.get("image_validation") != null) {
            Validation value = enumValue(map.get("image_validation"), path + ".image_validation", Validation.class);
            validation = value == null ? validation : value;
        }
        boolean ignoreCertificateErrors = base.ignoreCertificateErrors();
        YamlTree.Node ignoreNode = map.get("ignore_certificate_errors");
        if (ignoreNode != null) {
            Boolean value = bool(ignoreNode, path + ".ignore_certificate_errors");
            ignoreCertificateErrors = value == null ? ignoreCertificateErrors : value;
        }
        Path stale = base.staleImagePath();
        YamlTree.Node staleNode = map.get("stale_image_path");
        if (staleNode != null && staleNode.value() != null) {
            stale = staleImage(staleNode, path + ".stale_image_path");
        }
        String agent = base.fetchAgentString();
        String agentValue = string(map, "fetch_agent_string", path);
        if (agentValue != null) {
            if (agentValue.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                problem(map.get("fetch_agent_string").line(), path + ".fetch_agent_string", "must not contain control characters");
            } else {
                agent = agentValue;
            }
        }
        long maxBytes = base.maxImageBytes();
        YamlTree.Node bytesNode = map.get("max_image_bytes");
        if (bytesNode != null) {
            Double value = number(bytesNode, path + ".max_image_bytes", 1, 1L << 30, "a whole number of bytes from 1 to 1073741824");
            maxBytes = value == null ? maxBytes : value.longValue();
        }
        long maxPixels = base.maxImagePixels();
        YamlTree.Node pixelsNode = map.get("max_image_pixels");
        if (pixelsNode != null) {
            Double value = number(pixelsNode, path + ".max_image_pixels", 1, 1_000_000_000, "a whole number of pixels from 1 to 1000000000");
            maxPixels = value == null ? maxPixels : value.longValue();
        }
        String accessToken = base.accessToken();
        if (map.containsKey("access_token")) {
            String value = string(map, "access_token", path);
            accessToken = value == null || value.isEmpty() ? null : value;
        }
        Duration readTimeout = seconds(map, "read_timeout_seconds", path, 1, 3600, base.readTimeout());
        Duration closeAfter = seconds(map, "close_after_last_viewer_seconds", path, 0, 86_400, base.closeAfterLastViewer());
        return new ImageSettings(streamFps, minFps, maxFps, timeout, behavior, validation, ignoreCertificateErrors,
                stale, agent, maxBytes, maxPixels, accessToken, readTimeout, closeAfter, shaping(map, path, base.shaping()));
    }

    private Shaping shaping(Map<String, YamlTree.Node> map, String path, Shaping base) {
        int rotate = base.rotate();
        YamlTree.Node rotateNode = map.get("rotate");
        if (rotateNode != null) {
            Object value = rotateNode.value();
            if (value instanceof Integer degrees && degrees % 90 == 0 && degrees >= 0 && degrees < 360) {
                rotate = degrees;
            } else {
                problem(rotateNode.line(), path + ".rotate", describe(value) + " is not allowed; expected 0, 90, 180 or 270 (degrees clockwise)");
            }
        }
        Shaping.Crop crop = base.crop();
        if (map.get("crop") != null) {
            crop = crop(map.get("crop"), path + ".crop", crop);
        }
        int maxWidth = whole(map, "max_width", path, 0, MAX_SIDE, "0 (no limit) or a width in pixels up to " + MAX_SIDE, base.maxWidth());
        int maxHeight = whole(map, "max_height", path, 0, MAX_SIDE, "0 (no limit) or a height in pixels up to " + MAX_SIDE, base.maxHeight());
        int quality = whole(map, "jpeg_quality", path, 1, 100, "a JPEG quality from 1 to 100", base.jpegQuality());
        Shaping.TimestampOverlay overlay = base.timestampOverlay();
        if (map.get("timestamp_overlay") != null) {
            overlay = overlay(map.get("timestamp_overlay"), path + ".timestamp_overlay", overlay);
        }
        return new Shaping(rotate, crop, maxWidth, maxHeight, quality, overlay);
    }

    private int whole(Map<String, YamlTree.Node> map, String key, String path, int min, int max, String allowed, int fallback) {
        YamlTree.Node node = map.get(key);
        if (node == null) {
            return fallback;
        }
        Double value = number(node, path + "." + key, min, max, allowed);
        if (value == null) {
            return fallback;
        }
        if (value != Math.rint(value)) {
            problem(node.line(), path + "." + key, describe(node.value()) + " is not allowed; expected " + allowed);
            return fallback;
        }
        return value.intValue();
    }

    /** A crop mapping, or {@code none} to undo the server-wide one; a crop of the whole picture is none. */
    private Shaping.Crop crop(YamlTree.Node node, String key, Shaping.Crop fallback) {
        if (node.value() instanceof String text && text.trim().equalsIgnoreCase("none") || Boolean.FALSE.equals(node.value())) {
            return null;
        }
        Map<String, YamlTree.Node> map = node.asMap();
        if (map == null) {
            problem(node.line(), key, describe(node.value()) + " is not allowed; expected a mapping with x, y, width and height"
                    + " (pixels, or percent of the source like 25%), or none");
            return fallback;
        }
        map.forEach((name, value) -> {
            if (!CROP_KEYS.contains(name)) {
                warnUnknown(value.line(), key + "." + name, name, CROP_KEYS);
            }
        });
        Shaping.Length x = length(map, "x", key, node.line(), false);
        Shaping.Length y = length(map, "y", key, node.line(), false);
        Shaping.Length width = length(map, "width", key, node.line(), true);
        Shaping.Length height = length(map, "height", key, node.line(), true);
        if (x == null || y == null || width == null || height == null
                || !withinPicture(x, width, key, "x", "width", node.line()) | !withinPicture(y, height, key, "y", "height", node.line())) {
            return fallback;
        }
        boolean whole = x.value() == 0 && y.value() == 0 && width.percent() && width.value() == 100 && height.percent() && height.value() == 100;
        return whole ? null : new Shaping.Crop(x, y, width, height);
    }

    /** A crop side in percent must end inside the picture; in pixels it is checked against each frame (see FrameShaper). */
    private boolean withinPicture(Shaping.Length offset, Shaping.Length size, String key, String offsetName, String sizeName, int line) {
        if (offset.percent() && size.percent() && offset.value() + size.value() > 100) {
            problem(line, key, offsetName + " " + offset + " + " + sizeName + " " + size + " reaches past the picture's edge (100%)");
            return false;
        }
        return true;
    }

    /** A crop's x, y (from 0; default 0) or width, height (above 0; required): whole pixels or a percent like 12.5%. */
    private Shaping.Length length(Map<String, YamlTree.Node> map, String name, String key, int cropLine, boolean size) {
        YamlTree.Node node = map.get(name);
        String allowed = (size ? "a size above 0" : "an offset from 0") + " in whole pixels (e.g. 120) or percent of the source (e.g. 25%)";
        if (node == null || node.value() == null) {
            if (!size) {
                return new Shaping.Length(0, false);
            }
            problem(node == null ? cropLine : node.line(), key + "." + name, "missing; a crop needs x, y, width and height");
            return null;
        }
        Object value = node.value();
        String text = value.toString().trim();
        boolean percent = value instanceof String && text.endsWith("%");
        double number;
        try {
            number = Double.parseDouble(percent ? text.substring(0, text.length() - 1).trim() : text);
        } catch (NumberFormatException e) {
            number = Double.NaN;
        }
        double max = percent ? 100 : MAX_SIDE;
        boolean ok = !Double.isNaN(number) && (size ? number > 0 : number >= 0) && (size ? number <= max : number < max)
                && (percent || number == Math.rint(number));
        if (!ok) {
            problem(node.line(), key + "." + name, describe(value) + " is not allowed; expected " + allowed);
            return null;
        }
        return new Shaping.Length(number, percent);
    }

    /** true for the default overlay, false for none, or a mapping of what to change in the server-wide (or default) one. */
    private Shaping.TimestampOverlay overlay(YamlTree.Node node, String key, Shaping.TimestampOverlay base) {
        Shaping.TimestampOverlay start = base == null ? Shaping.TimestampOverlay.DEFAULT : base;
        Map<String, YamlTree.Node> map = node.asMap();
        if (map == null) {
            Boolean on = bool(node, key);
            return on == null ? base : on ? start : null;
        }
        map.forEach((name, value) -> {
            if (!OVERLAY_KEYS.contains(name)) {
                warnUnknown(value.line(), key + "." + name, name, OVERLAY_KEYS);
            }
        });
        Shaping.Corner position = start.position();
        YamlTree.Node positionNode = map.get("position");
        if (positionNode != null) {
            position = corner(positionNode, key + ".position", position);
        }
        boolean showId = start.showId();
        if (map.get("show_id") != null) {
            Boolean value = bool(map.get("show_id"), key + ".show_id");
            showId = value == null ? showId : value;
        }
        ZoneId zone = start.timeZone();
        String zoneText = string(map, "time_zone", key);
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText.trim());
            } catch (DateTimeException e) {
                problem(map.get("time_zone").line(), key + ".time_zone", "'" + zoneText + "' is not a time zone; use e.g. UTC, Europe/Berlin or +02:00");
            }
        }
        String format = start.format();
        String formatText = string(map, "format", key);
        if (formatText != null) {
            try {
                if (formatText.isBlank() || formatText.length() > 64) {
                    throw new IllegalArgumentException("must be 1 to 64 characters");
                }
                // Some patterns only fail when used (a field the time does not have): try one.
                DateTimeFormatter.ofPattern(formatText, Locale.ROOT).format(ZonedDateTime.now(zone));
                format = formatText;
            } catch (IllegalArgumentException | DateTimeException e) {
                problem(map.get("format").line(), key + ".format", "'" + formatText + "' is not a usable date-time pattern ("
                        + e.getMessage() + "); e.g. yyyy-MM-dd HH:mm:ss");
            }
        }
        return new Shaping.TimestampOverlay(position, showId, format, zone);
    }

    private Shaping.Corner corner(YamlTree.Node node, String key, Shaping.Corner fallback) {
        List<String> allowed = new ArrayList<>();
        for (Shaping.Corner corner : Shaping.Corner.values()) {
            allowed.add(corner.key());
            if (node.value() instanceof String text && text.trim().toLowerCase(Locale.ROOT).replace('_', '-').equals(corner.key())) {
                return corner;
            }
        }
        problem(node.line(), key, describe(node.value()) + " is not allowed; expected one of " + String.join(", ", allowed));
        return fallback;
    }

    private Duration seconds(Map<String, YamlTree.Node> map, String key, String path, double min, double max, Duration fallback) {
        YamlTree.Node node = map.get(key);
        if (node == null) {
            return fallback;
        }
        Double seconds = number(node, path + "." + key, min, max, "a number of seconds from " + format(min) + " to " + format(max));
        return seconds == null ? fallback : Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static String format(double number) {
        return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
    }

    private Path staleImage(YamlTree.Node node, String key) {
        if (!(node.value() instanceof String text) || text.isBlank()) {
            problem(node.line(), key, "expected a file path, got " + describe(node.value()));
            return null;
        }
        Path path;
        try {
            path = folder.resolve(text.trim()).normalize();
        } catch (InvalidPathException e) {
            problem(node.line(), key, "'" + text + "' is not a valid path");
            return null;
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problem(node.line(), key, "'" + text + "' (" + path + ") is not a readable file");
            return null;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null || !ImageIO.getImageReaders(in).hasNext()) {
                problem(node.line(), key, "'" + text + "' is not an image in a readable format (JPEG, PNG, GIF, BMP)");
                return null;
            }
        } catch (IOException e) {
            problem(node.line(), key, "'" + text + "' cannot be read: " + e.getMessage());
            return null;
        }
        return path;
    }

    private double fps(Map<String, YamlTree.Node> map, String key, String path, double fallback) {
        YamlTree.Node node = map.get(key);
        if (node == null) {
            return fallback;
        }
        Double value = number(node, path + "." + key, Double.MIN_VALUE, MAX_FPS, "a number of frames per second greater than 0 and at most 1000, e.g. 5 or .1");
        return value == null ? fallback : value;
    }

    private Double number(YamlTree.Node node, String key, double min, double max, String allowed) {
        Object value = node.value();
        Double number = null;
        if (value instanceof Number n) {
            number = n.doubleValue();
        } else if (value instanceof String text) {
            try {
                number = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                number = null;
            }
        }
        if (number == null || number.isNaN() || number < min || number > max) {
            problem(node.line(), key, describe(value) + " is not allowed; expected " + allowed);
            return null;
        }
        return number;
    }

    private Boolean bool(YamlTree.Node node, String key) {
        Object value = node.value();
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String text) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": return true;
                case "false": case "no": case "off": return false;
                default: break;
            }
        }
        problem(node.line(), key, describe(value) + " is not allowed; expected true or false");
        return null;
    }

    private <E extends Enum<E>> E enumValue(YamlTree.Node node, String key, Class<E> type) {
        Object value = node.value();
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            allowed.add(name);
            if (value instanceof String text && text.trim().toLowerCase(Locale.ROOT).replace('-', '_').equals(name)) {
                return constant;
            }
        }
        problem(node.line(), key, describe(value) + " is not allowed; expected one of " + String.join(", ", allowed));
        return null;
    }

    private String string(Map<String, YamlTree.Node> map, String key, String path) {
        YamlTree.Node node = map.get(key);
        if (node == null || node.value() == null) {
            return null;
        }
        Object value = node.value();
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Number || value instanceof Boolean) {
            // YAML reads "password: 1234" as a number; the user meant the text.
            return value.toString();
        }
        problem(node.line(), path + "." + key, "expected a text value, got " + describe(value));
        return null;
    }

    private Map<String, YamlTree.Node> mapping(YamlTree.Node node, String key) {
        Map<String, YamlTree.Node> map = node.asMap();
        if (map == null) {
            problem(node.line(), key, "expected a mapping of keys to values, got " + describe(node.value()));
        }
        return map;
    }

    private void warnUnknown(int line, String path, String key, Set<String> known) {
        String nearest = Suggestions.nearest(key, known);
        warnings.add(file + ":" + line + ": unknown key '" + path + "' is ignored"
                + (nearest == null ? "" : "; did you mean '" + nearest + "'?"));
    }

    private void problem(int line, String key, String message) {
        problems.add(file + ":" + line + ": " + key + ": " + message);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "an empty value";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "'" + value + "'";
    }
}
