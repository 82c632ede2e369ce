package dev.corral.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, driven through Debian's chromedriver by Selenium, headless. Nothing is
 * downloaded: the driver's path is given, so Selenium Manager never runs (and SE_OFFLINE tells it
 * not to, should it try). Where the browser or the driver is missing, {@link #start} aborts the
 * calling test as an assumption, saying what to install, so only the browser tests are skipped.
 */
final class Browser {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CORRAL_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CORRAL_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Where screenshots are kept, as test artifacts. */
    static final Path ARTIFACTS = Path.of("target", "browser-artifacts");

    private Browser() {
    }

    static ChromeDriver start(Path profile) {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: no " + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM)
                        + " (apt-get install chromium chromium-driver, as .ci/run does)");
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1200", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(40))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    /** Saves a screenshot of what the browser shows under target/browser-artifacts/{name}.png. */
    static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(ARTIFACTS);
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = ARTIFACTS.resolve(name + ".png");
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

}
