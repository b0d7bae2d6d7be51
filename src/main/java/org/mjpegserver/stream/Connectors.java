package org.mjpegserver.stream;

import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The HTTP connectors of the Tomcat this web application runs in, and the size of their socket write buffers
 * ({@code socket.appWriteBufSize}): the most a non-blocking write can hand over without Tomcat copying the rest
 * into a heap array. Tomcat publishes each connector's endpoint as JMX beans ({@code type=ThreadPool} with its
 * port, {@code type=SocketProperties} with its buffers) in the domain named after its engine; that is read once
 * per port. In another container, or with JMX registration turned off, every connector counts as Tomcat's
 * default of 8 KB.
 */
public final class Connectors {

    /** Tomcat's default {@code socket.appWriteBufSize}. */
    static final int DEFAULT_WRITE_BUFFER = 8192;
    /** A 1280x720 camera JPEG: the frame size the start-up advice is about. */
    static final int TYPICAL_FRAME = 100 * 1024;
    /** What the Docker image sets, and the README advises: a 720p frame fits whole. */
    static final int ADVISED_WRITE_BUFFER = 131072;
    /** What that saves, from the benchmark's stock and tuned connectors side by side (README, Performance). */
    private static final String MEASURED_SAVING = "about a third less CPU per frame";

    private static final Logger LOG = Logger.getLogger(Connectors.class.getName());

    /** One HTTP connector: its endpoint's name ({@code http-nio-8080}), port and socket write buffer size. */
    record Connector(String name, int port, int writeBuffer) {
    }

    private final MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    private final String domain;
    private final Map<Integer, Integer> writeBuffers = new ConcurrentHashMap<>();

    private Connectors(String domain) {
        this.domain = domain;
    }

    /**
     * The connectors of this application's engine: Tomcat names a context's virtual server
     * {@code engine/host}, and the engine's name is its JMX domain (another Tomcat in the same JVM is not ours).
     */
    public static Connectors of(ServletContext context) {
        String server = context.getVirtualServerName();
        int slash = server == null ? -1 : server.indexOf('/');
        return new Connectors(slash > 0 ? server.substring(0, slash) : "*");
    }

    /** The socket write buffer size of the connector listening on {@code localPort}. */
    public int writeBuffer(int localPort) {
        return writeBuffers.computeIfAbsent(localPort, port -> connectors().stream()
                .filter(connector -> connector.port() == port).findFirst()
                .map(Connector::writeBuffer).orElse(DEFAULT_WRITE_BUFFER));
    }

    /** The HTTP connectors Tomcat's JMX beans show (AJP ones are left out: they do not serve browsers). */
    List<Connector> connectors() {
        List<Connector> found = new ArrayList<>();
        try {
            for (ObjectName pool : beans.queryNames(new ObjectName(domain + ":type=ThreadPool,name=*"), null)) {
                String name = pool.getKeyProperty("name");
                if (name.startsWith("\"ajp-")) {
                    continue;
                }
                ObjectName socket = new ObjectName(pool.getDomain() + ":type=SocketProperties,name=" + name);
                if (!beans.isRegistered(socket)) {
                    continue;
                }
                int port = ((Number) beans.getAttribute(pool, "localPort")).intValue();
                int buffer = ((Number) beans.getAttribute(socket, "appWriteBufSize")).intValue();
                found.add(new Connector(ObjectName.unquote(name), port, buffer));
            }
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.FINE, "Tomcat's connectors are not readable over JMX; assuming 8 KB socket write buffers", e);
        }
        return found;
    }

    /**
     * What to change in server.xml when the connector on {@code localPort} sends a {@code frameBytes} part in more
     * than one piece; null when the part fits its buffer.
     */
    public String advice(int localPort, int frameBytes) {
        int buffer = writeBuffer(localPort);
        return frameBytes <= buffer ? null : advice(buffer, frameBytes, "the connector on port " + localPort);
    }

    /** One line per HTTP connector whose buffer is smaller than a typical frame, for the log at start. */
    public List<String> adviceAtStart() {
        List<String> lines = new ArrayList<>();
        for (Connector connector : connectors()) {
            if (connector.writeBuffer() < TYPICAL_FRAME) {
                lines.add(advice(connector.writeBuffer(), TYPICAL_FRAME,
                        "HTTP connector " + connector.name() + " (port " + connector.port() + ")"));
            }
        }
        return lines;
    }

    private static String advice(int buffer, int frameBytes, String connector) {
        int pieces = (frameBytes + buffer - 1) / buffer;
        return connector + " has a socket write buffer of " + kilobytes(buffer) + " (socket.appWriteBufSize), smaller than a "
                + kilobytes(frameBytes) + " frame, so every frame goes to every viewer in " + pieces + " writes."
                + " In server.xml, socket.appWriteBufSize=\"" + ADVISED_WRITE_BUFFER + "\" socket.directBuffer=\"true\""
                + " on that <Connector> sends frames up to " + kilobytes(ADVISED_WRITE_BUFFER) + " in one write"
                + " (measured with 1000 viewers of 100 KB frames: " + MEASURED_SAVING + "), at the cost of "
                + kilobytes(ADVISED_WRITE_BUFFER) + " of native memory per open connection.";
    }

    private static String kilobytes(int bytes) {
        return (bytes + 1023) / 1024 + " KB";
    }

}
