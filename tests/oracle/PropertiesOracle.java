// The oracle for csdpdk's agent.properties reader: what Java's own
// Properties.load(InputStream) reads, which is how the CloudStack agent loads
// agent.properties (PropertiesUtil.loadFromFile).
//
//   java PropertiesOracle.java gen DIR N SEED   write the named cases and N generated files
//   java PropertiesOracle.java dump KEY FILE... one line per file, as tests/properties-dump prints
//
// dump prints "FILE VALUE": VALUE is the hex of the value's UTF-8 bytes, "-"
// when empty, "null" when the key is absent, "error" when load throws.
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;

public class PropertiesOracle {
    static final String KEY = "openvswitch.dpdk.ovs.path";

    // Named cases: the line ends, continuations, separators and escapes an
    // operator's file may have. The key under test is KEY.
    static final String[][] NAMED = {
        {"lf", "# agent\nopenvswitch.dpdk.ovs.path=/run/ovs\n"},
        {"crlf", "# agent\r\nopenvswitch.dpdk.ovs.path=/run/ovs\r\n"},
        {"cr-only", "# agent\r\ropenvswitch.dpdk.ovs.path=/run/ovs\r"},
        {"cr-only-blank-lines", "a=1\r\r\r\ropenvswitch.dpdk.ovs.path=/run/ovs\r"},
        {"mixed-ends", "a=1\r\n\ropenvswitch.dpdk.ovs.path=/x\n\r\nopenvswitch.dpdk.ovs.path=/run/ovs"},
        {"continuation", "openvswitch.dpdk.ovs.path=/run/\\\n    ovs\n"},
        {"continuation-cr", "openvswitch.dpdk.ovs.path=/run/\\\r    ovs\r"},
        {"continuation-crlf", "openvswitch.dpdk.ovs.path=/run/\\\r\n\t ovs\r\n"},
        {"continued-key", "openvswitch.dpdk.\\\n  ovs.path=/run/ovs\n"},
        {"continuation-into-comment", "openvswitch.dpdk.ovs.path=/run/\\\n#ovs\n"},
        {"continuation-then-blank", "openvswitch.dpdk.ovs.path=/run/\\\n\nx=1\n"},
        {"escaped-backslash-at-end", "openvswitch.dpdk.ovs.path=/run/\\\\\nx=1\n"},
        {"three-backslashes-at-end", "openvswitch.dpdk.ovs.path=/run/\\\\\\\nx\n"},
        {"backslash-at-eof", "openvswitch.dpdk.ovs.path=/run/ovs\\"},
        {"lone-continuation-then-comment", "\\\n#openvswitch.dpdk.ovs.path=/a\nopenvswitch.dpdk.ovs.path=/b\n"},
        {"colon", "openvswitch.dpdk.ovs.path:/run/ovs\n"},
        {"blank-separator", "openvswitch.dpdk.ovs.path /run/ovs\n"},
        {"tab-formfeed", "\f\topenvswitch.dpdk.ovs.path\t\f=\t/run/ovs\t\n"},
        {"two-separators", "openvswitch.dpdk.ovs.path = = /run/ovs\n"},
        {"colon-then-equals", "openvswitch.dpdk.ovs.path :=/run/ovs\n"},
        {"trailing-blanks-kept", "openvswitch.dpdk.ovs.path=/run/ovs  \n"},
        {"empty-value", "openvswitch.dpdk.ovs.path=\n"},
        {"key-only", "openvswitch.dpdk.ovs.path\n"},
        {"last-wins", "openvswitch.dpdk.ovs.path=/a\nopenvswitch.dpdk.ovs.path=/b\n"},
        {"escaped-key", "openvswitch\\.dpdk\\.ovs\\.path=/run/ovs\n"},
        {"unicode-key", "openvswitch.dpdk.ovs\\u002epath=/run/ovs\n"},
        {"unicode-value", "openvswitch.dpdk.ovs.path=/run/\\u00e9\\u4e2d\\ud83d\\ude00\n"},
        {"lone-surrogate", "openvswitch.dpdk.ovs.path=/run/\\ud83d\n"},
        {"malformed-unicode", "openvswitch.dpdk.ovs.path=/run/\\u00g1\n"},
        {"short-unicode", "openvswitch.dpdk.ovs.path=/run/\\u00"},
        {"malformed-elsewhere", "x=\\uZZZZ\nopenvswitch.dpdk.ovs.path=/run/ovs\n"},
        {"escapes", "openvswitch.dpdk.ovs.path=\\t\\n\\r\\f\\q\\=\\:\\ \\#\n"},
        {"latin1", "openvswitch.dpdk.ovs.path=/run/\u00e9t\u00e9\n"},
        {"utf8-bytes-read-as-latin1", "openvswitch.dpdk.ovs.path=/run/\u00c3\u00a9\n"},
        {"comment-bang", "  ! openvswitch.dpdk.ovs.path=/a\nopenvswitch.dpdk.ovs.path=/b\n"},
        {"comment-with-backslash", "#x\\\nopenvswitch.dpdk.ovs.path=/run/ovs\n"},
        {"leading-blanks", "   \t openvswitch.dpdk.ovs.path=/run/ovs\n"},
        {"nul-byte", "openvswitch.dpdk.ovs.path=/run/\u0000ovs\n"},
        {"no-final-newline", "openvswitch.dpdk.ovs.path=/run/ovs"},
        {"empty-file", ""},
    };

