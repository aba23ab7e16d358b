package org.apache.logging.log4j;

/** TEST CODE: the shape of log4j 2's Logger interface (info/warn/error(String)). */
public interface Logger {
    void info(String message);

    void warn(String message);

    void error(String message);
}
