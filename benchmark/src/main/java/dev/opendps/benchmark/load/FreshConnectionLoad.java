package dev.opendps.benchmark.load;

import dev.opendps.benchmark.load.CpuSample.CpuUsage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A closed-loop load generator: {@code concurrency} clients, each repeatedly opening a new TCP+TLS connection,
 * running one {@link ConnectionScript} on it and closing it. All connections share a few event-loop threads and
 * one TLS context; only the per-connection handlers are created per connection.
 */
public final class FreshConnectionLoad implements AutoCloseable {

    private final EventLoopGroup group;
    private final Supplier<Channel> channels;
    private final ClientTls tls;
    private final long timeoutNanos;
    private final String serverTimingMetric;
    private final OptionalLong serverPid;
    private volatile String negotiated;

    public FreshConnectionLoad(ClientTls tls, int threads, Duration timeout, String serverTimingMetric,
                               OptionalLong serverPid) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-client", true), handlers);
        this.channels = epoll ? EpollSocketChannel::new : NioSocketChannel::new;
        this.tls = tls;
        this.timeoutNanos = timeout.toNanos();
        this.serverTimingMetric = serverTimingMetric;
        this.serverPid = serverPid;
    }

    public String transportName() {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    /** Runs a phase to its end and returns what was measured in its window. */
    public PhaseResult run(PhasePlan plan) throws InterruptedException {
        long start = System.nanoTime();
        boolean timed = plan.duration() != null;
        long windowStart = start + plan.warmup().toNanos();
        long windowEnd = timed ? windowStart + plan.duration().toNanos() : Long.MAX_VALUE;
        Run run = new Run(plan, new PhaseRecorder(), timed ? windowStart : Long.MIN_VALUE, windowEnd);

        CpuSample cpuStart = timed ? null : CpuSample.take(serverPid);
        for (int i = 0; i < plan.concurrency(); i++) {
            group.next().execute(() -> startNext(run));
        }
        CpuUsage cpu = CpuUsage.UNKNOWN;
        if (timed) {
            sleepUntil(windowStart);
            cpuStart = CpuSample.take(serverPid);
            sleepUntil(windowEnd);
            cpu = cpuStart.until(CpuSample.take(serverPid));
            awaitInFlight(run);
        } else {
            awaitInFlight(run);
            cpu = cpuStart.until(CpuSample.take(serverPid));
        }
        long resumedInWindow = run.resumedUnknown.sum() > 0 ? -1 : run.resumed.sum();
        double seconds = ((timed ? windowEnd : run.lastEnd.get()) - (timed ? windowStart : start)) / 1e9;
        return new PhaseResult(plan.name(), plan.kind(), plan.groups(), plan.concurrency(), seconds,
                run.recorder.totals(), cpu, negotiated == null ? "?" : negotiated, resumedInWindow);
    }

    private void awaitInFlight(Run run) throws InterruptedException {
        if (!run.finished.await(timeoutNanos + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS)) {
            System.err.println("warning: " + run.active.get() + " connection(s) of phase " + run.plan.name()
                    + " did not finish in time");
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Starts the next connection of one client, or retires the client when the phase is over. */
    private void startNext(Run run) {
        ConnectionScript script = System.nanoTime() >= run.windowEnd ? null : run.plan.source().next();
        if (script == null) {
            if (run.active.decrementAndGet() == 0) {
                run.finished.countDown();
            }
            return;
        }
        Channel channel = channels.get();
        Exchange exchange = new Exchange(this, run, script, channel, System.nanoTime());
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        channel.pipeline().addLast(tls.newHandler(channel.alloc(), run.plan.address()));
        script.addCodecs(channel.pipeline());
        channel.pipeline().addLast(exchange);
        group.register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                exchange.fail(Exchange.kindOf(registered.cause()));
                return;
            }
            exchange.armTimeout(timeoutNanos);
            channel.connect(run.plan.address()).addListener(connected -> {
                if (!connected.isSuccess()) {
                    exchange.fail(Exchange.kindOf(connected.cause()));
                }
            });
        });
    }

    /** Called once per exchange, on its event loop. */
    void finished(Run run, long startNanos, long endNanos, long handshakeNanos, Boolean resumed, long serverMicros,
                  int requests, String failure) {
        if (endNanos >= run.windowStart && endNanos < run.windowEnd) {
            if (handshakeNanos >= 0 && resumed == null) {
                run.resumedUnknown.increment();
            } else if (handshakeNanos >= 0 && resumed) {
                run.resumed.increment();
            }
            if (failure == null) {
                run.recorder.succeeded((endNanos - startNanos) / 1000, handshakeNanos < 0 ? -1 : handshakeNanos / 1000,
                        serverMicros, requests);
            } else {
                run.recorder.failed(failure);
            }
            run.lastEnd.accumulateAndGet(endNanos, Math::max);
        }
        // Always hop through the executor: a connection that fails at once must not recurse into the next.
        group.next().execute(() -> startNext(run));
    }

    void handshakeDone(String protocolAndCipher) {
        if (negotiated == null) {
            negotiated = protocolAndCipher;
        }
    }

    String serverTimingMetric() {
        return serverTimingMetric;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static final class Run {
        final PhasePlan plan;
        final PhaseRecorder recorder;
        final long windowStart;
        final long windowEnd;
        final AtomicInteger active;
        final CountDownLatch finished = new CountDownLatch(1);
        final LongAdder resumed = new LongAdder();
        final LongAdder resumedUnknown = new LongAdder();
        final AtomicLong lastEnd = new AtomicLong(System.nanoTime());

        Run(PhasePlan plan, PhaseRecorder recorder, long windowStart, long windowEnd) {
            this.plan = plan;
            this.recorder = recorder;
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
            this.active = new AtomicInteger(plan.concurrency());
        }
    }
}
