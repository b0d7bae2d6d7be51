package org.mjpegserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects log records at or above a level under some logger names, as text only: a record's parameters or
 * exception could reference a webapp's classes and keep its class loader alive.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    // Held strongly: JUL forgets the configuration (our handler) of a logger nobody references.
    private final List<Logger> loggers = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogCapture(Level level, String... loggerNames) {
        setLevel(level);
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            logger.addHandler(this);
            loggers.add(logger);
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            String thrown = record.getThrown() == null ? "" : " [" + record.getThrown() + "]";
            lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + formatter.formatMessage(record) + thrown);
        }
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeHandler(this));
    }
}
