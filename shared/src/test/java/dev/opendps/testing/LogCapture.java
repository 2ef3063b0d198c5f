package dev.opendps.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every line the loggers of some classes write, at every level, while it is open: for tests that check what
 * reaches the logs (e.g. that no secret does). Closing it puts the loggers' levels back.
 */
public final class LogCapture implements AutoCloseable {
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
    }

    public static LogCapture of(Class<?>... classes) {
        LogCapture capture = new LogCapture();
        for (Class<?> type : classes) {
            Logger logger = Logger.getLogger(type.getName());
            capture.loggers.add(logger);
            capture.levels.add(logger.getLevel());
            logger.setLevel(Level.ALL);
            logger.addHandler(capture.handler);
        }
        return capture;
    }

    /** The formatted lines so far, in order. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).removeHandler(handler);
            loggers.get(i).setLevel(levels.get(i));
        }
    }
}
