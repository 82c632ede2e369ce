package dev.corral.cli;

import dev.corral.cli.demo.TerminalWriter;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code corral} command. Each subcommand is one thing to do ({@code corral demo}, {@code corral
 * limits}); this class only holds them together, answers {@code --help} and {@code --version}, and
 * turns the outcome into the process's exit status: 0 done, 1 failed, 2 bad usage.
 *
 * <h2>What every command gets from here</h2>
 * {@link #commandLine()} sets these for the whole command tree, so a subcommand added to
 * {@code subcommands} inherits them without doing anything:
 * <ul>
 *   <li>{@code --help} and {@code --version} on every command, answered before the command runs;</li>
 *   <li>bad usage (an unknown option, a bad value, a refused combination) is one line on the error
 *       stream that names the command and ends with where to find help, and exit status 2; a
 *       command refuses a combination by throwing {@link ParameterException} (see
 *       {@link OptionChecks});</li>
 *   <li>a failure while running is one line ({@code corral <command>: <what happened>}) and exit
 *       status 1; the stack trace only with {@code -Dcorral.debug=true};</li>
 *   <li>every {@code Duration} option reads durations one way ({@link DurationConverter}: negative
 *       refused; {@link DurationConverter.Positive} where zero means nothing too);</li>
 *   <li>progress lines are drawn only on a terminal ({@link dev.corral.cli.demo.ProgressLine}).</li>
 * </ul>
 */
@Command(name = "corral",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        description = "Bounded worker pools for the JVM: see them work against the JDK's executors, watch them live, and run tasks "
                + "through Redis in many processes (worker, enqueue, stats, dead).",
        subcommands = {DemoCommand.class, LimitsCommand.class, ScaleCommand.class, DashboardCommand.class,
            WorkerCommand.class, EnqueueCommand.class, StatsCommand.class, DeadCommand.class},
        footer = {"", "The benchmark suite (JMH, against the JDK's executors) is './corral bench' (see './corral bench --help')."},
        usageHelpAutoWidth = true)
public final class CorralCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /**
     * Runs the command line and exits with its status. Progress is drawn on the error stream only
     * when {@link TerminalWriter#detect()} finds a terminal.
     */
    public static void main(String[] args) {
        CommandLine cmd = commandLine();
        if (TerminalWriter.detect()) {
            cmd.setErr(new TerminalWriter(System.err, Charset.defaultCharset()));
        }
        System.exit(cmd.execute(args));
    }

    /** The configured command line, as {@link #main} runs it (tests run the same thing). */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new CorralCommand()));
    }

    /** Gives {@code cmd} and every command below it the behaviour listed in the class comment. */
    static CommandLine configure(CommandLine cmd) {
        // Every command answers --help and --version, even one that forgot to ask for them.
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(cmd));
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            if (!c.getCommandSpec().mixinStandardHelpOptions()) {
                c.getCommandSpec().mixinStandardHelpOptions(true);
            }
            todo.addAll(c.getSubcommands().values());
        }
        // The setters below apply to the whole tree as it is now, so they come after it is complete.
        cmd.registerConverter(Duration.class, new DurationConverter());
        cmd.setParameterExceptionHandler(CorralCommand::usageError);
        cmd.setExecutionExceptionHandler(CorralCommand::failure);
        return cmd;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: try 'corral demo' or 'corral limits'");
    }

    /**
     * Bad usage: one line naming the command, the problem and where help is, instead of picocli's
     * default of the message followed by the whole usage text (40-60 lines that push the message
     * off the screen).
     */
    static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        StringBuilder line = new StringBuilder(name).append(": ").append(oneLine(e.getMessage()));
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions().stream().limit(3).toList()))
                    .append("?)");
        }
        line.append(". See '").append(name).append(" --help'.");
        PrintWriter err = cmd.getErr();
        err.println(line);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A command failed while running: one line, and the trace only when asked for. */
    static int failure(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String what = e.getMessage() != null ? oneLine(e.getMessage()) : e.getClass().getName();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + what);
        if (Boolean.getBoolean("corral.debug")) {
            e.printStackTrace(err);
        } else {
            err.println("(run with -Dcorral.debug=true, e.g. CORRAL_JAVA_OPTS=-Dcorral.debug=true, for the stack trace)");
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    private static String oneLine(String message) {
        String s = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The project version from the jar's Maven descriptor, and the JVM it runs on. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            String version = "(development build)";
            try (InputStream in = CorralCommand.class.getResourceAsStream(
                    "/META-INF/maven/dev.corral/corral-cli/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", version);
                }
            }
            return new String[] {
                "corral " + version,
                "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})",
                "OS: ${os.name} ${os.version} ${os.arch}"
            };
        }
    }
}
