package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "500ms,   PT0.5S",
        "30s,     PT30S",
        "2m,      PT2M",
        "1h,      PT1H",
        "1d,      PT24H",
        "PT1S,    PT1S",
        "pt1.5s,  PT1.5S",
        "PT2M30S, PT2M30S",
        "1m30s,   PT1M30S",
        "1.5s,    PT1.5S",
        ".5s,     PT0.5S",
        "200us,   PT0.0002S",
        "200µs,   PT0.0002S",
        "7ns,     PT0.000000007S",
        "0,       PT0S",
        "0ms,     PT0S",
        "' 5ms ', PT0.005S",
    })
    void readsNumbersWithUnitsAndIso8601(String text, String iso) {
        assertThat(converter.convert(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"soon", "5", "5 s", "5x", "ms", "1.5.2s", "5S", "2M", "P", "PTxS", "1h 30m", "--1s"})
    void refusesWhatIsNotADurationAndNamesTheValue(String text) {
        assertThatThrownBy(() -> converter.convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("500ms")
                .hasMessageContaining("PT1S");
    }

    @ParameterizedTest(name = "''{0}'' is refused as negative")
    @ValueSource(strings = {"-1s", "-PT1S"})
    void refusesNegativeDurations(String text) {
        assertThatThrownBy(() -> converter.convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("must be zero or more, got '" + text + "'");
    }

    @ParameterizedTest(name = "''{0}'' is refused where zero means nothing")
    @ValueSource(strings = {"0", "0s", "PT0S", "-1s", "-PT1S"})
    void positiveRefusesZeroAndNegativeDurationsWithOneMessage(String text) {
        assertThatThrownBy(() -> new DurationConverter.Positive().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessage("must be more than zero, got '" + text + "'");
        assertThat(new DurationConverter.Positive().convert("1ns")).isEqualTo(Duration.ofNanos(1));
    }

    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({"PT0S, 0", "PT8.4S, 8.4s", "PT0.5S, 500ms", "PT0.00025S, 250us", "PT0.000000007S, 7ns", "PT-2S, -2s"})
    void formatWritesWhatParseReads(String iso, String text) {
        assertThat(DurationConverter.format(Duration.parse(iso))).isEqualTo(text);
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest(name = "''{0}'' is refused as too fine")
    @ValueSource(strings = {"1.5ns", "0.0001us"})
    void refusesFractionsOfANanosecondRatherThanRoundingThem(String text) {
        assertThatThrownBy(() -> converter.convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "' is finer than a nanosecond");
    }

    @Test
    void refusesBlankInput() {
        assertThatThrownBy(() -> converter.convert(" "))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("is not a duration");
    }
}
