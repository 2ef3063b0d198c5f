package dev.opendps.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.benchmark.device.Device;
import dev.opendps.benchmark.device.DeviceRegistrationScript;
import dev.opendps.benchmark.device.RegistrationOutcome;
import dev.opendps.benchmark.device.RegistrationTarget;
import dev.opendps.benchmark.device.SharedAccessSignatures;
import dev.opendps.benchmark.load.CpuSample;
import dev.opendps.benchmark.load.PhaseRecorder;
import dev.opendps.benchmark.load.PhaseResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/** Calls an {@link InProcessRegistration} directly from {@code concurrency} threads and measures it. */
final class InProcessPhase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InProcessRegistration registration;
    private final RegistrationTarget target;
    private final int concurrency;
    private final OptionalLong serverPid;

    InProcessPhase(InProcessRegistration registration, RegistrationTarget target, int concurrency,
                   OptionalLong serverPid) {
        this.registration = registration;
        this.target = target;
        this.concurrency = concurrency;
        this.serverPid = serverPid;
    }

    /**
     * The implementation named, or the first one {@link ServiceLoader} finds when {@code className} is empty;
     * {@code null} when there is none on the class path.
     */
    static InProcessRegistration load(String className) throws ReflectiveOperationException {
        if (className == null || className.isBlank()) {
            return ServiceLoader.load(InProcessRegistration.class).findFirst().orElse(null);
        }
        Class<?> type;
        try {
            type = Class.forName(className.trim());
        } catch (ClassNotFoundException e) {
            return null;
        }
        return (InProcessRegistration) type.getDeclaredConstructor().newInstance();
    }

    /** Runs {@code devices} for indexes {@code [0, count)} without measuring (JIT and store warm-up). */
    void warm(LongFunction<Device> devices, long count) throws InterruptedException {
        execute(devices, count, new PhaseRecorder());
    }

    PhaseResult measure(String name, String kind, int groups, LongFunction<Device> devices, long count)
            throws InterruptedException {
        PhaseRecorder recorder = new PhaseRecorder();
        CpuSample start = CpuSample.take(serverPid);
        execute(devices, count, recorder);
        CpuSample end = CpuSample.take(serverPid);
        return new PhaseResult(name, kind, groups, concurrency, (end.wallNanos() - start.wallNanos()) / 1e9,
                recorder.totals(), start.until(end), "in-process", -1);
    }

    private void execute(LongFunction<Device> devices, long count, PhaseRecorder recorder) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>(concurrency);
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                long n;
                while ((n = next.getAndIncrement()) < count) {
                    registerOnce(devices.apply(n), recorder);
                }
            }, "bench-in-process-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void registerOnce(Device device, PhaseRecorder recorder) {
        long start = System.nanoTime();
        String id = device.registrationId();
        String authorization = SharedAccessSignatures.device(target.idScope(), id, device.key(),
                System.currentTimeMillis() / 1000 + target.tokenLifetimeSeconds());
        int requests = 1;
        try {
            InProcessRegistration.Response response = registration.register(target.idScope(), id, authorization,
                    DeviceRegistrationScript.registrationBody(id));
            while (true) {
                String failure = failureOf(response);
                if (failure != null) {
                    recorder.failed(failure);
                    return;
                }
                RegistrationOutcome outcome = RegistrationOutcome.of(JSON.readTree(response.body()));
                if (outcome.isAssigned()) {
                    recorder.succeeded((System.nanoTime() - start) / 1000, -1, -1, requests);
                    return;
                }
                if (!outcome.isPending()) {
                    recorder.failed(outcome.failureKind());
                    return;
                }
                if (outcome.operationId() == null || requests > target.maxPolls()) {
                    recorder.failed(outcome.operationId() == null ? "status-" + outcome.status()
                            + " without operationId" : "still " + outcome.status() + " after polling");
                    return;
                }
                requests++;
                response = registration.operationStatus(target.idScope(), id, outcome.operationId(), authorization);
            }
        } catch (Exception e) {
            recorder.failed("exception: " + e.getClass().getSimpleName());
        }
    }

    private static String failureOf(InProcessRegistration.Response response) throws IOException {
        int code = response.statusCode();
        if (code == 200 || code == 202) {
            return response.body() == null || response.body().length == 0 ? "http-" + code + " without a body" : null;
        }
        String errorCode = "";
        if (response.body() != null && response.body().length > 0) {
            JsonNode body = JSON.readTree(response.body());
            if (body != null && body.hasNonNull("errorCode")) {
                errorCode = " (" + body.get("errorCode").asText() + ")";
            }
        }
        return "http-" + code + errorCode;
    }
}
