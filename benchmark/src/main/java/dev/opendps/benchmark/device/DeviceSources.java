package dev.opendps.benchmark.device;

import dev.opendps.benchmark.load.ScriptSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which device registers on the next connection. Devices are spread round-robin over the groups:
 * device {@code n} belongs to group {@code n % groups}.
 */
public final class DeviceSources {

    private DeviceSources() {
    }

    /** Devices never seen before: {@code <prefix>-<n>}, each key derived (and each token signed) when it is used. */
    public static ScriptSource firstTime(DeviceTransport transport, RegistrationTarget target, String prefix,
                                         List<byte[]> groupKeys) {
        AtomicLong next = new AtomicLong();
        return () -> {
            long n = next.getAndIncrement();
            String registrationId = prefix + "-" + n;
            byte[] groupKey = groupKeys.get((int) (n % groupKeys.size()));
            return transport.script(target, Device.ofGroup(registrationId, groupKey));
        };
    }

    /** A fixed pool {@code <prefix>-<i>}, {@code i < count}; keys derived once up front. */
    public static List<Device> pool(String prefix, int count, List<byte[]> groupKeys) {
        List<Device> devices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            devices.add(Device.ofGroup(prefix + "-" + i, groupKeys.get(i % groupKeys.size())));
        }
        return devices;
    }

    /** Each device of the pool once, then exhausted (to warm returning devices). */
    public static ScriptSource once(DeviceTransport transport, RegistrationTarget target, List<Device> pool) {
        AtomicLong next = new AtomicLong();
        return () -> {
            long n = next.getAndIncrement();
            return n < pool.size() ? transport.script(target, pool.get((int) n)) : null;
        };
    }

    /** The pool round-robin, forever; each registration signs a fresh token. */
    public static ScriptSource cycling(DeviceTransport transport, RegistrationTarget target, List<Device> pool) {
        AtomicLong next = new AtomicLong();
        return () -> transport.script(target, pool.get((int) (next.getAndIncrement() % pool.size())));
    }
}
