package org.mjpegserver.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Runs the built WAR as the root context of an embedded Tomcat with an NIO connector on a free loopback port, as
 * its own process for {@link Benchmark}. The config comes by {@code -Dmjpeg.server.config}, connector attributes
 * by {@code -Dbench.connector=name=value,...}. Prints
 * {@code READY <port>} once it serves; stops when stdin closes.
 * <p>
 * Arguments: the WAR, a scratch folder for Tomcat.
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
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // The same connector attributes as the Docker image's server.xml, so the figures are the image's.
        for (String attribute : System.getProperty("bench.connector", "").split(",")) {
            int equals = attribute.indexOf('=');
            if (equals > 0 && !connector.setProperty(attribute.substring(0, equals).trim(), attribute.substring(equals + 1).trim())) {
                throw new IllegalArgumentException("unknown connector attribute " + attribute);
            }
        }
        tomcat.setConnector(connector);
        tomcat.getHost().setAppBase(webapps.toString());
        tomcat.addWebapp("", war.toString());
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
