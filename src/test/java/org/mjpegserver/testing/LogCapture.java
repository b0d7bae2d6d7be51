package org.mjpegserver.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Records what some loggers and their children log while open. The embedded Tomcat of the container tests runs in
 * the test JVM, and JUL loggers are JVM-wide by name, so a handler here also sees what the deployed webapp logs
 * through its own class loader. Records are kept as text only: a record's parameters or exception could reference
 * the webapp's classes and keep an undeployed webapp's class loader alive.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /** One record: its level, logger, formatted message, and the message with any stack trace. */
    public record Entry(Level level, String logger, String message, String text) {
    }

    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    // Strong references: JUL holds loggers weakly, and a collected logger would lose the handler.
    private final List<Logger> loggers = new ArrayList<>();
    private final Map<Logger, Level> raised = new HashMap<>();
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private LogCapture(String... loggerNames) {
        setLevel(Level.ALL);
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            logger.addHandler(this);
            loggers.add(logger);
        }
    }

    /** Captures each named logger and everything below it; "" is the root logger. */
    public static LogCapture of(String... loggerNames) {
        return new LogCapture(loggerNames);
    }

    /** Keeps only records at {@code level} or above. */
    public LogCapture minimum(Level level) {
        setLevel(level);
        return this;
    }

    /** Lets {@code loggerName} log down to {@code level} until this capture closes (Tomcat's are WARNING in tests). */
    public LogCapture atLeast(String loggerName, Level level) {
        Logger target = Logger.getLogger(loggerName);
        raised.putIfAbsent(target, target.getLevel());
        target.setLevel(level);
        return this;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Each record as a person would read it: logger, level, formatted message and any stack trace. */
    public List<String> texts() {
        return entries.stream().map(Entry::text).toList();
    }

    /** Waits for a record that matches; fails with what was logged meanwhile. */
    public Entry await(Predicate<Entry> wanted, Duration within, String what) {
        Entry[] found = new Entry[1];
        Await.until(within, () -> {
            for (Entry entry : entries) {
                if (wanted.test(entry)) {
                    found[0] = entry;
                    return true;
                }
            }
            return false;
        }, () -> "no log record " + what + "; got:\n" + String.join("\n", texts()));
        return found[0];
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !isLoggable(record)) {
            return;
        }
        String message = FORMAT.formatMessage(record);
        StringBuilder text = new StringBuilder()
                .append(record.getLoggerName()).append(' ').append(record.getLevel()).append(": ").append(message);
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        entries.add(new Entry(record.getLevel(), record.getLoggerName(), message, text.toString()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeHandler(this));
        raised.forEach(Logger::setLevel);
        raised.clear();
    }
}
