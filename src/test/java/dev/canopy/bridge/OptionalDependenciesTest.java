package dev.canopy.bridge;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Micrometer and OpenTelemetry are optional: the library loads and works on a class path without them. */
class OptionalDependenciesTest {
    @Test
    void theLibraryWorksWithoutTheBridgesDependencies() throws Exception {
        URL[] urls = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("jackson") || e.endsWith("target" + File.separator + "classes"))
                .map(e -> {
                    try {
                        return Path.of(e).toUri().toURL();
                    } catch (java.net.MalformedURLException ex) {
                        throw new IllegalStateException(ex);
                    }
                })
                .toArray(URL[]::new);
        try (URLClassLoader alone = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> alone.loadClass("io.micrometer.observation.Observation"));
            assertThrows(ClassNotFoundException.class, () -> alone.loadClass("io.opentelemetry.sdk.trace.SpanProcessor"));

            Class<?> treeClass = alone.loadClass("dev.canopy.ContextTree");
            Object builder = treeClass.getMethod("builder").invoke(null);
            Object tree = builder.getClass().getMethod("build").invoke(builder);
            try {
                Object root = treeClass.getMethod("root").invoke(tree);
                Object child = root.getClass().getMethod("child", String.class).invoke(root, "works");
                Object context = child.getClass().getMethod("open").invoke(child);
                assertEquals("global.works", context.getClass().getMethod("path").invoke(context));
                context.getClass().getMethod("close").invoke(context);
            } finally {
                treeClass.getMethod("close").invoke(tree);
            }
            // a bridge class exists in the jar, but nothing loads it unless the application registers it
            assertThrows(NoClassDefFoundError.class, () -> Class.forName("dev.canopy.micrometer.CanopyObservationHandler",
                    true, alone));
        }
    }
}
