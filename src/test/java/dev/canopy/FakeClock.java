package dev.canopy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. */
public final class FakeClock implements CanopyClock {
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final long startNanos = nanos.get();

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return START.toEpochMilli() + (nanos.get() - startNanos) / 1_000_000;
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
