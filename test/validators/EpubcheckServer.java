import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * epubcheck's own command line, run in one JVM for the whole test suite (test/global-setup.ts
 * starts it). A JVM start and epubcheck's schema loading cost about 4 s of CPU per run; a warm
 * check of a small book costs 0.2 s. Each request is one line, the EPUB's path; the answer is
 * the exit status on a line, then everything epubcheck printed, exactly as its CLI prints it.
 * Checks run one at a time (System.out is global). The server exits when its stdin closes, so
 * it never outlives the test run that started it.
 */
public class EpubcheckServer {
  public static void main(String[] args) throws IOException {
    ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    PrintStream standardOut = System.out;
    PrintStream standardErr = System.err;
    standardOut.println(server.getLocalPort());
    standardOut.flush();
    Thread parentWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {}
      } catch (IOException ignored) {
      }
      System.exit(0);
    });
    parentWatch.setDaemon(true);
    parentWatch.start();
    while (true) {
      try (Socket socket = server.accept()) {
        String path = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(printed, true, UTF_8);
        int status;
        System.setOut(capture);
        System.setErr(capture);
        try {
          status = new EpubChecker().run(new String[] { path });
        } catch (Throwable error) {
          error.printStackTrace(capture);
          status = 99;
        } finally {
          System.setOut(standardOut);
          System.setErr(standardErr);
        }
        OutputStream answer = socket.getOutputStream();
        answer.write((status + "\n").getBytes(UTF_8));
        answer.write(printed.toByteArray());
      }
    }
  }
}
