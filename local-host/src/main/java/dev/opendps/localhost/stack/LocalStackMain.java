package dev.opendps.localhost.stack;

import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.LocalHostMain;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./start-local.sh}: runs the local DPS until SIGTERM or Ctrl-C. */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalHostMain.useOneLineLogs();
        LocalStack stack = LocalStack.start(AppSettings.load(), Path.of("").toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            System.out.println("OpenDPS stopped");
            stopped.countDown();
        }, "local-stack-shutdown"));
        LocalHostMain.printSummary(stack.host(), System.out);
        stack.printSummary(System.out);
        stopped.await();
    }
}
