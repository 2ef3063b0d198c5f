package dev.opendps.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.benchmark.load.PhaseResult;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The run's figures as a table, PASS/MISS per target, and one JSON line. Targets (from the issue):
 * ≥1,000 registrations/s over 60 s; ≥0.5× the baseline's rate; p99 at 64 devices ≤1.5× the baseline's p99;
 * server-side time per registration p99 &lt; 5 ms; returning devices with 1,000 groups cost ≤2× one group.
 */
final class Report {

    static final double TARGET_RATE = 1000;
    static final double TARGET_RATIO = 0.5;
    static final double TARGET_P99_FACTOR = 1.5;
    static final double TARGET_SERVER_P99_MS = 5;
    static final double TARGET_GROUP_COST_FACTOR = 2;
    static final int TARGET_CONCURRENCY = 64;
    static final double TARGET_SECONDS = 60;

    record Verdict(String target, String phase, String result, String detail) {
    }

    private final List<PhaseResult> phases;
    private final Map<String, Object> settings;
    private final List<Verdict> verdicts = new ArrayList<>();

    Report(List<PhaseResult> phases, Map<String, Object> settings) {
        this.phases = List.copyOf(phases);
        this.settings = settings;
        judge();
    }

    private Optional<PhaseResult> baseline() {
        return phases.stream().filter(p -> p.kind().equals("baseline")).findFirst();
    }

    /** Registrations over the network (HTTPS or MQTT), which the targets are stated for. */
    private static boolean overNetwork(PhaseResult phase) {
        return phase.kind().startsWith("register-") || phase.kind().startsWith("mqtt-register-");
    }

    private void judge() {
        Optional<PhaseResult> baseline = baseline();
        for (PhaseResult phase : phases) {
            if (!overNetwork(phase)) {
                continue;
            }
            String window = phase.seconds() + 0.5 < TARGET_SECONDS
                    ? String.format(Locale.ROOT, "; window %.0f s < %.0f s: indicative", phase.seconds(), TARGET_SECONDS)
                    : "";
            verdicts.add(verdict("rate >= 1000/s", phase, phase.perSecond() >= TARGET_RATE,
                    String.format(Locale.ROOT, "%.0f/s%s", phase.perSecond(), window)));
            if (baseline.isPresent() && baseline.get().perSecond() > 0) {
                double ratio = phase.perSecond() / baseline.get().perSecond();
                verdicts.add(verdict("rate >= 0.5x baseline", phase, ratio >= TARGET_RATIO,
                        String.format(Locale.ROOT, "%.2fx (%.0f/s vs %.0f/s)", ratio, phase.perSecond(),
                                baseline.get().perSecond())));
                double factor = phase.latencyMillis(99) / baseline.get().latencyMillis(99);
                String note = phase.concurrency() == TARGET_CONCURRENCY ? ""
                        : "; target is stated at " + TARGET_CONCURRENCY + " concurrent devices";
                verdicts.add(verdict("p99 <= 1.5x baseline p99", phase, factor <= TARGET_P99_FACTOR,
                        String.format(Locale.ROOT, "%.2fx (%.2f ms vs %.2f ms)%s", factor, phase.latencyMillis(99),
                                baseline.get().latencyMillis(99), note)));
            } else {
                verdicts.add(new Verdict("rate >= 0.5x baseline", phase.name(), "N/A", "no baseline phase in this run"));
                verdicts.add(new Verdict("p99 <= 1.5x baseline p99", phase.name(), "N/A", "no baseline phase in this run"));
            }
            if (phase.hasServerTiming()) {
                verdicts.add(verdict("server p99 < 5 ms", phase, phase.serverMillis(99) < TARGET_SERVER_P99_MS,
                        String.format(Locale.ROOT, "%.2f ms (Server-Timing on %d of %d registrations)",
                                phase.serverMillis(99), phase.totals().withServerTiming(), phase.totals().succeeded())));
            } else {
                verdicts.add(new Verdict("server p99 < 5 ms", phase.name(), "N/A",
                        phase.kind().startsWith("mqtt-") ? "MQTT answers carry no Server-Timing"
                                : "no Server-Timing header received"));
            }
        }
        List<PhaseResult> returning = phases.stream().filter(p -> p.kind().equals("register-returning"))
                .sorted(Comparator.comparingInt(PhaseResult::groups)).toList();
        if (returning.size() >= 2 && returning.get(0).groups() < returning.get(returning.size() - 1).groups()) {
            PhaseResult few = returning.get(0);
            PhaseResult many = returning.get(returning.size() - 1);
            boolean server = few.hasServerTiming() && many.hasServerTiming();
            double factor = server ? many.meanServerMillis() / few.meanServerMillis()
                    : many.meanLatencyMillis() / few.meanLatencyMillis();
            verdicts.add(new Verdict("returning cost " + many.groups() + " groups <= 2x " + few.groups(),
                    many.name() + " vs " + few.name(), factor <= TARGET_GROUP_COST_FACTOR ? "PASS" : "MISS",
                    String.format(Locale.ROOT, "%.2fx by mean %s time (%.3f ms vs %.3f ms)%s", factor,
                            server ? "server-side" : "client-side",
                            server ? many.meanServerMillis() : many.meanLatencyMillis(),
                            server ? few.meanServerMillis() : few.meanLatencyMillis(),
                            many.groups() < 1000 ? "; target is stated for 1,000 groups" : "")));
        }
    }

