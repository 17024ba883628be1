package dev.canopy.jmx;

import java.beans.ConstructorProperties;

/** One counter with its windows, as the registry shows it (a CompositeData row over JMX). */
public final class CounterRow {
    private final String key;
    private final long total;
    private final long live;
    private final long lastSecond;
    private final long lastMinute;
    private final long lastHour;
    private final long lastDay;
    private final double ratePerSecond;

    @ConstructorProperties({"key", "total", "live", "lastSecond", "lastMinute", "lastHour", "lastDay", "ratePerSecond"})
    public CounterRow(String key, long total, long live, long lastSecond, long lastMinute, long lastHour, long lastDay,
                      double ratePerSecond) {
        this.key = key;
        this.total = total;
        this.live = live;
        this.lastSecond = lastSecond;
        this.lastMinute = lastMinute;
        this.lastHour = lastHour;
        this.lastDay = lastDay;
        this.ratePerSecond = ratePerSecond;
    }

    public String getKey() {
        return key;
    }

    public long getTotal() {
        return total;
    }

    public long getLive() {
        return live;
    }

    public long getLastSecond() {
        return lastSecond;
    }

    public long getLastMinute() {
        return lastMinute;
    }

    public long getLastHour() {
        return lastHour;
    }

    public long getLastDay() {
        return lastDay;
    }

    public double getRatePerSecond() {
        return ratePerSecond;
    }
}
