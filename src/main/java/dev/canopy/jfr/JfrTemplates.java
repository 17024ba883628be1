package dev.canopy.jfr;

import jdk.jfr.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * The JFR templates shipped inside the jar (the same files as {@code jfr-templates/} in the source tree), for code
 * that starts recordings itself — {@code new Recording(JfrTemplates.canopyConfiguration())} — or applies them over
 * JMX with {@code FlightRecorderMXBean.setConfiguration(id, JfrTemplates.canopy())}, with no file on the target.
 */
public final class JfrTemplates {
    private JfrTemplates() {
    }

    /** canopy.jfc: every Canopy event, lock waits, holds and (JDK 25+) context scopes from 10 ms, counters every 10 s. */
    public static String canopy() {
        return read("canopy.jfc");
    }

    /** canopy-debug.jfc: every Canopy event at 0 ms thresholds, counters every second. */
    public static String debug() {
        return read("canopy-debug.jfc");
    }

    public static Configuration canopyConfiguration() {
        return parse(canopy(), "canopy.jfc");
    }

    public static Configuration debugConfiguration() {
        return parse(debug(), "canopy-debug.jfc");
    }

    private static Configuration parse(String xml, String name) {
        try {
            return Configuration.create(new StringReader(xml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException e) {
            throw new IllegalStateException("packaged template " + name + " is invalid: " + e.getMessage(), e);
        }
    }

    private static String read(String name) {
        try (InputStream in = JfrTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("JFR template " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
