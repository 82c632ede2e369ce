package dev.corral.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The option checks the commands share. A failure is a usage error (exit status 2) whose message
 * names the option and the value given.
 */
final class OptionChecks {

    private OptionChecks() {
    }

    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code value} may be null: an option not given, whose default is filled in later. */
    static void atLeastOne(CommandSpec spec, String option, Integer value) {
        if (value != null && value < 1) {
            throw usage(spec, option + " must be 1 or more, got " + value);
        }
    }

    /** Reads an option value with a {@code parse} method, its refusal turned into picocli's conversion error. */
    abstract static class Parsing<T> implements ITypeConverter<T> {
        abstract T parse(String value);

        @Override
        public final T convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
