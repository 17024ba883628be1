package dev.canopy.jfr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * When a recording file starts and ends, from the headers of its chunks. The events alone cannot say: a quiet
 * application records nothing for seconds, and a context still running when the recording stopped has no event at
 * the end. JDK 17's API does not expose the chunk headers, so they are read here; their layout (68 bytes, big-endian:
 * magic {@code FLR\0}, major and minor version, chunk size, constant pool and metadata offsets, start in epoch
 * nanoseconds, duration in nanoseconds, start ticks, ticks per second, flags) has been the same since JDK 11.
 *
 * @param lastChunkStart the start of the chunk that ends last: what its chunk-boundary hooks emitted near its end
 *                       was in progress when the recording stopped (or was dumped)
 */
record RecordingSpan(Instant start, Instant end, Instant lastChunkStart) {
    private static final int HEADER_SIZE = 68;
    private static final int MAGIC = 0x464c5200; // "FLR\0"

    /** The span of the file's chunks, or empty when a header is not what it should be (the caller falls back). */
    static Optional<RecordingSpan> ofChunks(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long lastStart = Long.MIN_VALUE;
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            while (position < size) {
                header.clear();
                if (channel.read(header, position) != HEADER_SIZE) {
                    return Optional.empty();
                }
                header.flip();
                if (header.getInt(0) != MAGIC) {
                    return Optional.empty();
                }
                long chunkSize = header.getLong(8);
                long startNanos = header.getLong(32);
                long durationNanos = header.getLong(40);
                // an unfinished chunk (a file copied while the JVM still writes it) has no size or duration yet
                if (chunkSize < HEADER_SIZE || position + chunkSize > size || startNanos <= 0 || durationNanos < 0) {
                    return Optional.empty();
                }
                first = Math.min(first, startNanos);
                if (startNanos + durationNanos >= last) {
                    last = startNanos + durationNanos;
                    lastStart = startNanos;
                }
                position += chunkSize;
            }
            if (first == Long.MAX_VALUE) {
                return Optional.empty();
            }
            return Optional.of(new RecordingSpan(instant(first), instant(last), instant(lastStart)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }
}
