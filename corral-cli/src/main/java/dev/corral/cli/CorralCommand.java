package dev.corral.cli;

import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code corral} command. Each subcommand is one thing to do ({@code corral demo}, {@code corral
 * limits}); this class
 * only holds them together, answers {@code --help} and {@code --version}, and turns the outcome into
 * the process's exit status: 0 done, 1 failed, 2 bad usage.
 */
@Command(name = "corral",
        mixinStandardHelpOptions = true,
        versionProvider = CorralCommand.Version.class,
        description = "Bounded worker pools for the JVM: see them work against the JDK's executors, watch them live, and run tasks "
                + "through Redis in many processes (worker, enqueue, stats, dead).",
        subcommands = {DemoCommand.class, LimitsCommand.class, ScaleCommand.class, DashboardCommand.class,
            WorkerCommand.class, EnqueueCommand.class, StatsCommand.class, DeadCommand.class},
        usageHelpAutoWidth = true)
public final class CorralCommand implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, as {@link #main} runs it (tests run the same thing). */
    public static CommandLine commandLine() {
        return new CommandLine(new CorralCommand());
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: try 'corral demo' or 'corral limits'");
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