    static final String[] KEY_PIECES = {KEY, KEY, KEY, "a", "openvswitch.dpdk\\.ovs.path",
        "openvswitch.dpdk.ovs\\u002epath", "open\\\nvswitch.dpdk.ovs.path", "#" + KEY, "!x", ""};
    static final String[] SEPARATORS = {"=", ":", " ", "\t", "\f", " = ", "\t:\t", "  ", "==", " :=",
        "\\=", ""};
    static final String[] VALUE_PIECES = {"/run/ovs", "/var/run/openvswitch", " ", "\\", "\\\\",
        "\\\\\\", "\\u00e9", "\\u00E9", "\\uD83D\\uDE00", "\\ud83d", "\\t", "\\n", "\\x", "#", "!",
        "=", ":", "\u00e9", "\u00ff", "\u0080", "\u0000", "\\u0000", "/", "a b", "\\uzzzz", "\\u12"};
    static final String[] ENDS = {"\n", "\r", "\r\n", "\n\n", "\r\r", "\\\n", "\\\r", "\\\r\n",
        "\\\\\n", " \\\n  ", "\n\r"};
    static final String[] LINES = {"# comment", "! comment", "   # indented", "", "   ", "\t\f",
        "#\\", "x=1"};

    static String pick(Random r, String[] a) {
        return a[r.nextInt(a.length)];
    }

    static String generate(Random r) {
        StringBuilder sb = new StringBuilder();
        int lines = 1 + r.nextInt(6);
        for (int i = 0; i < lines; i++) {
            if (r.nextInt(3) == 0) {
                sb.append(pick(r, LINES));
            } else {
                if (r.nextInt(4) == 0) sb.append(r.nextBoolean() ? "  " : "\t");
                sb.append(pick(r, KEY_PIECES)).append(pick(r, SEPARATORS));
                int n = r.nextInt(4);
                for (int k = 0; k < n; k++) {
                    // Keep malformed escapes rare, so that most files load.
                    String v = pick(r, VALUE_PIECES);
                    if ((v.equals("\\uzzzz") || v.equals("\\u12")) && r.nextInt(8) != 0) v = "/x";
                    sb.append(v);
                }
            }
            if (i < lines - 1 || r.nextInt(4) != 0) sb.append(pick(r, ENDS));
        }
        return sb.toString();
    }

    // Every char of these strings is one byte (ISO-8859-1), as Properties.load reads them.
    static void write(Path p, String s) throws IOException {
        Files.write(p, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 4 && args[0].equals("gen")) {
            Path dir = Path.of(args[1]);
            Files.createDirectories(dir);
            for (String[] c : NAMED) write(dir.resolve("named-" + c[0]), c[1]);
            Random r = new Random(Long.parseLong(args[3]));
            int n = Integer.parseInt(args[2]);
            for (int i = 0; i < n; i++) write(dir.resolve(String.format("gen-%05d", i)), generate(r));
            return;
        }
        if (args.length >= 2 && args[0].equals("dump")) {
            StringBuilder out = new StringBuilder();
            for (int i = 2; i < args.length; i++) {
                String shown;
                try (InputStream in = new FileInputStream(args[i])) {
                    Properties props = new Properties();
                    props.load(in);
                    String v = props.getProperty(args[1]);
                    if (v == null) {
                        shown = "null";
                    } else if (v.isEmpty()) {
                        shown = "-";
                    } else {
                        StringBuilder hex = new StringBuilder();
                        for (byte b : v.getBytes(StandardCharsets.UTF_8)) hex.append(String.format("%02x", b & 0xff));
                        shown = hex.toString();
                    }
                } catch (IllegalArgumentException e) {
                    shown = "error";
                }
                out.append(args[i]).append(' ').append(shown).append('\n');
            }
            System.out.print(out);
            return;
        }
        System.err.println("usage: PropertiesOracle gen DIR N SEED | dump KEY FILE...");
        System.exit(2);
    }
}
