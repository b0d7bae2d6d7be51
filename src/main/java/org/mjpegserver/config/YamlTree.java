package org.mjpegserver.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into plain maps, lists and scalars that remember their line. Jackson's own tree model
 * forgets locations and silently keeps the last of two duplicate keys; a config error must name its line.
 */
final class YamlTree {

    /** A value and the line it starts on; {@code value} is a Map, a List, a String, a Number, a Boolean or null. */
    record Node(Object value, int line) {

        @SuppressWarnings("unchecked")
        Map<String, Node> asMap() {
            return value instanceof Map ? (Map<String, Node>) value : null;
        }
    }

    /** A problem found while reading, such as a duplicate key; reading goes on. */
    interface ProblemSink {
        void problem(int line, String key, String message);
    }

    /**
     * Without buffer recycling: Jackson's default pool keeps a buffer in a ThreadLocal of the calling thread, and
     * the config is read on Tomcat's deploying thread, which outlives the webapp; that buffer would keep the
     * undeployed webapp's class loader (every class of it) in memory after each redeploy.
     */
    private static final YAMLFactory FACTORY = (YAMLFactory) new YAMLFactory().setRecyclerPool(JsonRecyclerPools.nonRecyclingPool());

    private YamlTree() {
    }

    /** Reads one YAML document; an empty document is an empty map. */
    static Node read(Reader reader, ProblemSink problems) throws IOException {
        try (JsonParser parser = FACTORY.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Node(new LinkedHashMap<String, Node>(), 1);
            }
            return readValue(parser, "", problems);
        }
    }

    /** The 1-based line of a parse error, or 0 when the exception has no location. */
    static int lineOf(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        return location == null ? 0 : location.getLineNr();
    }

    private static Node readValue(JsonParser parser, String path, ProblemSink problems) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, Node> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    String keyPath = path.isEmpty() ? key : path + "." + key;
                    parser.nextToken();
                    Node value = readValue(parser, keyPath, problems);
                    Node previous = map.put(key, new Node(value.value(), keyLine));
                    if (previous != null) {
                        problems.problem(keyLine, keyPath, "duplicate key, first defined on line " + previous.line());
                    }
                }
                return new Node(map, line);
            }
            case START_ARRAY: {
                List<Node> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(readValue(parser, path + "[" + list.size() + "]", problems));
                }
                return new Node(list, line);
            }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Node(parser.getNumberValue(), line);
            case VALUE_TRUE:
                return new Node(Boolean.TRUE, line);
            case VALUE_FALSE:
                return new Node(Boolean.FALSE, line);
            case VALUE_NULL:
                return new Node(null, line);
            default:
                return new Node(parser.getText(), line);
        }
    }
}
