package dev.corral.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page in a real headless browser (see {@link Browser}): it loads, its charts receive data and
 * keep updating, by events and by polling, and a screenshot is kept under
 * target/browser-artifacts/. Skipped, saying why, where chromium or chromedriver is missing.
 */
@Timeout(120)
class DashboardBrowserTest {

    @TempDir
    Path profile;

    private Pool pool;
    private Thread load;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Dashboard dashboard;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        browser = Browser.start(profile);
        pool = Pool.builder().name("api").workers(4).queueCapacity(50).statsWindow(Duration.ofSeconds(2)).build();
        // A steady trickle of short tasks, some failing, so every chart has something to draw.
        load = Thread.ofVirtual().start(() -> {
            long n = 0;
            while (running.get()) {
                long i = n++;
                pool.tryExecute(() -> {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000, 3_000_000));
                    if (i % 10 == 0) {
                        throw new IllegalStateException("one in ten fails, on purpose");
                    }
                });
                LockSupport.parkNanos(1_000_000);
            }
        });
        dashboard = Dashboard.builder().interval(Duration.ofMillis(250)).pool(pool).start();
    }

    @AfterEach
    void stop() {
        running.set(false);
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private Object js(String script) {
        return browser.executeScript(script);
    }

    private long points() {
        return ((Number) js("return window.corralDashboard.points('api')")).longValue();
    }

    @Test
    void thePageChartsThePoolLiveFromServerSentEvents() throws Exception {
        browser.get(dashboard.uri().toString());
        assertThat(browser.getTitle()).isEqualTo("Corral dashboard");
        await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(js("return window.corralDashboard.mode")));
        await().atMost(Duration.ofSeconds(30)).until(() -> points() >= 3);
        long before = points();
        long updatesBefore = Long.parseLong(browser.findElement(By.id("updates")).getAttribute("data-count"));
        await().atMost(Duration.ofSeconds(30)).until(() -> points() >= before + 4);
        assertThat(Long.parseLong(browser.findElement(By.id("updates")).getAttribute("data-count")))
                .isGreaterThan(updatesBefore);

        var card = browser.findElement(By.cssSelector("section.pool[data-name='api']"));
        assertThat(Long.parseLong(card.getAttribute("data-points"))).isGreaterThanOrEqualTo(before + 4);
        assertThat(card.findElements(By.tagName("canvas"))).hasSize(6);
        List<String> titles = card.findElements(By.cssSelector(".u-title")).stream().map(e -> e.getText()).toList();
        assertThat(titles).containsExactly("Workers", "Queue depth", "Throughput (tasks/s)", "Latency (ms)",
                "Rejections (/s)", "Failures (/s)");
        assertThat(card.findElement(By.className("numbers")).getText()).contains("workers", "tasks/s", "p99 ms");
        // The charts were drawn from numbers the pool produced, not left empty.
        await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) js(
                "return window.corralDashboard.last('api', 'throughput') || 0")).doubleValue() > 0);
        assertThat(((Number) js("return window.corralDashboard.last('api', 'workers')")).intValue()).isBetween(1, 4);

        Path shot = Browser.screenshot(browser, "dashboard");
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    @Test
    void pollingKeepsThePageUpToDateWithoutEvents() throws Exception {
        browser.get(dashboard.uri() + "?poll");
        await().atMost(Duration.ofSeconds(30)).until(() -> "polling".equals(js("return window.corralDashboard.mode")));
        await().atMost(Duration.ofSeconds(30)).until(() -> points() >= 2);
        long before = points();
        await().atMost(Duration.ofSeconds(30)).until(() -> points() >= before + 3);
        Browser.screenshot(browser, "dashboard-polling");
    }

    @Test
    void aPoolAddedLaterGetsItsOwnCard() throws Exception {
        browser.get(dashboard.uri().toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> points() >= 1);
        Pool batch = Pool.builder().name("batch").workers(1).build();
        try {
            dashboard.add(batch);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ((Number) js("return window.corralDashboard.points('batch')")).longValue() >= 2);
            assertThat(browser.findElements(By.cssSelector("section.pool"))).hasSize(2);
            dashboard.remove("batch");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    browser.findElements(By.cssSelector("section.pool")).size() == 1);
        } finally {
            batch.shutdownNow();
        }
    }

    @Test
    void aReportFileDrawsItsChartsOffline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.html");
        HtmlReport.builder("Corral demo")
                .text("mode   clients   TPS\ncorral 100 7,047")
                .chart(HtmlReport.Chart.lines("Throughput over time", "seconds", "requests/s", new double[] {0, 1, 2, 3})
                        .series("tpe", new double[] {5, 6, 6, 5}).series("corral", new double[] {6, 7, 7, 7}))
                .chart(HtmlReport.Chart.categories("p99 latency", "mode", "ms", List.of("thread", "tpe", "corral"))
                        .series("p99", new double[] {1097, 1104, 149}))
                .build().writeTo(file);
        browser.get(file.toUri().toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> "2".equals(js("return document.body.dataset.charts")));
        assertThat(browser.findElements(By.tagName("canvas"))).hasSize(2);
        Browser.screenshot(browser, "report");
    }
}
