package org.apache.log4j;

/** TEST CODE: the shape of log4j 1's Logger, as CloudStack 4.18 and 4.19 have it (reload4j). */
public class Logger extends Category {
    public static Logger getLogger(String name) {
        return new Logger();
    }
}
