package dev.corral.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void drawsOnATerminalAndClearsItself() {
        StringWriter err = new StringWriter();
        ProgressLine progress = new ProgressLine(new TerminalWriter(err));

        progress.show("[1/3] step: 4.0 s left");
        progress.show("[1/3] step: 3 s");
        progress.clear();

        assertThat(err.toString()).startsWith("\r[1/3] step: 4.0 s left\r[1/3] step: 3 s      ")
                .endsWith("\r" + " ".repeat("[1/3] step: 3 s".length()) + "\r");
    }

    @Test
    void drawsNothingOnARedirectedStream() {
        StringWriter err = new StringWriter();
        PrintWriter redirected = new PrintWriter(err, true);
        ProgressLine progress = new ProgressLine(redirected);

        progress.show("[1/3] step: 4.0 s left");
        progress.clear();
        redirected.println("a warning still gets through");

        assertThat(err.toString()).isEqualTo("a warning still gets through" + System.lineSeparator());
    }

    @Test
    void theCorralTerminalPropertyDecidesWhenSet() {
        String before = System.getProperty("corral.terminal");
        try {
            System.setProperty("corral.terminal", "true");
            assertThat(TerminalWriter.detect()).isTrue();
            System.setProperty("corral.terminal", "false");
            assertThat(TerminalWriter.detect()).isFalse();
            System.clearProperty("corral.terminal");
            assertThat(TerminalWriter.detect()).as("surefire's fork has no terminal").isFalse();
        } finally {
            if (before == null) {
                System.clearProperty("corral.terminal");
            } else {
                System.setProperty("corral.terminal", before);
            }
        }
    }
}
