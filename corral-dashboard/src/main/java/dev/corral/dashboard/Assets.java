package dev.corral.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The files the page is made of, all read from the jar: the page itself, and uPlot (the charting
 * library, from its WebJar, with its MIT licence) so that the page needs no network at all.
 */
final class Assets {

    /** A file served at {@code /assets/{name}}. */
    record Asset(String contentType, byte[] bytes) {
    }

    private static final String OWN = "/dev/corral/dashboard/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /** By name under {@code /assets/}; loaded once. */
    static final Map<String, Asset> SERVED = load();

    private Assets() {
    }

    static String text(String name) {
        Asset a = SERVED.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no asset named " + name);
        }
        return new String(a.bytes(), StandardCharsets.UTF_8);
    }

    /** The uPlot version the jar carries, from the WebJar's Maven descriptor. */
    static String uplotVersion() {
        try (InputStream in = Assets.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("uPlot's WebJar (org.webjars.npm:uplot) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Asset> load() {
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/";
        return Map.of(
                "index.html", new Asset("text/html; charset=utf-8", read(OWN + "index.html")),
                "dashboard.js", new Asset("text/javascript; charset=utf-8", read(OWN + "dashboard.js")),
                "dashboard.css", new Asset("text/css; charset=utf-8", read(OWN + "dashboard.css")),
                "report.js", new Asset("text/javascript; charset=utf-8", read(OWN + "report.js")),
                "uPlot.iife.min.js", new Asset("text/javascript; charset=utf-8", read(uplot + "dist/uPlot.iife.min.js")),
                "uPlot.min.css", new Asset("text/css; charset=utf-8", read(uplot + "dist/uPlot.min.css")),
                "uPlot-LICENSE.txt", new Asset("text/plain; charset=utf-8", read(uplot + "LICENSE")));
    }

    private static byte[] read(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " (a broken build?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
