package dev.corral.cli.scale;

import java.util.Locale;

/**
 * How the offered load moves over one run: a level in [0, 1] at each point of the run, where 0 is
 * the trough load and 1 the peak. Every shape starts at the trough and ends there, so that each
 * run shows the pool growing and then shrinking back.
 */
public enum LoadShape {

    /** The trough for the first third, the peak for the second, the trough again for the last. */
    STEP {
        @Override
        public double level(double f) {
            return f >= 1.0 / 3 && f < 2.0 / 3 ? 1 : 0;
        }
    },

    /** Straight up from the trough to the peak at half-time, then straight back down. */
    RAMP {
        @Override
        public double level(double f) {
            return f < 0.5 ? 2 * f : 2 * (1 - f);
        }
    },

    /** Two full periods of a sine wave, from trough to peak and back, twice. */
    SINE {
        @Override
        public double level(double f) {
            return 0.5 - 0.5 * Math.cos(4 * Math.PI * f);
        }
    };

    /**
     * The load at {@code f} (the fraction of the run gone, clamped to [0, 1]): 0 is the trough, 1
     * the peak.
     */
    public abstract double level(double f);

    /** The level at {@code f}, with {@code f} clamped to the run. */
    double levelAt(double f) {
        return Math.max(0, Math.min(1, level(Math.max(0, Math.min(1, f)))));
    }

    /** The name on the command line and in reports: {@code step}, {@code ramp}, {@code sine}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
