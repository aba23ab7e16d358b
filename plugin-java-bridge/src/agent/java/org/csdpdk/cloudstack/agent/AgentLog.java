package org.csdpdk.cloudstack.agent;

import java.lang.reflect.Method;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs through the API the running agent logs with, found at run time, so that one jar serves every
 * CloudStack release: log4j 2 from 4.20 (VifDriverBase then has a field {@code logger} of its type),
 * log4j 1 in 4.18 and 4.19, else {@code java.util.logging}. No log4j class is linked: a missing method
 * can never break the driver, and a failing logger falls back to java.util.logging.
 */
final class AgentLog {
    private static final String LOG4J2_LOGGER = "org.apache.logging.log4j.Logger";
    private static final String LOG4J2_MANAGER = "org.apache.logging.log4j.LogManager";
    private static final String LOG4J1_LOGGER = "org.apache.log4j.Logger";

    private final String name;
    private final String api;
    private final Object target;
    private final Method info;
    private final Method warn;
    private final Method error;
    private final Method debug;        // null: java.util.logging's FINE
    private final Method debugEnabled; // isDebugEnabled(), or null
    private final Logger jul;

    private AgentLog(String name, String api, Object target, Method info, Method warn, Method error) {
        this.name = name;
        this.api = target == null ? "jul" : api;
        this.target = target;
        this.info = info;
        this.warn = warn;
        this.error = error;
        this.debug = target == null ? null : method(target, "debug");
        this.debugEnabled = target == null ? null : noArgs(target, "isDebugEnabled");
        this.jul = Logger.getLogger(name);
    }

    /** The agent's logger named {@code name}; {@code base} is the agent class whose logger type tells the API. */
    static AgentLog find(String name, Class<?> base) {
        ClassLoader loader = base.getClassLoader();
        try {
            if (LOG4J2_LOGGER.equals(base.getDeclaredField("logger").getType().getName())) {
                Class<?> manager = Class.forName(LOG4J2_MANAGER, true, loader);
                Object logger = manager.getMethod("getLogger", String.class).invoke(null, name);
                Class<?> type = Class.forName(LOG4J2_LOGGER, true, loader);
                return new AgentLog(name, "log4j2", logger, type.getMethod("info", String.class),
                        type.getMethod("warn", String.class), type.getMethod("error", String.class));
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // not 4.20+, or no log4j 2 here: try log4j 1
        }
        try {
            Class<?> type = Class.forName(LOG4J1_LOGGER, true, loader);
            Object logger = type.getMethod("getLogger", String.class).invoke(null, name);
            return new AgentLog(name, "log4j1", logger, type.getMethod("info", Object.class), type.getMethod("warn", Object.class),
                    type.getMethod("error", Object.class));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new AgentLog(name, "jul", null, null, null, null);
        }
    }

    /**
     * The logger the agent hands its hooks (log4j 1 in 4.18 and 4.19, log4j 2 from 4.20, anything with
     * info/warn or info/warning methods taking a String or an Object), else java.util.logging.
     */
    static AgentLog of(Object logger, String name) {
        if (logger != null) {
            Method info = method(logger, "info");
            Method warn = method(logger, "warn");
            if (warn == null) {
                warn = method(logger, "warning");
            }
            Method error = method(logger, "error");
            if (info != null && warn != null) {
                return new AgentLog(name, logger.getClass().getName(), logger, info, warn, error != null ? error : warn);
            }
        }
        return new AgentLog(name, "jul", null, null, null, null);
    }

    private static Method method(Object target, String name) {
        for (Class<?> param : new Class<?>[] {String.class, Object.class}) {
            try {
                return target.getClass().getMethod(name, param);
            } catch (NoSuchMethodException | RuntimeException e) {
                // the next signature
            }
        }
        return null;
    }

    private static Method noArgs(Object target, String name) {
        try {
            Method m = target.getClass().getMethod(name);
            return m.getReturnType() == boolean.class ? m : null;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What a failure says in a log line: csdpdk's message (code and cause) or the settings' (the line
     * named), else the exception itself, with its class.
     */
    static String why(Throwable e) {
        return e instanceof org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperException
                || e instanceof javax.naming.ConfigurationException ? e.getMessage() : e.toString();
    }

    /** Which API this logger writes through: log4j2, log4j1 or jul. */
    String api() {
        return api;
    }

    void info(String message) {
        write(info, Level.INFO, message);
    }

    void warn(String message) {
        write(warn, Level.WARNING, message);
    }

    void error(String message) {
        write(error, Level.SEVERE, message);
    }

    void debug(String message) {
        if (debug != null) {
            write(debug, Level.FINE, message);
        } else {
            jul.log(Level.FINE, message);
        }
    }

    boolean debugEnabled() {
        if (debugEnabled != null) {
            try {
                return (Boolean) debugEnabled.invoke(target);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // as java.util.logging says
            }
        }
        return jul.isLoggable(Level.FINE);
    }

    /**
     * This log as a {@link System.Logger}, for the bridge ({@code DpdkHelperOptions.logger}): its lines
     * (each csdpdk call at debug, csdpdk's stderr as a warning) go where the driver's go.
     */
    System.Logger asSystemLogger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean isLoggable(System.Logger.Level level) {
                return level != System.Logger.Level.OFF
                        && (level.getSeverity() >= System.Logger.Level.INFO.getSeverity() || debugEnabled());
            }

            @Override
            public void log(System.Logger.Level level, ResourceBundle bundle, String message, Throwable thrown) {
                String text = localized(bundle, message);
                write(level, thrown == null ? text : text + ": " + thrown);
            }

            @Override
            public void log(System.Logger.Level level, ResourceBundle bundle, String format, Object... params) {
                String text = localized(bundle, format);
                if (params != null && params.length > 0) {
                    try {
                        text = MessageFormat.format(text, params);
                    } catch (IllegalArgumentException e) {
                        // not a pattern: the text as it is, as java.util.logging does
                    }
                }
                write(level, text);
            }

            private String localized(ResourceBundle bundle, String key) {
                if (bundle != null && key != null && bundle.containsKey(key)) {
                    Object text = bundle.getObject(key);
                    return text instanceof String ? (String) text : key;
                }
                return key;
            }

            private void write(System.Logger.Level level, String message) {
                if (!isLoggable(level)) {
                    return;
                }
                int severity = level.getSeverity();
                if (severity >= System.Logger.Level.ERROR.getSeverity()) {
                    error(message);
                } else if (severity >= System.Logger.Level.WARNING.getSeverity()) {
                    warn(message);
                } else if (severity >= System.Logger.Level.INFO.getSeverity()) {
                    info(message);
                } else {
                    debug(message);
                }
            }
        };
    }

    private void write(Method method, Level level, String message) {
        if (target != null) {
            try {
                method.invoke(target, message);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                // fall through to java.util.logging
            }
        }
        jul.log(level, message);
    }

    @Override
    public String toString() {
        return name + " (" + api() + ")";
    }
}
