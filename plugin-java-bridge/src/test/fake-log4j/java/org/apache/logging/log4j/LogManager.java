package org.apache.logging.log4j;

import java.util.ArrayList;
import java.util.List;

/** TEST CODE: log4j 2's LogManager.getLogger(String), whose loggers record what they are given. */
public final class LogManager {
    public static final List<String> LINES = new ArrayList<>();

    private LogManager() {
    }

    public static Logger getLogger(String name) {
        return new Logger() {
            @Override
            public void info(String message) {
                LINES.add("INFO " + message);
            }

            @Override
            public void warn(String message) {
                LINES.add("WARN " + message);
            }

            @Override
            public void error(String message) {
                LINES.add("ERROR " + message);
            }
        };
    }
}
