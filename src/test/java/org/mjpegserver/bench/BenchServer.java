package org.mjpegserver.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Runs the built WAR as the root context of an embedded Tomcat with its default NIO connector on a free loopback
 * port, as its own process for {@link Benchmark}. The config comes by {@code -Dmjpeg.server.config}. Prints
 * {@code READY <port>} once it serves; stops when stdin closes.
 * <p>
 * Arguments: the WAR, a scratch folder for Tomcat, and optionally connector attributes as
 * {@code name=value,name=value} (for example {@code maxThreads=8,socket.appWriteBufSize=65536}), set as server.xml
 * would set them; {@code protocol=...} picks the protocol handler, as the attribute of that name does in server.xml.
 * A fourth argument, a folder of parts, adds {@link CeilingServlet} at {@code /ceiling/} beside the WAR.
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Path war = Path.of(args[0]).toAbsolutePath();
        Path base = Path.of(args[1]).toAbsolutePath();
        Path webapps = Files.createDirectories(base.resolve("webapps"));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        String[] attributes = args.length > 2 ? args[2].split(",") : new String[0];
        String protocol = "HTTP/1.1";
        for (String attribute : attributes) {
            if (attribute.trim().startsWith("protocol=")) {
                protocol = attribute.trim().substring("protocol=".length());
            }
        }
        Connector connector = new Connector(protocol);
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        for (String attribute : attributes) {
            if (attribute.isBlank() || attribute.trim().startsWith("protocol=")) {
                continue;
            }
            String[] pair = attribute.split("=", 2);
            if (pair.length != 2 || !connector.setProperty(pair[0].trim(), pair[1].trim())) {
                throw new IllegalArgumentException("connector attribute not applied: " + attribute);
            }
            System.out.println("connector " + pair[0].trim() + "=" + connector.getProperty(pair[0].trim()));
        }
        tomcat.setConnector(connector);
        tomcat.getHost().setAppBase(webapps.toString());
        tomcat.addWebapp("", war.toString());
        if (args.length > 3) {
            Context ceiling = tomcat.addContext("/ceiling", Files.createDirectories(base.resolve("ceiling")).toString());
            Tomcat.addServlet(ceiling, "ceiling", new CeilingServlet(Path.of(args[3]))).setAsyncSupported(true);
            ceiling.addServletMappingDecoded("/*", "ceiling");
        }
        tomcat.start();
        System.out.println("READY " + connector.getLocalPort());
        System.out.println("protocol " + connector.getProtocolHandlerClassName());
        while (System.in.read() != -1) {
            // Wait for the parent to close stdin (or die).
        }
        tomcat.stop();
        tomcat.destroy();
        System.exit(0);
    }
}
