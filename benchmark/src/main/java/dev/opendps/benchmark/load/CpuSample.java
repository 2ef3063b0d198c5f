package dev.opendps.benchmark.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time used so far by this process, by the whole machine ({@code /proc/stat}) and, when its PID is
 * known, by the server process ({@code /proc/<pid>/stat}); two samples give how the cores were shared.
 */
public record CpuSample(long wallNanos, long clientCpuNanos, long machineBusyTicks, long machineIrqTicks,
                        long serverTicks) {

    /** Linux's USER_HZ; /proc reports CPU time in these ticks. */
    private static final double TICKS_PER_SECOND = 100.0;

    public static CpuSample take(OptionalLong serverPid) {
        long wall = System.nanoTime();
        long client = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            client = os.getProcessCpuTime();
        }
        long busy = -1;
        long irq = -1;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long total = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                total += Long.parseLong(cpu[i]);
            }
            busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]);
            irq = Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
        } catch (IOException | RuntimeException e) {
            // not Linux: machine figures stay unknown
        }
        long server = -1;
        if (serverPid.isPresent()) {
            try {
                String stat = Files.readString(Path.of("/proc/" + serverPid.getAsLong() + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                server = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                // process gone or not Linux
            }
        }
        return new CpuSample(wall, client, busy, irq, server);
    }

    /** Cores kept busy between two samples, by whom; -1 where unknown. */
    public CpuUsage until(CpuSample end) {
        double seconds = (end.wallNanos - wallNanos) / 1e9;
        double client = clientCpuNanos < 0 || end.clientCpuNanos < 0 ? -1
                : (end.clientCpuNanos - clientCpuNanos) / 1e9 / seconds;
        double machine = machineBusyTicks < 0 || end.machineBusyTicks < 0 ? -1
                : (end.machineBusyTicks - machineBusyTicks) / TICKS_PER_SECOND / seconds;
        double server = serverTicks < 0 || end.serverTicks < 0 ? -1
                : (end.serverTicks - serverTicks) / TICKS_PER_SECOND / seconds;
        double irq = machineIrqTicks < 0 || end.machineIrqTicks < 0 ? -1
                : (end.machineIrqTicks - machineIrqTicks) / TICKS_PER_SECOND / seconds;
        return new CpuUsage(client, server, irq, machine, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Average busy cores over a window. {@code interruptCores} is the kernel's interrupt and softirq time (on
     * loopback, much of the TCP work), which Linux charges to no process.
     */
    public record CpuUsage(double clientCores, double serverCores, double interruptCores, double machineCores,
                           int cores) {
        public static final CpuUsage UNKNOWN = new CpuUsage(-1, -1, -1, -1, Runtime.getRuntime().availableProcessors());

        /** Cores used by other processes: a sign of a noisy measurement. */
        public double otherCores() {
            return clientCores < 0 || serverCores < 0 || interruptCores < 0 || machineCores < 0 ? -1
                    : Math.max(0, machineCores - clientCores - serverCores - interruptCores);
        }
    }
}
