package org.apache.log4j;

import java.util.ArrayList;
import java.util.List;

/** TEST CODE: the shape of log4j 1's Category (info/warn/error(Object)), recording what it is given. */
public class Category {
    public static final List<String> LINES = new ArrayList<>();

    public void info(Object message) {
        LINES.add("INFO " + message);
    }

    public void warn(Object message) {
        LINES.add("WARN " + message);
    }

    public void error(Object message) {
        LINES.add("ERROR " + message);
    }
}
