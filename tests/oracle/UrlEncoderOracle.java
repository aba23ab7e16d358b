// The oracle for csdpdk's URL encoding of offering details: each line of
// standard input (UTF-8) encoded by Java's own URLEncoder.encode(s, UTF-8),
// the call CloudStack's documentation and tools use, one line out per line in.
//
//   java UrlEncoderOracle.java < strings
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

public class UrlEncoderOracle {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            out.println(URLEncoder.encode(line, StandardCharsets.UTF_8));
        }
        out.flush();
    }
}
