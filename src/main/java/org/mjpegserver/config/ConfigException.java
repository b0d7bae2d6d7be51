package org.mjpegserver.config;

import java.nio.file.Path;
import java.util.List;

/** A configuration that cannot be used, with every problem found in it (not just the first). */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(Path file, List<String> problems) {
        super(format(file, problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(Path file, List<String> problems) {
        StringBuilder message = new StringBuilder("Invalid configuration ").append(file).append(" (")
                .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
        for (String problem : problems) {
            message.append("\n  - ").append(problem);
        }
        return message.toString();
    }
}
