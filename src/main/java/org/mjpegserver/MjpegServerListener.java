package org.mjpegserver;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.mjpegserver.config.ConfigException;
import org.mjpegserver.config.ConfigLoader;
import org.mjpegserver.config.ServerConfig;
import org.mjpegserver.api.Metrics;
import org.mjpegserver.frames.FrameStore;
import org.mjpegserver.stream.Connectors;
import org.mjpegserver.stream.StreamClock;

/**
 * Boots the server when the web application starts and stops all of it when it stops. A missing config fails the
 * deployment with every place that was looked at, a broken one with one message that lists every problem.
 */
public final class MjpegServerListener implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(MjpegServerListener.class.getName());

    private final FrameStore store = new FrameStore();
    private MjpegServer server;
    private Metrics metrics;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        // ImageIO's registry belongs to the JVM: make it see this webapp's TwelveMonkeys readers.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
        ConfigLocator.Location location = ConfigLocator.locate(context);
        Path file = location.file();
        if (Files.notExists(file)) {
            // Most often a first start: say where we looked and how to point at a file, not just "cannot be read".
            throw failure(location.notFound());
        }
        try {
            ServerConfig config = ConfigLoader.load(file);
            config.warnings().forEach(LOG::warning);
            metrics = new Metrics(store);
            server = MjpegServer.start(config, store, metrics);
            server.every(ConfigWatcher.INTERVAL_MILLIS, new ConfigWatcher(file, server));
            LOG.info(() -> "mjpeg-server started with " + config.images().size() + " image(s) from " + file
                    + ": " + String.join(", ", config.images().keySet()));
        } catch (ConfigException e) {
            throw failure(e.getMessage());
        }
        context.setAttribute(FrameStore.class.getName(), store);
        context.setAttribute(StreamClock.class.getName(), server.clock());
        Connectors connectors = Connectors.of(context);
        // Most Tomcats run with the stock server.xml: say once what it costs streams, and what to change.
        connectors.adviceAtStart().forEach(LOG::warning);
        context.setAttribute(Connectors.class.getName(), connectors);
        var servlet = context.addServlet("metrics", metrics.servlet());
        servlet.addMapping("/metrics");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        context.removeAttribute(FrameStore.class.getName());
        context.removeAttribute(StreamClock.class.getName());
        context.removeAttribute(Connectors.class.getName());
        if (server != null) {
            server.close();
            server = null;
        }
        releaseWhatTheJvmHolds();
        LOG.info("mjpeg-server stopped");
    }

    private RuntimeException failure(String message) {
        LOG.severe(message);
        releaseWhatTheJvmHolds();
        return new DeploymentFailure(message);
    }

    /** What JVM-wide registries and caches hold of this webapp, which would keep its class loader after it stops. */
    private void releaseWhatTheJvmHolds() {
        ImagePlugins.deregister(getClass().getClassLoader());
        RecordMethodCaches.release();
    }

    /** Fails the deployment without a stack trace: the message already says everything the user needs. */
    private static final class DeploymentFailure extends RuntimeException {
        DeploymentFailure(String message) {
            super(message, null, false, false);
        }
    }
}
