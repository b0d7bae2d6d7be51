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
 * Records java.util.logging records of a logger and its children while open. The embedded Tomcat of the
 * container tests runs in the test JVM, and JUL loggers are JVM-wide by name, so a handler here also sees what
 * the deployed webapp logs through its own class loader.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    // Strong references: JUL holds loggers weakly, and a collected logger would lose the handler.
    private final Logger logger;
    private final Map<Logger, Level> raised = new HashMap<>();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures {@code loggerName} and everything below it; "" is the root logger. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(Logger.getLogger(loggerName));
    }

    /** Lets {@code loggerName} log down to {@code level} until this capture closes (Tomcat's are WARNING in tests). */
    public LogCapture atLeast(String loggerName, Level level) {
        Logger target = Logger.getLogger(loggerName);
        raised.putIfAbsent(target, target.getLevel());
        target.setLevel(level);
        return this;
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record as a person would read it: logger, level, formatted message and any stack trace. */
    public List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (LogRecord record : records) {
            texts.add(text(record));
        }
        return texts;
    }

    public static String text(LogRecord record) {
        StringBuilder text = new StringBuilder()
                .append(record.getLoggerName()).append(' ').append(record.getLevel()).append(": ")
                .append(FORMAT.formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        return text.toString();
    }

    /** Waits for a record that matches; fails with what was logged meanwhile. */
    public LogRecord await(Predicate<LogRecord> wanted, Duration within, String what) {
        LogRecord[] found = new LogRecord[1];
        Await.until(within, () -> {
            for (LogRecord record : records) {
                if (wanted.test(record)) {
                    found[0] = record;
                    return true;
                }
            }
            return false;
        }, () -> "no log record " + what + "; got:\n" + String.join("\n", texts()));
        return found[0];
    }

    @Override
    public void publish(LogRecord record) {
        if (record != null) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        raised.forEach(Logger::setLevel);
        raised.clear();
    }
}
