package dev.canopy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Duration;
import java.util.Objects;

/**
 * A value shown beside a context in status output: a counter, a gauge, a duration, a text or a byte amount.
 * Set with {@link Context#addMetric(String, MetricValue)} or {@link ContextBuilder#withMetric(String, MetricValue)}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MetricValue.Counter.class, name = "counter"),
        @JsonSubTypes.Type(value = MetricValue.Gauge.class, name = "gauge"),
        @JsonSubTypes.Type(value = MetricValue.DurationValue.class, name = "duration"),
        @JsonSubTypes.Type(value = MetricValue.Text.class, name = "text"),
        @JsonSubTypes.Type(value = MetricValue.Bytes.class, name = "bytes")})
public sealed interface MetricValue {

    /** The value as status shows it: {@code 1,234}, {@code 0.25}, {@code 12.3s}, {@code 1.5MB}, or the text. */
    default String display() {
        if (this instanceof Counter c) {
            return String.format(java.util.Locale.ROOT, "%,d", c.value());
        } else if (this instanceof Gauge g) {
            double d = g.value();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(java.util.Locale.ROOT, "%,d", (long) d)
                    : String.format(java.util.Locale.ROOT, "%.2f", d);
        } else if (this instanceof DurationValue d) {
            return dev.canopy.internal.Durations.human(d.value());
        } else if (this instanceof Text t) {
            return t.value();
        } else {
            return dev.canopy.internal.Durations.bytes(((Bytes) this).value());
        }
    }

    static MetricValue counter(long value) {
        return new Counter(value);
    }

    static MetricValue gauge(double value) {
        return new Gauge(value);
    }

    static MetricValue duration(Duration value) {
        return new DurationValue(value);
    }

    static MetricValue text(String value) {
        return new Text(value);
    }

    static MetricValue bytes(long value) {
        return new Bytes(value);
    }

    /** A count of things; never negative. */
    record Counter(long value) implements MetricValue {
        public Counter {
            if (value < 0) {
                throw new IllegalArgumentException("counter metric must not be negative: " + value);
            }
        }
    }

    /** A measurement that goes up and down. */
    record Gauge(double value) implements MetricValue {
    }

    /** A length of time; never negative. */
    record DurationValue(Duration value) implements MetricValue {
        public DurationValue {
            Objects.requireNonNull(value, "duration metric value");
            if (value.isNegative()) {
                throw new IllegalArgumentException("duration metric must not be negative: " + value);
            }
        }
    }

    /** Free text, cut at 4,096 characters (with a marker saying how long it was). */
    record Text(String value) implements MetricValue {
        public Text {
            Objects.requireNonNull(value, "text metric value");
            if (value.length() > 4_096 + 24) { // a value already cut (with its marker) stays as it is
                value = value.substring(0, 4_096) + "…(" + value.length() + " chars)";
            }
        }
    }

    /** An amount of data in bytes; never negative. */
    record Bytes(long value) implements MetricValue {
        public Bytes {
            if (value < 0) {
                throw new IllegalArgumentException("bytes metric must not be negative: " + value);
            }
        }
    }
}