    private static Verdict verdict(String target, PhaseResult phase, boolean pass, String detail) {
        return new Verdict(target, phase.name(), pass ? "PASS" : "MISS", detail);
    }

    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-30s %5s %9s %7s %9s %8s %8s %8s %8s | %7s %7s %7s | %6s %8s | %s%n",
                "phase", "conc", "ok", "errors", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                "srv p50", "srv p95", "srv p99", "req/op", "tls p50", "CPU cores client/server/irq/other/machine");
        for (PhaseResult p : phases) {
            boolean any = p.totals().succeeded() > 0;
            out.printf(Locale.ROOT, "%-30s %5d %9d %7d %9.1f %8s %8s %8s %8s | %7s %7s %7s | %6s %8s | %s%n",
                    p.name(), p.concurrency(), p.totals().succeeded(), p.totals().failed(), p.perSecond(),
                    ms(p.latencyMillis(50)), ms(p.latencyMillis(95)), ms(p.latencyMillis(99)),
                    ms(any ? p.totals().latencyMicros().getMaxValue() / 1000.0 : Double.NaN),
                    ms(p.serverMillis(50)), ms(p.serverMillis(95)), ms(p.serverMillis(99)),
                    ms(p.requestsPerExchange()), ms(p.handshakeMillis(50)), cpu(p));
        }
        for (PhaseResult p : phases) {
            if (!p.totals().errors().isEmpty()) {
                out.println("errors in " + p.name() + ":");
                p.totals().errors().forEach((kind, count) -> out.printf(Locale.ROOT, "  %8d  %s%n", count, kind));
            }
        }
        phases.stream().filter(p -> !p.tls().equals("in-process")).findFirst().ifPresent(p -> out.println(
                "TLS: " + p.tls() + "; resumed handshakes in measured windows: "
                        + phases.stream().mapToLong(PhaseResult::resumedHandshakes).filter(n -> n >= 0).sum()));
        if (!verdicts.isEmpty()) {
            out.println();
            out.println("targets:");
            for (Verdict v : verdicts) {
                out.printf(Locale.ROOT, "  %-4s  %-34s %-30s %s%n", v.result(), v.target(), v.phase(), v.detail());
            }
        }
        out.println();
        out.println(json());
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.2f", millis);
    }

    private static String cpu(PhaseResult p) {
        return String.format(Locale.ROOT, "%s/%s/%s/%s/%s of %d", cores(p.cpu().clientCores()),
                cores(p.cpu().serverCores()), cores(p.cpu().interruptCores()), cores(p.cpu().otherCores()),
                cores(p.cpu().machineCores()), p.cpu().cores());
    }

    private static String cores(double value) {
        return value < 0 ? "?" : String.format(Locale.ROOT, "%.2f", value);
    }

    String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "opendps-registration");
        root.put("timestampUtc", Instant.now().toString());
        ObjectNode settingsNode = root.putObject("settings");
        settings.forEach((key, value) -> settingsNode.set(key, mapper.valueToTree(value)));
        ArrayNode list = root.putArray("phases");
        for (PhaseResult p : phases) {
            ObjectNode node = list.addObject();
            node.put("name", p.name()).put("kind", p.kind()).put("groups", p.groups())
                    .put("concurrency", p.concurrency());
            number(node, "seconds", p.seconds());
            node.put("succeeded", p.totals().succeeded()).put("failed", p.totals().failed());
            number(node, "perSecond", p.perSecond());
            ObjectNode latency = node.putObject("latencyMs");
            percentiles(latency, p.latencyMillis(50), p.latencyMillis(95), p.latencyMillis(99), p.meanLatencyMillis());
            number(latency, "max", p.totals().latencyMicros().getTotalCount() == 0 ? Double.NaN
                    : p.totals().latencyMicros().getMaxValue() / 1000.0);
            if (p.hasServerTiming()) {
                ObjectNode server = node.putObject("serverTimingMs");
                server.put("count", p.totals().withServerTiming());
                percentiles(server, p.serverMillis(50), p.serverMillis(95), p.serverMillis(99), p.meanServerMillis());
            } else {
                node.putNull("serverTimingMs");
            }
            ObjectNode handshake = node.putObject("tlsHandshakeMs");
            number(handshake, "p50", p.handshakeMillis(50));
            number(handshake, "p99", p.handshakeMillis(99));
            number(node, "requestsPerOperation", p.requestsPerExchange());
            ObjectNode errors = node.putObject("errors");
            p.totals().errors().forEach(errors::put);
            ObjectNode cpu = node.putObject("cpuCores");
            number(cpu, "client", p.cpu().clientCores());
            number(cpu, "server", p.cpu().serverCores());
            number(cpu, "interrupts", p.cpu().interruptCores());
            number(cpu, "other", p.cpu().otherCores());
            number(cpu, "machine", p.cpu().machineCores());
            cpu.put("available", p.cpu().cores());
            node.put("tls", p.tls());
            node.put("resumedHandshakes", p.resumedHandshakes());
        }
        ArrayNode targets = root.putArray("targets");
        for (Verdict v : verdicts) {
            targets.addObject().put("target", v.target()).put("phase", v.phase()).put("result", v.result())
                    .put("detail", v.detail());
        }
        return root.toString();
    }

    private static void percentiles(ObjectNode node, double p50, double p95, double p99, double mean) {
        number(node, "p50", p50);
        number(node, "p95", p95);
        number(node, "p99", p99);
        number(node, "mean", mean);
    }

    /** JSON has no NaN: unknown figures are null, negative CPU figures too. */
    private static void number(ObjectNode node, String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value < 0 && (field.equals("client")
                || field.equals("server") || field.equals("interrupts") || field.equals("other")
                || field.equals("machine"))) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(value * 1000) / 1000.0);
        }
    }
}
