package org.csdpdk.cloudstack.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * AgentLog through each logging API an agent may have, found at run time: classes of the shapes of
 * log4j 1 (4.18, 4.19) and log4j 2 (4.20+) and of VifDriverBase in each era, compiled apart
 * (src/test/fake-log4j, build/fake-log4j) and loaded through their own class loader, so that no other
 * test sees them; and java.util.logging where neither is there.
 */
class AgentLogTest {
    static final Path FAKES = Path.of("build", "fake-log4j");

    @SuppressWarnings("unchecked")
    static List<String> lines(ClassLoader loader, String holder) throws Exception {
        return (List<String>) Class.forName(holder, true, loader).getField("LINES").get(null);
    }

    @Test
    void log4j2WhereVifDriverBaseHasItsLogger() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {FAKES.toUri().toURL()}, getClass().getClassLoader())) {
            AgentLog log = AgentLog.find("csdpdk", Class.forName("fake.Log4j2Base", true, loader));
            assertEquals("log4j2", log.api());
            log.info("one");
            log.warn("two");
            log.error("three");
            assertEquals(List.of("INFO one", "WARN two", "ERROR three"),
                    lines(loader, "org.apache.logging.log4j.LogManager"));
        }
    }

    @Test
    void theBridgesLinesGoWhereTheDriversGo() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {FAKES.toUri().toURL()}, getClass().getClassLoader())) {
            System.Logger log = AgentLog.find("csdpdk", Class.forName("fake.Log4j2Base", true, loader)).asSystemLogger();
            log.log(System.Logger.Level.WARNING, "csdpdk stderr: {0}", "boom");
            log.log(System.Logger.Level.INFO, "plain {0}");
            log.log(System.Logger.Level.INFO, "not a pattern {", "x");
            java.util.ResourceBundle bundle = new java.util.ListResourceBundle() {
                @Override
                protected Object[][] getContents() {
                    return new Object[][] {{"greeting", "hello {0}"}, {"number", 42}};
                }
            };
            log.log(System.Logger.Level.INFO, bundle, "greeting", "there");
            log.log(System.Logger.Level.INFO, bundle, "number", (Throwable) null);
            log.log(System.Logger.Level.INFO, bundle, "absent", (Throwable) null);
            log.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("why"));
            // No isDebugEnabled on this logger: java.util.logging's level decides (INFO by default).
            log.log(System.Logger.Level.DEBUG, "{0} -> exit 0", "csdpdk plug");
            assertEquals(List.of("WARN csdpdk stderr: boom", "INFO plain {0}", "INFO not a pattern {",
                    "INFO hello there", "INFO number", "INFO absent", "ERROR failed: java.lang.IllegalStateException: why"),
                    lines(loader, "org.apache.logging.log4j.LogManager"));
            assertEquals(false, log.isLoggable(System.Logger.Level.DEBUG));
            assertEquals(false, log.isLoggable(System.Logger.Level.OFF));
        }
    }

    @Test
    void log4j1WhereItIsOnTheClassPath() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {FAKES.toUri().toURL()}, getClass().getClassLoader())) {
            AgentLog log = AgentLog.find("csdpdk", Class.forName("fake.Log4j1Base", true, loader));
            assertEquals("log4j1", log.api());
            log.info("one");
            log.warn("two");
            assertEquals(List.of("INFO one", "WARN two"), lines(loader, "org.apache.log4j.Category"));
        }
    }

    @Test
    void javaUtilLoggingWhereNeitherIs() {
        assertEquals("jul", AgentLog.find("csdpdk", AgentLogTest.class).api());
    }

    @Test
    void theHooksLoggerWhateverItIs() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {FAKES.toUri().toURL()}, getClass().getClassLoader())) {
            Object log4j1 = Class.forName("org.apache.log4j.Logger", true, loader).getMethod("getLogger", String.class)
                    .invoke(null, "hook");
            AgentLog log = AgentLog.of(log4j1, "csdpdk");
            log.warn("kept as it came");
            assertEquals(List.of("WARN kept as it came"), lines(loader, "org.apache.log4j.Category"));
        }
        assertEquals("jul", AgentLog.of(null, "csdpdk").api());
        assertEquals("java.util.logging.Logger", AgentLog.of(java.util.logging.Logger.getLogger("x"), "csdpdk").api());
    }
}
