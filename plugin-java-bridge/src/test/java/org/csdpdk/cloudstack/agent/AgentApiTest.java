package org.csdpdk.cloudstack.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The jars the agent loads, read back with {@code javap}: they hold no class of CloudStack, libvirt-java,
 * log4j or Gson, their bytecode is Java 11's, every CloudStack member they use exists with the same
 * descriptor in 4.18.0.0, 4.19.0.0, 4.20.0.0 and 4.21.0.0 (src/test/resources/cloudstack-api.txt, recorded
 * from those releases' sources), and every Gson member they use exists in Gson 1.7.2 and 2.10.1
 * (gson-1.7.2-api.txt: the members the two share, recorded from their sources). A reference to a member the lists lack fails the test with its name.
 */
class AgentApiTest {
    static final Path BUILD = Path.of("build");
    static final Path AGENT_JAR = BUILD.resolve("csdpdk-cloudstack-agent.jar");
    static final Path BRIDGE_JAR = BUILD.resolve("csdpdk-bridge.jar");
    static final List<String> RELEASES = List.of("4.18.0.0", "4.19.0.0", "4.20.0.0", "4.21.0.0");
    static final Pattern REF = Pattern.compile(
            "=\\s+(Methodref|InterfaceMethodref|Fieldref)\\s+\\S+\\s+//\\s+(\\S+)\\.(\"<init>\"|[^.:\\s]+):(\\S+)");
    static final Pattern SUPER = Pattern.compile("^\\s*super_class:\\s+#\\d+\\s+//\\s+(\\S+)", Pattern.MULTILINE);
    static final Pattern THIS = Pattern.compile("^\\s*this_class:\\s+#\\d+\\s+//\\s+(\\S+)", Pattern.MULTILINE);
    static final Pattern MAJOR = Pattern.compile("major version: (\\d+)");
    /** An instruction that uses a static member: "owner.name:descriptor" in its comment. */
    static final Pattern STATIC_USE = Pattern.compile(
            "\\b(?:invokestatic|getstatic|putstatic)\\s+#\\d+\\s+//\\s+(?:Method|InterfaceMethod|Field)\\s+(\\S+)\\.(\"<init>\"|[^.:\\s]+):(\\S+)");

    /** One member reference of a class file: owner, name, descriptor. */
    static final class Ref {
        final String owner;
        final String name;
        final String descriptor;

        Ref(String owner, String name, String descriptor) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
        }

        @Override
        public String toString() {
            return owner + "." + name + descriptor;
        }
    }

    /**
     * A recorded API: per class its superclass and members "name descriptor" with their access
     * (public, protected, package, private, then +static...), per release (or one).
     */
    static final class Api {
        final Map<String, String> superOf = new HashMap<>();
        final Map<String, Map<String, String>> members = new HashMap<>();

        void put(String cls, String kind, String access, String name, String descriptor) {
            if (kind.equals("class")) {
                superOf.put(cls, name);
            } else if (kind.equals("method") || kind.equals("field")) {
                members.computeIfAbsent(cls, k -> new HashMap<>()).put(name + " " + descriptor, access);
            }
        }

        /** The member in cls or a superclass the list knows. */
        boolean has(String cls, String name, String descriptor) {
            return access(cls, name, descriptor) != null;
        }

        /** The access of the member in cls or a superclass the list knows ("public" for the JDK's), or null. */
        String access(String cls, String name, String descriptor) {
            for (String c = cls; c != null; c = superOf.get(c)) {
                String a = members.getOrDefault(c, Map.of()).get(name + " " + descriptor);
                if (a != null) {
                    return a;
                }
                if (c.startsWith("java/")) {
                    return jdkAccess(c, name, descriptor); // the chain left the list for the JDK (Exception, Enum)
                }
            }
            return null;
        }

        /** Is 'ancestor' cls or one of its superclasses? */
        boolean extendsFrom(String cls, String ancestor) {
            for (String c = cls; c != null; c = superOf.get(c)) {
                if (c.equals(ancestor)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Why code in 'from' (whose first superclass outside our jars is 'fromBase') cannot use the
         * member as it does ('isStatic': an invokestatic, getstatic or putstatic), or null: a private or
         * package-private member, a protected one of a class that is not its superclass, or a static
         * used as an instance member or the reverse (IllegalAccessError, IncompatibleClassChangeError).
         */
        String misuse(String fromBase, Ref target, boolean isStatic) {
            String a = access(target.owner, target.name, target.descriptor);
            if (a == null) {
                return null; // missing: said apart
            }
            if (a.startsWith("private") || a.startsWith("package")) {
                return a + " " + target;
            }
            if (a.startsWith("protected") && (fromBase == null || !extendsFrom(fromBase, target.owner))) {
                return "protected " + target + " used outside a subclass";
            }
            if (a.contains("static") != isStatic) {
                return (isStatic ? "instance member used as static: " : "static member used as an instance one: ") + target;
            }
            return null;
        }

        boolean knows(String cls) {
            return superOf.containsKey(cls);
        }
    }

    /**
     * The access of a public or protected method of a JDK class (or its superclasses) with this
     * descriptor, as the lists write it ("public", "protected+static"...), or null.
     */
    static String jdkAccess(String cls, String name, String descriptor) {
        try {
            for (Class<?> c = Class.forName(cls.replace('/', '.')); c != null; c = c.getSuperclass()) {
                for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                    int mod = m.getModifiers();
                    if (m.getName().equals(name) && descriptor.equals(descriptor(m.getParameterTypes(), m.getReturnType()))
                            && (java.lang.reflect.Modifier.isPublic(mod) || java.lang.reflect.Modifier.isProtected(mod))) {
                        return (java.lang.reflect.Modifier.isPublic(mod) ? "public" : "protected")
                                + (java.lang.reflect.Modifier.isStatic(mod) ? "+static" : "");
                    }
                }
            }
        } catch (ClassNotFoundException e) {
            return null;
        }
        return null;
    }

    static String descriptor(Class<?>[] params, Class<?> ret) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : params) {
            b.append(descriptor(p));
        }
        return b.append(')').append(descriptor(ret)).toString();
    }

    static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (c.isPrimitive()) {
            return String.valueOf("ZBCSIJFDV".charAt(List.of(boolean.class, byte.class, char.class, short.class,
                    int.class, long.class, float.class, double.class, void.class).indexOf(c)));
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }

    static Map<String, Api> cloudStackApi() throws IOException {
        Map<String, Api> byRelease = new HashMap<>();
        for (String line : resource("cloudstack-api.txt")) {
            String[] f = line.split(" ");
            byRelease.computeIfAbsent(f[0], k -> new Api()).put(f[1], f[2], f[3], f[4], f[5]);
        }
        return byRelease;
    }

    static Api gsonApi() throws IOException {
        Api api = new Api();
        for (String line : resource("gson-1.7.2-api.txt")) {
            String[] f = line.split(" ");
            api.put(f[0], f[1], f[2], f[3], f[4]);
        }
        return api;
    }

    static List<String> resource(String name) throws IOException {
        try (InputStream in = AgentApiTest.class.getResourceAsStream("/" + name)) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return out;
        }
    }

    static List<String> classes(Path jar) throws IOException {
        List<String> out = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(j.entries())) {
                if (e.getName().endsWith(".class")) {
                    out.add(e.getName().substring(0, e.getName().length() - ".class".length()));
                }
            }
        }
        return out;
    }

    /** javap -v of every class of the jar, one text per class. */
    static Map<String, String> javap(Path jar) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javapBinary(), "-v", "-p", "-cp", jar.toString()));
        for (String c : classes(jar)) {
            cmd.add(c.replace('/', '.'));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "javap: " + text);
        Map<String, String> out = new HashMap<>();
        for (String part : text.split("(?m)^Classfile ")) {
            Matcher m = THIS.matcher(part);
            if (m.find()) {
                out.put(m.group(1), part);
            }
        }
        assertEquals(classes(jar).size(), out.size(), "javap printed every class");
        return out;
    }

    static String javapBinary() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "javap");
        return Files.isExecutable(p) ? p.toString() : "javap";
    }

    static List<Ref> refs(String javap) {
        List<Ref> out = new ArrayList<>();
        Matcher m = REF.matcher(javap);
        while (m.find()) {
            out.add(new Ref(m.group(2), m.group(3).replace("\"", ""), m.group(4)));
        }
        return out;
    }

    /** The members the class's code uses as static ones: "owner.name:descriptor". */
    static Set<String> staticUses(String javap) {
        Set<String> out = new TreeSet<>();
        Matcher m = STATIC_USE.matcher(javap);
        while (m.find()) {
            out.add(m.group(1) + "." + m.group(2).replace("\"", "") + ":" + m.group(3));
        }
        return out;
    }

    /** The first superclass of one of our classes that is outside our jars. */
    static String baseOutside(String javap, Map<String, String> ours) {
        Matcher m = SUPER.matcher(javap);
        String owner = m.find() ? m.group(1) : null;
        while (owner != null && ours.containsKey(owner)) {
            Matcher n = SUPER.matcher(ours.get(owner));
            owner = n.find() ? n.group(1) : null;
        }
        return owner;
    }

    /** A reference to one of our classes' inherited members resolves in the first superclass outside our jars. */
    static Ref resolve(Ref r, Map<String, String> ours) throws Exception {
        String owner = r.owner;
        while (ours.containsKey(owner)) {
            if (declares(ours.get(owner), r.name, r.descriptor)) {
                return null; // our own member
            }
            Matcher m = SUPER.matcher(ours.get(owner));
            assertTrue(m.find(), owner + ": no super_class in javap's output");
            owner = m.group(1);
        }
        return new Ref(owner, r.name, r.descriptor);
    }

    static boolean declares(String javap, String name, String descriptor) {
        return declared(javap).contains(name + " " + descriptor);
    }

    /** The members javap -v -p lists for one class: "name descriptor" ("<init>" for constructors). */
    static Set<String> declared(String javap) {
        Set<String> out = new TreeSet<>();
        Pattern decl = Pattern.compile("^  (?:[\\w.$<>\\[\\], ?]+ )?([\\w$.]+)(\\(.*\\))?(?: throws .*)?;$");
        String name = null;
        for (String line : javap.split("\n")) {
            Matcher m = decl.matcher(line);
            if (m.matches()) {
                name = m.group(1);
                if (m.group(2) != null && name.contains(".")) {
                    name = "<init>";
                }
            } else if (name != null && line.startsWith("    descriptor: ")) {
                out.add(name + " " + line.substring("    descriptor: ".length()));
                name = null;
            }
        }
        return out;
    }

    @Test
    void theJarsHoldOnlyCsdpdkClassesForJava11() throws Exception {
        for (Path jar : List.of(AGENT_JAR, BRIDGE_JAR)) {
            for (String c : classes(jar)) {
                assertTrue(c.startsWith("org/csdpdk/cloudstack/agent/")
                        || c.startsWith("org/apache/cloudstack/hypervisor/kvm/dpdk/helper/"), jar + " holds " + c);
            }
            for (Map.Entry<String, String> e : javap(jar).entrySet()) {
                Matcher m = MAJOR.matcher(e.getValue());
                assertTrue(m.find(), e.getKey());
                assertEquals("55", m.group(1), e.getKey() + ": Java 11 bytecode (major 55)");
            }
        }
        assertTrue(classes(AGENT_JAR).contains("org/csdpdk/cloudstack/agent/CsdpdkVifDriver"));
        assertTrue(classes(AGENT_JAR).contains("org/apache/cloudstack/hypervisor/kvm/dpdk/helper/DpdkHelperClient"),
                "the agent's jar carries the bridge it calls");
        try (JarFile j = new JarFile(AGENT_JAR.toFile())) {
            assertEquals(null, j.getManifest().getMainAttributes().getValue("Class-Path"),
                    "the jar the agent loads names no other jar (no second Gson on the agent's class path)");
        }
    }

    @Test
    void everyCloudStackMemberUsedExistsInTheFourReleases() throws Exception {
        Map<String, Api> apis = cloudStackApi();
        assertEquals(new TreeSet<>(RELEASES), new TreeSet<>(apis.keySet()), "the recorded releases");
        Map<String, String> ours = new HashMap<>(javap(AGENT_JAR));
        ours.putAll(javap(BRIDGE_JAR));
        Set<String> missing = new TreeSet<>();
        Set<String> misused = new TreeSet<>();
        int checked = 0;
        for (String javap : ours.values()) {
            Set<String> statics = staticUses(javap);
            String base = baseOutside(javap, ours);
            Matcher sm = SUPER.matcher(javap);
            if (sm.find() && isAgentApi(sm.group(1))) {
                for (String release : RELEASES) {
                    if (!apis.get(release).knows(sm.group(1))) {
                        missing.add(release + ": superclass " + sm.group(1));
                    }
                }
            }
            for (Ref r : refs(javap)) {
                Ref target = resolve(r, ours);
                if (target == null || !isAgentApi(target.owner)) {
                    continue;
                }
                checked++;
                boolean isStatic = statics.contains(r.owner + "." + r.name + ":" + r.descriptor);
                for (String release : RELEASES) {
                    if (!apis.get(release).has(target.owner, target.name, target.descriptor)) {
                        missing.add(release + ": " + target);
                    }
                    String why = apis.get(release).misuse(base, target, isStatic);
                    if (why != null) {
                        misused.add(release + ": " + why);
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "members absent from a release: " + missing);
        assertTrue(misused.isEmpty(), "members the driver cannot use as it does: " + misused);
        assertTrue(checked >= 8, "the driver's references to the agent's API were found (" + checked + ")");
    }

    @Test
    void theDriverOverridesTheStockMethodsWithTheirSignatures() throws Exception {
        Map<String, Api> apis = cloudStackApi();
        String javap = javap(AGENT_JAR).get("org/csdpdk/cloudstack/agent/CsdpdkVifDriver");
        String ovs = "com/cloud/hypervisor/kvm/resource/OvsVifDriver";
        String[][] overrides = {
            {"configure", "(Ljava/util/Map;)V"},
            {"plug", "(Lcom/cloud/agent/api/to/NicTO;Ljava/lang/String;Ljava/lang/String;Ljava/util/Map;)"
                    + "Lcom/cloud/hypervisor/kvm/resource/LibvirtVMDef$InterfaceDef;"},
            {"unplug", "(Lcom/cloud/hypervisor/kvm/resource/LibvirtVMDef$InterfaceDef;Z)V"},
            {"plugDPDKInterface", "(Lcom/cloud/hypervisor/kvm/resource/LibvirtVMDef$InterfaceDef;Ljava/lang/String;"
                    + "Ljava/util/Map;Ljava/lang/String;Ljava/lang/String;Lcom/cloud/agent/api/to/NicTO;Ljava/lang/String;)V"},
        };
        for (String[] o : overrides) {
            assertTrue(declares(javap, o[0], o[1]), "CsdpdkVifDriver declares " + o[0] + o[1]);
            for (String release : RELEASES) {
                assertTrue(apis.get(release).has(ovs, o[0], o[1]), release + ": OvsVifDriver has " + o[0] + o[1]);
            }
        }
    }

    @Test
    void everyGsonMemberUsedExistsInGson172() throws Exception {
        Api gson = gsonApi();
        Set<String> missing = new TreeSet<>();
        Set<String> misused = new TreeSet<>();
        int checked = 0;
        for (Path jar : List.of(AGENT_JAR, BRIDGE_JAR)) {
            for (String javap : javap(jar).values()) {
                Set<String> statics = staticUses(javap);
                for (Ref r : refs(javap)) {
                    if (!r.owner.startsWith("com/google/gson/")) {
                        continue;
                    }
                    checked++;
                    if (!gson.has(r.owner, r.name, r.descriptor)) {
                        missing.add(r.toString());
                    }
                    // No class of ours extends one of Gson's: protected is as good as private here.
                    String why = gson.misuse(null, r, statics.contains(r.owner + "." + r.name + ":" + r.descriptor));
                    if (why != null) {
                        misused.add(why);
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "Gson members absent from 1.7.2 (or 2.10.1): " + missing);
        assertTrue(misused.isEmpty(), "Gson members the bridge cannot use as it does: " + misused);
        assertTrue(checked > 10, "the bridge's Gson references were found (" + checked + ")");
    }

    /**
     * Gson 1.7.2 can neither make nor write a field of type JsonElement by reflection ("Unable to invoke
     * no-args constructor for class com.google.gson.JsonElement"; a JsonObject written as its own
     * internals): no class of the bridge may have one that is not transient.
     */
    @Test
    void noFieldGsonReflectsOnIsAJsonElement() throws Exception {
        Set<String> found = new TreeSet<>();
        for (String c : classes(BRIDGE_JAR)) {
            for (java.lang.reflect.Field f : Class.forName(c.replace('/', '.')).getDeclaredFields()) {
                int mod = f.getModifiers();
                if (com.google.gson.JsonElement.class.isAssignableFrom(f.getType())
                        && !java.lang.reflect.Modifier.isTransient(mod) && !java.lang.reflect.Modifier.isStatic(mod)) {
                    found.add(c + "." + f.getName());
                }
            }
        }
        assertTrue(found.isEmpty(), "fields Gson 1.7.2 cannot (de)serialise: " + found);
    }

    @Test
    void theListsCatchAMemberOfALaterRelease() throws Exception {
        // The check itself must be able to fail: NicTO.getNetworkSegmentName is 4.20+, JsonParser.parseString 2.8.6+.
        Map<String, Api> apis = cloudStackApi();
        assertFalse(apis.get("4.18.0.0").has("com/cloud/agent/api/to/NicTO", "getNetworkSegmentName",
                "()Ljava/lang/String;"));
        assertTrue(apis.get("4.21.0.0").has("com/cloud/agent/api/to/NicTO", "getNetworkSegmentName",
                "()Ljava/lang/String;"));
        assertFalse(gsonApi().has("com/google/gson/JsonParser", "parseString",
                "(Ljava/lang/String;)Lcom/google/gson/JsonElement;"));
        assertTrue(gsonApi().has("com/google/gson/JsonObject", "isJsonNull", "()Z"), "inherited from JsonElement");
        // And a member used in a way its access or kind forbids: package-private isGuestPVEnabled, the
        // protected dpdkSupport from a class that does not extend LibvirtComputingResource, a static as
        // an instance member.
        Api a = apis.get("4.18.0.0");
        String lcr = "com/cloud/hypervisor/kvm/resource/LibvirtComputingResource";
        String ovs = "com/cloud/hypervisor/kvm/resource/OvsVifDriver";
        assertTrue(a.misuse(ovs, new Ref(lcr, "isGuestPVEnabled", "(Ljava/lang/String;)Z"), false).startsWith("package"));
        assertTrue(a.misuse(ovs, new Ref(lcr, "dpdkSupport", "Z"), false).contains("outside a subclass"));
        assertEquals(null, a.misuse(ovs, new Ref("com/cloud/hypervisor/kvm/resource/VifDriverBase", "_pifs",
                "Ljava/util/Map;"), false), "protected, inherited");
        assertTrue(gsonApi().misuse(null, new Ref("com/google/gson/JsonObject", "isJsonNull", "()Z"), true)
                .startsWith("instance member used as static"));
    }

    static boolean isAgentApi(String owner) {
        return owner.startsWith("com/cloud/") || owner.startsWith("org/libvirt/")
                || owner.startsWith("org/apache/cloudstack/") && !owner.startsWith("org/apache/cloudstack/hypervisor/kvm/dpdk/helper/");
    }
}
