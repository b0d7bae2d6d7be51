package org.mjpegserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.JreMemoryLeakPreventionListener;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;

/**
 * A Tomcat in the test JVM that deploys and undeploys the real, built WAR as often as a test likes, which
 * Arquillian (one deployment per class) cannot. Server listeners as in Tomcat's stock server.xml, so that
 * JVM quirks Tomcat guards against in production are guarded against here too.
 */
final class EmbeddedTomcat implements AutoCloseable {

    private final Tomcat tomcat = new Tomcat();
    private final Path baseDir;

    private EmbeddedTomcat(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** Starts on {@code port} (0: any free port) with nothing deployed. */
    static EmbeddedTomcat start(int port) throws IOException, LifecycleException {
        Path baseDir = Files.createTempDirectory("mjpeg-tomcat");
        Files.createDirectories(baseDir.resolve("webapps"));
        EmbeddedTomcat embedded = new EmbeddedTomcat(baseDir);
        Tomcat tomcat = embedded.tomcat;
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(port);
        tomcat.getConnector();
        tomcat.getHost();
        tomcat.getServer().addLifecycleListener(new JreMemoryLeakPreventionListener());
        tomcat.start();
        if (tomcat.getConnector().getState() != LifecycleState.STARTED) {
            embedded.close();
            throw new IllegalStateException("Tomcat could not listen on port " + port + " (in use?)");
        }
        return embedded;
    }

    /**
     * Adds another HTTP connector on any free port, with {@code attributes} as on a server.xml {@code <Connector>},
     * and returns its port.
     */
    int addConnector(Map<String, String> attributes) {
        Connector connector = new Connector();
        connector.setPort(0);
        attributes.forEach((name, value) -> {
            if (!connector.setProperty(name, value)) {
                throw new IllegalArgumentException("unknown connector attribute " + name);
            }
        });
        tomcat.getService().addConnector(connector);
        if (connector.getState() != LifecycleState.STARTED) {
            throw new IllegalStateException("the connector with " + attributes + " did not start");
        }
        return connector.getLocalPort();
    }

    /** The WAR that `mvn package` built, as users deploy it. */
    static Path war() {
        Path war = Path.of(System.getProperty("mjpeg.war", "target/mjpeg-server.war")).toAbsolutePath();
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war + " is missing: run `mvn package` first");
        }
        return war;
    }

    /** Points the server at {@code config} the way an operator would, by the system property it reads first. */
    static void useConfig(Path config) {
        System.setProperty(ConfigLocator.PROPERTY, config.toString());
    }

    int port() {
        return tomcat.getConnector().getLocalPort();
    }

    String base() {
        return "http://127.0.0.1:" + port() + "/";
    }

    StandardHost host() {
        return (StandardHost) tomcat.getHost();
    }

    /** Deploys {@code war} as the root context and starts it; fails if the webapp did not start. */
    Context deploy(Path war) {
        return deploy(war, "");
    }

    /** Deploys {@code war} at {@code path} ("" for the root, else "/name") and starts it; fails if it did not start. */
    Context deploy(Path war, String path) {
        StandardContext context = new StandardContext();
        context.setName(path);
        context.setPath(path);
        context.setDocBase(war.toString());
        context.addLifecycleListener(EmbeddedTomcat::addDefaultServlet);
        ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(tomcat.noDefaultWebXmlPath());
        context.addLifecycleListener(config);
        host().addChild(context);
        if (!context.getState().isAvailable()) {
            host().removeChild(context);
            throw new IllegalStateException("the webapp did not start (state " + context.getState() + ")");
        }
        return context;
    }

    /** What Tomcat's conf/web.xml adds to every webapp, minus the JSP servlet: Jasper is not on the test class path. */
    private static void addDefaultServlet(LifecycleEvent event) {
        if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
            Context context = (Context) event.getLifecycle();
            Wrapper files = Tomcat.addServlet(context, "default", "org.apache.catalina.servlets.DefaultServlet");
            files.setLoadOnStartup(1);
            files.setOverridable(true);
            context.addServletMappingDecoded("/", "default");
            Tomcat.addDefaultMimeTypeMappings(context);
            context.addWelcomeFile("index.html");
        }
    }

    /** Stops and destroys the context, as the manager's undeploy does. */
    void undeploy(Context context) {
        host().removeChild(context);
    }

    /** Names of stopped webapps whose class loader a full GC could not collect (the manager's "find leaks"). */
    List<String> findLeaks() {
        return List.of(host().findReloadedContextMemoryLeaks());
    }

    @Override
    public void close() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
        deleteQuietly(baseDir);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp folder left behind is no reason to fail a test.
        }
    }
}
